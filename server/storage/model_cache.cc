#include "server/storage/model_cache.h"

#include <functional>
#include <utility>

namespace modelreg {

ModelCache::ModelCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

ModelCache::Shard& ModelCache::ShardOf(const std::string& name) {
  return shards_[std::hash<std::string>{}(name) % kShards];
}

size_t ModelCache::Cost(const std::string& name, const std::string& bytes) {
  constexpr size_t kOverhead = 160;  // map node, list node, shared_ptr control block, string headers
  return 2 * name.size() + bytes.size() + kOverhead;
}

void ModelCache::Erase(Shard& shard, std::unordered_map<std::string, Entry>::iterator it) {
  shard.bytes -= Cost(it->first, *it->second.bytes);
  shard.recency.erase(it->second.recency);
  shard.entries.erase(it);
}

bool ModelCache::Lookup(const std::string& name, v1::Model* out) {
  const std::shared_ptr<const std::string> bytes = LookupSerialized(name);
  return bytes != nullptr && out->ParseFromString(*bytes);
}

std::shared_ptr<const std::string> ModelCache::LookupSerialized(const std::string& name) {
  if (!enabled()) return nullptr;
  std::shared_ptr<const std::string> bytes;
  {
    Shard& shard = ShardOf(name);
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.entries.find(name);
    if (it != shard.entries.end()) {
      bytes = it->second.bytes;
      shard.recency.splice(shard.recency.begin(), shard.recency, it->second.recency);
    }
  }
  (bytes == nullptr ? misses_ : hits_).fetch_add(1, std::memory_order_relaxed);
  return bytes;
}

bool ModelCache::Insert(uint64_t epoch, const v1::Model& model) {
  return Insert(epoch, model.name(), std::make_shared<const std::string>(model.SerializeAsString()));
}

bool ModelCache::Insert(uint64_t epoch, const std::string& name, std::shared_ptr<const std::string> bytes) {
  const size_t cost = Cost(name, *bytes);
  if (cost > shard_capacity_) return false;
  Shard& shard = ShardOf(name);
  std::lock_guard<std::mutex> lock(shard.mutex);
  // Checked under the shard's mutex, which Invalidate also holds: an invalidation of `name` either came first (and
  // changed the epoch) or comes after (and removes this entry).
  if (!enabled() || Epoch() != epoch) return false;
  if (auto it = shard.entries.find(name); it != shard.entries.end()) Erase(shard, it);
  while (!shard.recency.empty() && shard.bytes + cost > shard_capacity_) {
    Erase(shard, shard.entries.find(shard.recency.back()));
  }
  shard.recency.push_front(name);
  shard.entries.emplace(name, Entry{std::move(bytes), shard.recency.begin()});
  shard.bytes += cost;
  return true;
}

void ModelCache::Invalidate(const std::string& name) {
  Shard& shard = ShardOf(name);
  std::lock_guard<std::mutex> lock(shard.mutex);
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  if (auto it = shard.entries.find(name); it != shard.entries.end()) Erase(shard, it);
}

void ModelCache::InvalidateAll() {
  // The epoch changes first: an Insert that locks a shard after it has been cleared sees the new epoch.
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    shard.entries.clear();
    shard.recency.clear();
    shard.bytes = 0;
  }
}

void ModelCache::SetEnabled(bool enabled) {
  enabled_.store(enabled, std::memory_order_release);
  InvalidateAll();
}

bool ModelCache::FilledTo(double fraction) const {
  return static_cast<double>(stats().bytes) >= fraction * static_cast<double>(shard_capacity_ * kShards);
}

ModelCache::Stats ModelCache::stats() const {
  Stats stats;
  stats.hits = hits_.load(std::memory_order_relaxed);
  stats.misses = misses_.load(std::memory_order_relaxed);
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    stats.entries += static_cast<int64_t>(shard.entries.size());
    stats.bytes += static_cast<int64_t>(shard.bytes);
  }
  return stats;
}

}  // namespace modelreg

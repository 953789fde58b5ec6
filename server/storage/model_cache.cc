#include "server/storage/model_cache.h"

#include <functional>
#include <utility>

#include "server/storage/record_codec.h"

namespace modelreg {

ModelCache::ModelCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

ModelCache::Shard& ModelCache::ShardOf(const std::string& name) {
  return shards_[std::hash<std::string>{}(name) % kShards];
}

size_t ModelCache::Cost(std::string_view name, const std::string& bytes) {
  constexpr size_t kOverhead = 160;  // map slot, clock pair, shared_ptr control block, string headers
  return name.size() + bytes.size() + kOverhead;
}

void ModelCache::Erase(Shard& shard, absl::flat_hash_map<std::string_view, Entry>::iterator it) {
  shard.bytes -= Cost(it->first, *it->second.bytes);
  shard.entries.erase(it);
}

void ModelCache::MakeRoom(Shard& shard, size_t cost) const {
  // Ends: each pass over the queue unmarks every entry it puts back.
  while (!shard.clock.empty() && shard.bytes + cost > shard_capacity_) {
    auto [name, sequence] = std::move(shard.clock.front());
    shard.clock.pop_front();
    auto it = shard.entries.find(name);
    if (it == shard.entries.end() || it->second.sequence != sequence) continue;  // stale
    if (it->second.referenced) {
      it->second.referenced = false;
      shard.clock.emplace_back(std::move(name), sequence);
    } else {
      Erase(shard, it);
    }
  }
}

std::shared_ptr<const std::string> ModelCache::Lookup(const std::string& name, std::optional<int64_t> version) {
  if (!enabled()) return nullptr;
  std::shared_ptr<const std::string> bytes;
  {
    Shard& shard = ShardOf(name);
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.entries.find(name);
    if (it != shard.entries.end() && (!version.has_value() || it->second.version == *version)) {
      bytes = it->second.bytes;
      it->second.referenced = true;
    }
  }
  (bytes == nullptr ? misses_ : hits_).fetch_add(1, std::memory_order_relaxed);
  return bytes;
}

bool ModelCache::Insert(uint64_t epoch, const std::string& name, std::shared_ptr<const std::string> bytes,
                        int64_t version) {
  const absl::string_view leading = storage_internal::LeadingName(*bytes);
  if (leading != name) return false;  // not a serialized model named `name`
  const std::string_view key(leading.data(), leading.size());
  const size_t cost = Cost(name, *bytes);
  if (cost > shard_capacity_) return false;
  Shard& shard = ShardOf(name);
  std::lock_guard<std::mutex> lock(shard.mutex);
  // Checked under the shard's mutex, which Invalidate also holds: an invalidation of `name` either came first (and
  // changed the epoch) or comes after (and removes this entry).
  if (!enabled() || Epoch() != epoch) return false;
  if (auto it = shard.entries.find(name); it != shard.entries.end()) Erase(shard, it);
  MakeRoom(shard, cost);
  const uint64_t sequence = shard.next_sequence++;
  shard.entries.emplace(key, Entry{std::move(bytes), version, sequence, false});
  shard.clock.emplace_back(name, sequence);
  shard.bytes += cost;
  if (shard.clock.size() > 2 * shard.entries.size() + 1024) {
    // Drop the stale pairs that invalidations and replacements left behind.
    std::deque<std::pair<std::string, uint64_t>> live;
    for (auto& pair : shard.clock) {
      auto it = shard.entries.find(pair.first);
      if (it != shard.entries.end() && it->second.sequence == pair.second) live.push_back(std::move(pair));
    }
    shard.clock = std::move(live);
  }
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
    shard.clock.clear();
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

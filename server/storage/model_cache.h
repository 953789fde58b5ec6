// An in-memory cache of models for GetModel and BatchGetModels, bounded in bytes. Eviction approximates least
// recently used with the CLOCK (second chance) rule: a hit only marks its entry, so lookups never reorder anything;
// when room is needed, the oldest entry goes unless it was hit since it last came up, in which case it goes to the
// back of the queue unmarked.
//
// Coherence: every change to a cached model invalidates it. Writes through this process invalidate right after their
// transaction ends (ModelStore); writes by other processes arrive as PostgreSQL notifications (ModelChangeListener).
// A read that fills the cache takes Epoch() before its query and passes it to Insert: if any invalidation happened
// meanwhile, the possibly stale result is dropped. While the listener is disconnected the cache is disabled, since
// notifications may be lost. So a process reads its own writes at once, and another process's writes as soon as
// their notification arrives (milliseconds).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "modelreg/v1/model.pb.h"

namespace modelreg {

class ModelCache {
 public:
  struct Stats {
    int64_t hits = 0;
    int64_t misses = 0;
    int64_t entries = 0;
    int64_t bytes = 0;
  };

  // Holds at most about `capacity_bytes` of models. Starts disabled: see SetEnabled.
  explicit ModelCache(size_t capacity_bytes);
  ModelCache(const ModelCache&) = delete;
  ModelCache& operator=(const ModelCache&) = delete;

  // The cached model named `name` in wire form (serialized), or null when absent or the cache is disabled. With a
  // `version`, only when the cached model was read from that row version (sql::TableSql::row_version): then its bytes
  // are that row's, whatever invalidation may still be on its way.
  std::shared_ptr<const std::string> Lookup(const std::string& name, std::optional<int64_t> version = std::nullopt);

  // The invalidation counter: read it before querying the database for models to Insert.
  uint64_t Epoch() const { return epoch_.load(std::memory_order_acquire); }

  // Caches the model named `name` in wire form (`bytes`: a serialized v1::Model with its output-only fields, its name
  // first), read from the row version `version`, unless an invalidation happened since `epoch` or the cache is
  // disabled. Returns whether it was cached.
  bool Insert(uint64_t epoch, const std::string& name, std::shared_ptr<const std::string> bytes, int64_t version);

  void Invalidate(const std::string& name);
  void InvalidateAll();

  // Empties the cache and turns it on or off. While off, Lookup misses and Insert drops.
  void SetEnabled(bool enabled);
  bool enabled() const { return enabled_.load(std::memory_order_acquire); }

  // True when the cache holds at least `fraction` of its capacity.
  bool FilledTo(double fraction) const;

  Stats stats() const;

 private:
  static constexpr size_t kShards = 16;
  struct Entry {
    std::shared_ptr<const std::string> bytes;  // the serialized model
    int64_t version = 0;                       // the row version it was read from
    uint64_t sequence = 0;                     // its place in Shard::clock
    bool referenced = false;                   // hit since it last came up in Shard::clock
  };
  struct Shard {
    mutable std::mutex mutex;
    // Keyed by the model's name as it appears in its own serialized bytes (field 1 comes first), so a lookup's key
    // comparison reads the memory the response copies next and the name is not stored again.
    absl::flat_hash_map<std::string_view, Entry> entries;
    // Names in insertion order with their entry's sequence; a pair whose entry was erased or replaced since is stale
    // and skipped (and dropped in bulk when stale pairs outnumber the live ones).
    std::deque<std::pair<std::string, uint64_t>> clock;
    uint64_t next_sequence = 0;
    size_t bytes = 0;
  };

  Shard& ShardOf(const std::string& name);
  static size_t Cost(std::string_view name, const std::string& bytes);
  // Removes `it` from `shard`; the shard's mutex is held.
  static void Erase(Shard& shard, absl::flat_hash_map<std::string_view, Entry>::iterator it);
  // Evicts entries in CLOCK order until `cost` more bytes fit; the shard's mutex is held.
  void MakeRoom(Shard& shard, size_t cost) const;

  const size_t shard_capacity_;
  std::atomic<uint64_t> epoch_{0};
  std::atomic<bool> enabled_{false};
  std::atomic<int64_t> hits_{0};
  std::atomic<int64_t> misses_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace modelreg

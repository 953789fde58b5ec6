// An in-memory cache of models for GetModel, bounded in bytes, least recently used evicted first.
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
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

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

  // Copies the cached model named `name` into `out`. False when absent or the cache is disabled.
  bool Lookup(const std::string& name, v1::Model* out);
  // The cached model named `name` in wire form (serialized), or null when absent or the cache is disabled.
  std::shared_ptr<const std::string> LookupSerialized(const std::string& name);

  // The invalidation counter: read it before querying the database for models to Insert.
  uint64_t Epoch() const { return epoch_.load(std::memory_order_acquire); }

  // Caches `model` (with its output-only fields) unless an invalidation happened since `epoch` or the cache is
  // disabled. Returns whether it was cached.
  bool Insert(uint64_t epoch, const v1::Model& model);
  // The same for a model already serialized (`bytes`, named `name`).
  bool Insert(uint64_t epoch, const std::string& name, std::shared_ptr<const std::string> bytes);

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
    std::list<std::string>::iterator recency;  // position in Shard::recency
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
    std::list<std::string> recency;  // most recently used first
    size_t bytes = 0;
  };

  Shard& ShardOf(const std::string& name);
  static size_t Cost(const std::string& name, const std::string& bytes);
  // Removes `it` from `shard`; the shard's mutex is held.
  static void Erase(Shard& shard, std::unordered_map<std::string, Entry>::iterator it);

  const size_t shard_capacity_;
  std::atomic<uint64_t> epoch_{0};
  std::atomic<bool> enabled_{false};
  std::atomic<int64_t> hits_{0};
  std::atomic<int64_t> misses_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace modelreg

// The gauges of modelregd's state served on `--metrics-listen` (calls are counted by api/call_observer.h):
//   modelreg_db_pool_connections{state="in_use"|"idle_capacity"}  leased (or being opened) and free slots
//   modelreg_db_pool_waiters                                       callers waiting for a connection
//   modelreg_database_up                                           1 while the health monitor reaches the database
//   modelreg_model_cache_entries, modelreg_model_cache_bytes       GetModel's cache (absent with --model-cache-mb 0)
//   modelreg_model_cache_hits_total, modelreg_model_cache_misses_total
//   modelreg_model_change_listener_up                              1 while the cache's LISTEN connection listens
//   modelreg_grouped_creates_total, modelreg_create_groups_total   CreateModel calls group-committed, and their
//                                                                  transactions (storage/group_commit.h)
// With --read-database-url (RegisterReadReplicaMetrics):
//   modelreg_replica_up                                            1 while the last check reached a standby in recovery
//   modelreg_replica_lag_seconds                                   replay lag found by the last check (+Inf: unknown)
//   modelreg_replica_reads_total{served_by="replica"|"primary"|"fallback"}  routed reads, by where they ran
#pragma once

#include <atomic>

#include "server/common/metrics.h"
#include "server/storage/connection_pool.h"
#include "server/storage/model_cache.h"
#include "server/storage/model_store.h"
#include "server/storage/read_replica.h"

namespace modelreg {

// Registers the gauges above that read `pool`, `cache` (null when off), `models` and `database_up`; each must
// outlive every scrape of `registry`.
void RegisterServerStateMetrics(MetricsRegistry& registry, const ConnectionPool& pool, const ModelCache* cache,
                                const ModelStore& models, const std::atomic<bool>& database_up);

// Registers the read replica's series above; `replica` must outlive every scrape of `registry`.
void RegisterReadReplicaMetrics(MetricsRegistry& registry, const ReadReplica& replica);

}  // namespace modelreg

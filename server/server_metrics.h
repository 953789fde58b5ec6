// The gauges of modelregd's state served on `--metrics-listen` (calls are counted by api/call_observer.h):
//   modelreg_db_pool_connections{state="in_use"|"idle_capacity"}  leased (or being opened) and free slots
//   modelreg_db_pool_waiters                                       callers waiting for a connection
//   modelreg_database_up                                           1 while the health monitor reaches the database
//   modelreg_model_cache_entries, modelreg_model_cache_bytes       GetModel's cache (absent with --model-cache-mb 0)
//   modelreg_model_cache_hits_total, modelreg_model_cache_misses_total
//   modelreg_model_change_listener_up                              1 while the cache's LISTEN connection listens
//   modelreg_replica_lag_seconds{replica}                          per read replica, registered by whoever reads them
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "server/common/metrics.h"
#include "server/storage/connection_pool.h"
#include "server/storage/model_cache.h"

namespace modelreg {

// Registers the gauges above that read `pool`, `cache` (null when off) and `database_up`; each must outlive every
// scrape of `registry`.
void RegisterServerStateMetrics(MetricsRegistry& registry, const ConnectionPool& pool, const ModelCache* cache,
                                const std::atomic<bool>& database_up);

// The hook for read replicas: `modelreg_replica_lag_seconds{replica="<replica>"}` read from `lag_seconds` (e.g. the
// standby's replay lag as last measured) at each scrape.
void RegisterReplicaLagGauge(MetricsRegistry& registry, const std::string& replica,
                             std::function<double()> lag_seconds);

}  // namespace modelreg

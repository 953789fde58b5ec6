#include "server/server_metrics.h"

#include "absl/time/time.h"

namespace modelreg {

void RegisterServerStateMetrics(MetricsRegistry& registry, const ConnectionPool& pool, const ModelCache* cache,
                                const ModelStore& models, const std::atomic<bool>& database_up) {
  const char* const pool_help = "PostgreSQL connections of the pool: in_use (leased or being opened), idle_capacity";
  registry.AddGauge("modelreg_db_pool_connections", pool_help, {{"state", "in_use"}},
                    [&pool] { return pool.usage().in_use; });
  registry.AddGauge("modelreg_db_pool_connections", pool_help, {{"state", "idle_capacity"}},
                    [&pool] { return pool.size() - pool.usage().in_use; });
  registry.AddGauge("modelreg_db_pool_waiters", "Callers waiting for a pooled PostgreSQL connection", {},
                    [&pool] { return pool.usage().waiting; });
  registry.AddGauge("modelreg_database_up", "1 while the database answers the health monitor's ping (every second)", {},
                    [&database_up] { return database_up.load() ? 1 : 0; });
  registry.AddCounterCallback("modelreg_grouped_creates_total",
                              "CreateModel calls written by the group commit (those without a request id)", {},
                              [&models] { return static_cast<double>(models.CreateGroupStats().calls); });
  registry.AddCounterCallback("modelreg_create_groups_total",
                              "Transactions of the CreateModel group commit (grouped creates / groups: mean group)", {},
                              [&models] { return static_cast<double>(models.CreateGroupStats().flushes); });
  if (cache == nullptr) return;
  registry.AddGauge("modelreg_model_cache_entries", "Models in GetModel's cache", {},
                    [cache] { return static_cast<double>(cache->stats().entries); });
  registry.AddGauge("modelreg_model_cache_bytes", "Bytes of the models in GetModel's cache", {},
                    [cache] { return static_cast<double>(cache->stats().bytes); });
  registry.AddCounterCallback("modelreg_model_cache_hits_total",
                              "GetModel and BatchGetModels lookups answered by the cache", {},
                              [cache] { return static_cast<double>(cache->stats().hits); });
  registry.AddCounterCallback("modelreg_model_cache_misses_total",
                              "GetModel and BatchGetModels lookups the cache could not answer", {},
                              [cache] { return static_cast<double>(cache->stats().misses); });
  // The cache is enabled exactly while its change listener's LISTEN connection is up (storage/model_change_listener.h).
  registry.AddGauge("modelreg_model_change_listener_up",
                    "1 while the model cache's LISTEN connection listens (the cache is off while it is down)", {},
                    [cache] { return cache->enabled() ? 1 : 0; });
}

void RegisterReadReplicaMetrics(MetricsRegistry& registry, const ReadReplica& replica) {
  registry.AddGauge("modelreg_replica_up",
                    "1 while the last check of --read-database-url reached a standby in recovery", {},
                    [&replica] { return replica.stats().reachable ? 1 : 0; });
  registry.AddGauge("modelreg_replica_lag_seconds",
                    "Replay lag of the read replica found by its last check (+Inf: unknown)", {},
                    [&replica] { return absl::ToDoubleSeconds(replica.stats().lag); });
  const char* const reads_help =
      "Reads routable to the read replica, by where they ran: replica, primary (lag or unreachable), fallback (failed "
      "or behind on the replica, run again on the primary)";
  registry.AddCounterCallback("modelreg_replica_reads_total", reads_help, {{"served_by", "replica"}},
                              [&replica] { return static_cast<double>(replica.stats().replica_reads); });
  registry.AddCounterCallback("modelreg_replica_reads_total", reads_help, {{"served_by", "primary"}},
                              [&replica] { return static_cast<double>(replica.stats().primary_reads); });
  registry.AddCounterCallback("modelreg_replica_reads_total", reads_help, {{"served_by", "fallback"}},
                              [&replica] { return static_cast<double>(replica.stats().fallbacks); });
}

}  // namespace modelreg

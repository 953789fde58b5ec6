// modelregd: the modelreg server.
//
//   modelregd [serve]   migrate the database, load the shipped catalog, serve gRPC until SIGINT/SIGTERM
//   modelregd migrate   apply pending migrations and exit
//   modelregd reassess  recompute stored openness assessments made by other rules versions and exit
//   modelregd tokens create --principal NAME --role ROLE [--scope SCOPE] [--expires 90d]
//                       create an API token on the database directly and print its secret on stdout
//   modelregd tokens list | tokens revoke NAME
//
// Without --database-url it runs its own PostgreSQL cluster in --data-dir (the embedded default).
#include <fcntl.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.pb.h"
#include "modelreg/v1/admin.grpc.pb.h"
#include "modelreg/v1/governance.grpc.pb.h"
#include "modelreg/v1/history.grpc.pb.h"
#include "modelreg/v1/license_catalog.grpc.pb.h"
#include "modelreg/v1/model_registry.grpc.pb.h"
#include "modelreg/v1/usage_checker.grpc.pb.h"
#include "server/api/admin_service.h"
#include "server/api/call_auth.h"
#include "server/api/call_observer.h"
#include "server/api/governance_adapter.h"
#include "server/api/history_adapter.h"
#include "server/api/license_catalog_service.h"
#include "server/api/malformed_request.h"
#include "server/api/model_registry_service.h"
#include "server/api/server_credentials.h"
#include "server/api/server_limits.h"
#include "server/api/usage_checker_service.h"
#include "server/common/command_line.h"
#include "server/common/duration_text.h"
#include "server/common/logging.h"
#include "server/common/memory_trim.h"
#include "server/common/metrics.h"
#include "server/common/metrics_http_server.h"
#include "server/common/status_macros.h"
#include "server/domain/auth/token_args.h"
#include "server/graceful_shutdown.h"
#include "server/server_metrics.h"
#include "server/service/catalog_sync.h"
#include "server/service/change_feed.h"
#include "server/service/idempotent_calls.h"
#include "server/service/license_reassessor.h"
#include "server/service/license_service.h"
#include "server/service/model_reader.h"
#include "server/service/model_service.h"
#include "server/service/revision_retention.h"
#include "server/service/token_service.h"
#include "server/service/usage_service.h"
#include "server/storage/connection_pool.h"
#include "server/storage/embedded_postgres.h"
#include "server/storage/governance_store.h"
#include "server/storage/history_store.h"
#include "server/storage/license_store.h"
#include "server/storage/migrator.h"
#include "server/storage/model_cache.h"
#include "server/storage/model_change_listener.h"
#include "server/storage/model_store.h"
#include "server/storage/read_replica.h"
#include "server/storage/reassessment_store.h"
#include "server/storage/request_id_store.h"
#include "server/storage/token_store.h"
#include "server/storage/transaction.h"

#ifdef MODELREG_WITH_JEMALLOC
// jemalloc's options, read when it starts (server/CMakeLists.txt links it): pages freed after a burst go back to the
// system within about a second, as glibc's trimmer does (server/common/memory_trim.h), and at most one arena per
// core, as LimitMallocArenas does for glibc.
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's documented configuration symbol.
extern "C" {
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:2";
}
#endif

ABSL_FLAG(std::string, listen, "127.0.0.1:7411", "gRPC listen address, host:port (port 0 picks a free port)");
ABSL_FLAG(std::string, database_url, "",
          "PostgreSQL libpq URI; empty runs the embedded default: a private cluster in --data-dir");
ABSL_FLAG(
    std::string, data_dir, "",
    "Directory of the embedded PostgreSQL cluster (default $XDG_DATA_HOME/modelreg, else ~/.local/share/modelreg; "
    "/var/lib/modelreg for root)");
ABSL_FLAG(int, pool_size, 16, "Number of PostgreSQL connections");
ABSL_FLAG(std::string, read_database_url, "",
          "PostgreSQL libpq URI of streaming standbys (e.g. with target_session_attrs=prefer-standby) serving List "
          "calls and GetModel cache misses while their replay lag is under --max-replica-lag; empty: all reads on "
          "--database-url. Opens --pool-size more connections");
ABSL_FLAG(absl::Duration, max_replica_lag, absl::Seconds(1),
          "With --read-database-url: reads go to the primary while the standby's replay lag (checked every 200 ms) "
          "is over this");
ABSL_FLAG(int, reassess_batch, 1000,
          "Models reassessed per transaction by the background reassessment after a license update");
ABSL_FLAG(int, read_threads, 2, "Threads serving GetModel cache misses, each with one batched query at a time");
ABSL_FLAG(int, model_cache_mb, 1024,
          "Memory for cached models served by GetModel, in MiB (0: no cache); warmed at start-up, kept coherent "
          "through PostgreSQL notifications");
ABSL_FLAG(absl::Duration, max_statement_timeout, absl::Seconds(30),
          "Longest a database statement of a call may run (less when the call's deadline is nearer); 0 = no cap");
ABSL_FLAG(absl::Duration, lock_timeout, absl::Seconds(5),
          "Longest a database statement waits for a lock before the call fails with ABORTED; 0 = no limit");
ABSL_FLAG(absl::Duration, request_id_retention, absl::Hours(24),
          "How long a mutation's request_id is remembered (a retry within it returns the first result); older ones "
          "are deleted every few minutes");
ABSL_FLAG(std::string, revision_retention, "0",
          "How long the history keeps revisions, e.g. 365d (d, h, m or s); 0: unlimited. Hourly, revisions older than "
          "that are deleted unless a read as of a time within it still needs them (each resource keeps its last "
          "revision before the cutoff); reads as of an earlier time are OUT_OF_RANGE");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "On SIGTERM/SIGINT: how long in-flight calls may still run; 1 s before its end (half-way through a shorter "
          "one) their database statements are cancelled (rolled back, the calls end UNAVAILABLE); then the embedded "
          "PostgreSQL stops");
ABSL_FLAG(std::string, change_retention, "7d",
          "How far back WatchChanges replays, e.g. 7d, 12h (d, h, m or s): resuming after an older sequence is "
          "OUT_OF_RANGE; at most --revision-retention");
ABSL_FLAG(absl::Duration, watch_stall_timeout, absl::Seconds(30),
          "A WatchChanges consumer whose buffer stays full this long is cut off (RESOURCE_EXHAUSTED)");
ABSL_FLAG(int, watch_buffer, 1000, "Changes buffered per WatchChanges stream");
ABSL_FLAG(bool, load_catalog, true, "Load the shipped license and model catalog at start (idempotent)");
ABSL_FLAG(std::string, port_file, "", "Write the bound port to this file once serving (for tests and scripts)");
ABSL_FLAG(bool, verbose, false, "Log debug lines");
ABSL_FLAG(std::string, log_format, "text",
          "text: `TIME LEVEL message key=value`; json: one object per line with time, level, message and the line's "
          "fields");
ABSL_FLAG(bool, log_calls, false,
          "Log one line per call (method, code, duration in seconds, principal, request_id) at INFO");
ABSL_FLAG(std::string, metrics_listen, "",
          "Serve Prometheus metrics on http://ADDRESS/metrics, e.g. 127.0.0.1:9411 (port 0 picks a free one, logged); "
          "empty: off");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain: serve gRPC over TLS (with --tls-key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificates: require every client to present a certificate signed by one of them (mTLS)");
ABSL_FLAG(std::string, tls_client_bindings, "",
          "YAML file binding client certificate subjects to roles, like tokens (needs --tls-client-ca): a call "
          "without a token acts as its certificate's bound principal");
ABSL_FLAG(bool, insecure, false, "Allow serving a non-loopback --listen address without TLS");
ABSL_FLAG(
    bool, allow_anonymous_read, false,
    "Let callers without a token use the read methods (Get, List, Classify, CheckUsage); a bad token still fails");
ABSL_FLAG(std::string, auth, "on",
          "on: every call but health and reflection needs a bearer token; off: INSECURE, no authentication or "
          "authorization at all (benchmarks on a trusted loopback only)");
ABSL_FLAG(int, token_cache_seconds, 5, "How long a token lookup is reused; a revocation takes effect within this time");
ABSL_FLAG(std::string, principal, "", "tokens create: who uses the token");
ABSL_FLAG(std::string, role, "", "tokens create: viewer, editor or admin");
ABSL_FLAG(std::string, scope, "*", "tokens create: the role's scope: *, licenses, publishers/{publisher}");
ABSL_FLAG(std::string, expires, "", "tokens create: lifetime, e.g. 90d, 12h, 30m (default: never)");
ABSL_FLAG(std::string, license, "",
          "reassess only: recompute every model using this license (id or licenses/{id}), whatever its rules version");
// Limits on calls and connections (server/api/server_limits.h; each with its error in proto/README.md "Limits").
ABSL_FLAG(int64_t, max_message_bytes, modelreg::kDefaultMaxMessageBytes,
          "Largest request accepted and response sent, in bytes (List pages and batch responses keep their records "
          "under 3/4 of it)");
ABSL_FLAG(int, max_concurrent_calls_per_connection, 100,
          "Calls one connection may have in flight (HTTP/2 max concurrent streams); further ones wait in the client");
ABSL_FLAG(int, max_threads, 128,
          "Threads running calls; a call arriving when none is free is RESOURCE_EXHAUSTED (SERVER_BUSY) at once");
ABSL_FLAG(absl::Duration, default_deadline, modelreg::kDefaultCallTimeout,
          "Deadline of a call whose client set none (bounds its database work); 0 = none");

namespace modelreg {
namespace {

// Most GetModel calls answered by one query (names in its `= ANY($1)` array).
constexpr int kMaxReadBatch = 256;

// malloc_trim once malloc holds this much freed memory (checked every second).
constexpr size_t kTrimFreeBytes = size_t{32} << 20;

ServerLimits ServerLimitsFromFlags() {
  ServerLimits limits;
  limits.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  limits.max_concurrent_calls_per_connection = absl::GetFlag(FLAGS_max_concurrent_calls_per_connection);
  limits.max_threads = absl::GetFlag(FLAGS_max_threads);
  limits.default_deadline = absl::GetFlag(FLAGS_default_deadline);
  // Enough polling threads for the synchronous handlers (each waiting on PostgreSQL) that gRPC does not create and
  // destroy a thread per call: measured +40% throughput at 64 callers when GetModel was synchronous.
  limits.pollers = std::max(1, absl::GetFlag(FLAGS_pool_size));
  return limits;
}

// The issue's default is $XDG_DATA_HOME/modelreg or ~/.local/share/modelreg. As root the cluster runs as the
// unprivileged `postgres` user, which cannot enter /root, so root's default is /var/lib/modelreg instead.
std::string DefaultDataDir() {
  if (geteuid() == 0 && std::getenv("XDG_DATA_HOME") == nullptr) return "/var/lib/modelreg";
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return absl::StrCat(xdg, "/modelreg");
  }
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr ? home : ".", "/.local/share/modelreg");
}

// Blocks SIGINT and SIGTERM in every thread; WaitForSignal() returns the first one delivered.
class SignalWaiter {
 public:
  SignalWaiter() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  int WaitForSignal() {
    int signal = 0;
    sigwait(&set_, &signal);
    return signal;
  }

 private:
  sigset_t set_{};
};

// The services whose health status is reported by name (besides the overall "").
constexpr const char* kServedServices[] = {
    v1::ModelRegistry::service_full_name(), v1::LicenseCatalog::service_full_name(),
    v1::UsageChecker::service_full_name(),  v1::Admin::service_full_name(),
    v1::Governance::service_full_name(),    v1::History::service_full_name(),
};

// Marks the health service (overall and every service of kServedServices) NOT_SERVING while the database does not
// answer, and, for the embedded default, starts its PostgreSQL again when it died (EmbeddedPostgres::RestartIfDown).
// Checks every second; `database_up` follows (for metrics).
class HealthMonitor {
 public:
  HealthMonitor(ConnectionPool* pool, grpc::HealthCheckServiceInterface* health, EmbeddedPostgres* embedded,
                std::atomic<bool>* database_up)
      : pool_(pool), health_(health), embedded_(embedded), database_up_(database_up) {
    thread_ = std::thread([this] { Run(); });
  }
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;
  ~HealthMonitor() {
    Stop();
    thread_.join();
  }
  // From now on the monitor changes nothing (health status, PostgreSQL); the destructor waits for its thread.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
  }

 private:
  void Run() {
    bool serving = true;
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      const absl::Status ping = pool_->Ping();
      if (!ping.ok() && embedded_ != nullptr && !stopping()) {
        if (absl::Status restarted = embedded_->RestartIfDown(); !restarted.ok()) {
          MODELREG_LOG(WARNING) << "embedded PostgreSQL: " << restarted;
        }
      }
      lock.lock();
      if (stopping_) break;
      database_up_->store(ping.ok());
      if (ping.ok() != serving) {
        serving = ping.ok();
        health_->SetServingStatus(serving);
        if (serving) {
          MODELREG_LOG(INFO) << "database reachable again: SERVING";
        } else {
          MODELREG_LOG(WARNING) << "database unreachable (" << ping << "): NOT_SERVING";
        }
      }
      wake_.wait_for(lock, std::chrono::seconds(1));
    }
  }

  bool stopping() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_;
  }

  ConnectionPool* pool_;
  grpc::HealthCheckServiceInterface* health_;
  EmbeddedPostgres* embedded_;
  std::atomic<bool>* database_up_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// Recomputes the derived columns of rows written by another version of the resource descriptions (a column added,
// a rule changed), so filters see every row as the current code derives it. Resumable: each batch commits.
absl::Status BackfillDerivedColumns(ConnectionPool* pool) {
  MODELREG_ASSIGN_OR_RETURN(int64_t licenses, LicenseStore(pool).Backfill());
  MODELREG_ASSIGN_OR_RETURN(int64_t models, ModelStore(pool).Backfill());
  MODELREG_ASSIGN_OR_RETURN(int64_t governance, GovernanceStore(pool).Backfill());
  if (licenses + models + governance > 0) {
    MODELREG_LOG(INFO) << "derived columns recomputed: " << licenses << " licenses, " << models << " models, "
                       << governance << " organizations, deployments and policies";
  }
  return absl::OkStatus();
}

// The embedded default's first start: with no token yet, create an admin token and write it to
// <data-dir>/admin.token (mode 0600). Logs the file's path, never the token.
absl::Status BootstrapAdminToken(TokenService* tokens, TokenStore* store, const std::string& data_dir) {
  const std::string path = data_dir + "/admin.token";
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Token> existing, store->List("", 1));
  if (!existing.empty()) return absl::OkStatus();
  v1::CreateTokenRequest request;
  request.mutable_token()->set_principal("admin");
  v1::TokenBinding* binding = request.mutable_token()->add_bindings();
  binding->set_role(v1::ROLE_ADMIN);
  binding->set_scope("*");
  MODELREG_ASSIGN_OR_RETURN(v1::CreateTokenResponse created, tokens->CreateToken(request));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
  if (fd < 0) return absl::FailedPreconditionError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  const std::string line = created.secret() + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fchmod(fd, 0600);
  ::close(fd);
  if (!written) return absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
  MODELREG_LOG(INFO) << "first start: admin token " << created.token().name() << " written to " << path
                     << " (mode 0600)";
  return absl::OkStatus();
}

// `modelregd tokens create|list|revoke`: token management on the database directly (bootstrap, recovery).
absl::Status RunTokens(ConnectionPool* pool, const std::vector<std::string>& args) {
  TokenStore store(pool);
  TokenService tokens(&store);
  const std::string& verb = args.size() > 2 ? args[2] : "";
  if (verb == "create") {
    v1::CreateTokenRequest request;
    request.mutable_token()->set_principal(absl::GetFlag(FLAGS_principal));
    MODELREG_ASSIGN_OR_RETURN(v1::Role role, ParseRoleName(absl::GetFlag(FLAGS_role)));
    v1::TokenBinding* binding = request.mutable_token()->add_bindings();
    binding->set_role(role);
    binding->set_scope(absl::GetFlag(FLAGS_scope));
    MODELREG_ASSIGN_OR_RETURN(absl::Duration ttl, ParseTokenLifetime(absl::GetFlag(FLAGS_expires)));
    request.mutable_ttl()->set_seconds(absl::ToInt64Seconds(ttl));
    MODELREG_ASSIGN_OR_RETURN(v1::CreateTokenResponse created, tokens.CreateToken(request));
    MODELREG_LOG(INFO) << "created " << created.token().name() << " for " << created.token().principal();
    std::cout << created.secret() << std::endl;
    return absl::OkStatus();
  }
  if (verb == "list") {
    v1::ListTokensRequest request;
    while (true) {
      MODELREG_ASSIGN_OR_RETURN(v1::ListTokensResponse page, tokens.ListTokens(request));
      for (const v1::Token& token : page.tokens()) {
        std::cout << token.name() << "\t" << token.principal();
        for (const auto& b : token.bindings()) std::cout << "\t" << RoleShortName(b.role()) << "@" << b.scope();
        if (token.has_revoke_time()) std::cout << "\trevoked";
        std::cout << "\n";
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return absl::OkStatus();
  }
  if (verb == "revoke" && args.size() == 4) {
    v1::RevokeTokenRequest request;
    request.set_name(args[3].rfind("tokens/", 0) == 0 ? args[3] : "tokens/" + args[3]);
    MODELREG_ASSIGN_OR_RETURN(v1::Token token, tokens.RevokeToken(request));
    MODELREG_LOG(INFO) << "revoked " << token.name();
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      "usage: modelregd tokens create --principal NAME --role ROLE [--scope S] "
      "[--expires 90d] | tokens list | tokens revoke NAME");
}

// --revision-retention: zero when `0` (unlimited).
absl::StatusOr<absl::Duration> RevisionRetentionFromFlag() {
  const std::string text = absl::GetFlag(FLAGS_revision_retention);
  if (text == "0") return absl::ZeroDuration();
  return ParseDurationText(text, "--revision-retention");
}

// --change-retention; INVALID_ARGUMENT when it reaches back further than the history is kept (a resumed watcher would
// silently miss the revisions the retention deleted).
absl::StatusOr<absl::Duration> ChangeRetentionFromFlags(absl::Duration revision_retention) {
  MODELREG_ASSIGN_OR_RETURN(const absl::Duration retention,
                            ParseDurationText(absl::GetFlag(FLAGS_change_retention), "--change-retention"));
  if (revision_retention > absl::ZeroDuration() && retention > revision_retention) {
    return absl::InvalidArgumentError("--change-retention must not be longer than --revision-retention");
  }
  return retention;
}

absl::Status Serve(ConnectionPool* pool, SignalWaiter* signals,
                   const std::shared_ptr<grpc::ServerCredentials>& credentials, const CertificateBindings* certificates,
                   EmbeddedPostgres* embedded) {
  const int cache_mb = std::max(0, absl::GetFlag(FLAGS_model_cache_mb));
  ModelCache cache(static_cast<size_t>(cache_mb) << 20);
  std::unique_ptr<ReadReplica> read_replica;
  if (const std::string read_url = absl::GetFlag(FLAGS_read_database_url); !read_url.empty()) {
    ReadReplica::Options replica_options;
    replica_options.url = read_url;
    replica_options.pool_size = std::max(1, absl::GetFlag(FLAGS_pool_size));
    replica_options.max_lag = absl::GetFlag(FLAGS_max_replica_lag);
    replica_options.cache = cache_mb > 0 ? &cache : nullptr;
    read_replica = std::make_unique<ReadReplica>(pool, replica_options);
    // The URL may hold a password: not logged.
    MODELREG_LOG(INFO) << "read replica: List calls and GetModel cache misses on --read-database-url within "
                       << absl::FormatDuration(replica_options.max_lag) << " of replay lag";
  }
  ModelStore model_store(pool, cache_mb > 0 ? &cache : nullptr);
  LicenseStore license_store(pool);
  RequestIdStore request_id_store(pool);
  IdempotentCalls::Options idempotency;
  idempotency.retention = absl::GetFlag(FLAGS_request_id_retention);
  IdempotentCalls calls(&request_id_store, idempotency);
  calls.StartPruning();
  ModelService model_service(&model_store, &license_store, &calls);
  LicenseService license_service(&license_store, &model_service, &calls);
  ReassessmentStore reassessment_store(pool);
  LicenseReassessor::Options reassessor_options;
  reassessor_options.batch = std::max(1, absl::GetFlag(FLAGS_reassess_batch));
  LicenseReassessor reassessor(&reassessment_store, &model_service, reassessor_options);
  license_service.set_reassessment(&reassessment_store, [&reassessor] { reassessor.Wake(); });
  GovernanceStore governance_store(pool);
  HistoryStore history_store(pool, cache_mb > 0 ? &cache : nullptr);
  MODELREG_ASSIGN_OR_RETURN(const absl::Duration revision_retention, RevisionRetentionFromFlag());
  HistoryService history_service(&history_store, &calls, revision_retention);
  model_service.set_revision_retention(revision_retention);
  std::unique_ptr<RevisionRetention> retention;
  if (revision_retention > absl::ZeroDuration()) {
    RevisionRetention::Options retention_options;
    retention_options.retention = revision_retention;
    retention = std::make_unique<RevisionRetention>(&history_store, retention_options);
    retention->Start();
  }
  UsageService usage_service(&model_store, &license_store, &governance_store);
  TokenStore token_store(pool);
  TokenService::Options token_options;
  token_options.cache_ttl = absl::Seconds(std::max(0, absl::GetFlag(FLAGS_token_cache_seconds)));
  TokenService token_service(&token_store, token_options, &calls);
  CallAuth::Options auth_options;
  auth_options.allow_anonymous_read = absl::GetFlag(FLAGS_allow_anonymous_read);
  auth_options.disabled = absl::GetFlag(FLAGS_auth) == "off";
  auth_options.certificates = certificates;
  if (auth_options.disabled) {
    MODELREG_LOG(WARNING) << "--auth=off: INSECURE, every caller may do everything";
  } else if (embedded != nullptr) {
    MODELREG_RETURN_IF_ERROR(BootstrapAdminToken(&token_service, &token_store, embedded->data_dir()));
  }
  if (auth_options.allow_anonymous_read) MODELREG_LOG(WARNING) << "--allow-anonymous-read: reads need no token";
  CallAuth auth(&token_service, auth_options);

  MODELREG_ASSIGN_OR_RETURN(int64_t reassessed, model_service.Reassess());
  if (reassessed > 0)
    MODELREG_LOG(INFO) << "reassessed " << reassessed << " models with rules version " << kRulesVersion;
  if (absl::GetFlag(FLAGS_load_catalog)) {
    MODELREG_ASSIGN_OR_RETURN(CatalogSyncReport report, SyncShippedCatalog(&license_service, &model_service));
    MODELREG_LOG(INFO) << "catalog: " << report.Summary();
  }
  // From here on, reads that may lag go to the standby; the start-up work above, which writes after its reads, did
  // not.
  model_store.set_read_replica(read_replica.get());
  license_store.set_read_replica(read_replica.get());
  governance_store.set_read_replica(read_replica.get());

  reassessor.Start();  // resumes what a restart interrupted, takes what the catalog sync queued
  std::unique_ptr<ModelChangeListener> listener;
  if (cache_mb > 0) listener = std::make_unique<ModelChangeListener>(pool->url(), &cache, &model_store);
  // Declared before the server so that it outlives every GetModel call.
  ModelReader reader(&model_store, absl::GetFlag(FLAGS_read_threads), kMaxReadBatch);
  ModelRegistryService registry(&model_service, &reader, &history_service, &auth);
  LicenseCatalogService catalog(&license_service, &history_service, &auth);
  AdminService admin(&token_service, &auth);
  UsageCheckerService usage_checker(&usage_service, &auth);
  GovernanceService governance_service(&governance_store, &usage_service, &calls);
  governance_service.set_revision_retention(revision_retention);
  GovernanceAdapter governance(&governance_service, &history_service, &auth);
  ChangeFeed::Options feed_options;
  feed_options.database_url = pool->url();
  MODELREG_ASSIGN_OR_RETURN(feed_options.retention, ChangeRetentionFromFlags(revision_retention));
  feed_options.stall_timeout = absl::GetFlag(FLAGS_watch_stall_timeout);
  feed_options.buffer_events = absl::GetFlag(FLAGS_watch_buffer);
  ChangeFeed feed(feed_options);
  HistoryAdapter history(&history_service, &feed, &auth);
  // Links the health service's descriptors into the generated pool, which server reflection answers from.
  static_cast<void>(grpc::health::v1::HealthCheckRequest::descriptor());
  MetricsRegistry metrics;
  std::atomic<bool> database_up{true};
  const bool metrics_on = !absl::GetFlag(FLAGS_metrics_listen).empty();
  // Declared after what its gauges read, so destroyed before; listening before gRPC does, so a bad address fails
  // before any call is served.
  std::unique_ptr<MetricsHttpServer> metrics_server;
  if (metrics_on) {
    RegisterServerStateMetrics(metrics, *pool, cache_mb > 0 ? &cache : nullptr, model_store, database_up);
    if (read_replica != nullptr) RegisterReadReplicaMetrics(metrics, *read_replica);
    MODELREG_ASSIGN_OR_RETURN(metrics_server, MetricsHttpServer::Start(absl::GetFlag(FLAGS_metrics_listen),
                                                                       [&metrics] { return metrics.Render(); }));
    MODELREG_LOG(INFO) << "metrics on port " << metrics_server->port() << " (http://"
                       << absl::GetFlag(FLAGS_metrics_listen) << "/metrics)";
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  ApplyServerLimits(ServerLimitsFromFlags(), builder);
  // Gives back what bursts of calls freed (server/common/memory_trim.h).
  const MemoryTrimmer trimmer(kTrimFreeBytes, absl::Seconds(1));
  // Without this, gRPC sets SO_REUSEPORT and a second modelregd on the same port would share it silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen), credentials, &port);
  builder.RegisterService(&registry);
  builder.RegisterService(&catalog);
  builder.RegisterService(&usage_checker);
  InstallMalformedRequestHandling(builder,
                                  MakeCallObserver({metrics_on ? &metrics : nullptr, absl::GetFlag(FLAGS_log_calls)}));
  builder.RegisterService(&admin);
  builder.RegisterService(&governance);
  builder.RegisterService(&history);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::string why = DiagnoseListenFailure(absl::GetFlag(FLAGS_listen));
    if (why.empty() && !absl::GetFlag(FLAGS_tls_cert).empty()) why = "is --tls-key the key of --tls-cert?";
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", absl::GetFlag(FLAGS_listen), why.empty() ? "" : ": ", why));
  }
  // Every service starts SERVING (the database answered the migrations); from then on the HealthMonitor's and the
  // shutdown's SetServingStatus(bool) move them all together with the overall status.
  for (const char* service : kServedServices) server->GetHealthCheckService()->SetServingStatus(service, true);
  MODELREG_LOG(INFO) << "modelregd serving on port " << port << " (" << absl::GetFlag(FLAGS_listen) << ")";
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file); !port_file.empty()) {
    std::ofstream(port_file) << port << "\n";
  }
  HealthMonitor monitor(pool, server->GetHealthCheckService(), embedded, &database_up);
  const int signal = signals->WaitForSignal();
  monitor.Stop();
  reassessor.Stop();  // after its current batch; the rest stays queued for the next start or another replica
  feed.Shutdown();    // change streams end at once (UNAVAILABLE); their consumers resume elsewhere
  const absl::Duration grace = absl::GetFlag(FLAGS_shutdown_grace);
  MODELREG_LOG(INFO) << "signal " << signal << ": NOT_SERVING, refusing new calls; in-flight calls have "
                     << absl::FormatDuration(grace) << " to finish";
  const ShutdownReport report = ShutDownGracefully(*server, *pool, grace);
  if (report.cancelled) {
    MODELREG_LOG(WARNING) << "grace period ending: cancelled the running database statements ("
                          << report.cancel_requests << " cancel requests); their calls were rolled back";
  }
  MODELREG_LOG(INFO) << "gRPC server stopped after "
                     << absl::FormatDuration(absl::Trunc(report.took, absl::Milliseconds(1)));
  return absl::OkStatus();
}

absl::Status Run(const std::vector<std::string>& args) {
  const std::string& command = args[1];
  if (const std::string auth = absl::GetFlag(FLAGS_auth); auth != "on" && auth != "off") {
    return absl::InvalidArgumentError("--auth: expected on or off");
  }
  if (absl::GetFlag(FLAGS_request_id_retention) <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--request-id-retention: must be positive (default 24h)");
  }
  MODELREG_RETURN_IF_ERROR(CheckServerLimits(ServerLimitsFromFlags()));
  MODELREG_ASSIGN_OR_RETURN(const absl::Duration revision_retention, RevisionRetentionFromFlag());
  MODELREG_RETURN_IF_ERROR(ChangeRetentionFromFlags(revision_retention).status());
  if (absl::GetFlag(FLAGS_shutdown_grace) < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown-grace: must not be negative");
  }
  if (const std::string format = absl::GetFlag(FLAGS_log_format); format != "text" && format != "json") {
    return absl::InvalidArgumentError("--log-format: expected text or json");
  }
  if (absl::GetFlag(FLAGS_max_replica_lag) < absl::Milliseconds(400)) {
    return absl::InvalidArgumentError("--max-replica-lag: at least 400ms (the lag is checked every 200 ms)");
  }
  if (absl::GetFlag(FLAGS_watch_stall_timeout) <= absl::ZeroDuration() || absl::GetFlag(FLAGS_watch_buffer) < 1) {
    return absl::InvalidArgumentError("--watch-stall-timeout must be positive, --watch-buffer at least 1");
  }
  // Before the threads start: fewer malloc arenas, a lower peak under bursts (server/common/memory_trim.h).
  LimitMallocArenas(static_cast<int>(std::max(2U, std::thread::hardware_concurrency())));
  SignalWaiter signals;
  SetStatementLimits({absl::GetFlag(FLAGS_max_statement_timeout), absl::GetFlag(FLAGS_lock_timeout)});
  // Transport security is checked before the database starts, so that a bad flag fails at once.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  std::optional<CertificateBindings> certificates;
  if (command == "serve") {
    const ServerTlsOptions tls{absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                               absl::GetFlag(FLAGS_tls_client_ca)};
    MODELREG_RETURN_IF_ERROR(
        CheckListenSecurity(absl::GetFlag(FLAGS_listen), tls.enabled(), absl::GetFlag(FLAGS_insecure)));
    MODELREG_ASSIGN_OR_RETURN(credentials, BuildServerCredentials(tls));
    if (const std::string path = absl::GetFlag(FLAGS_tls_client_bindings); !path.empty()) {
      MODELREG_ASSIGN_OR_RETURN(certificates, ReadCertificateBindings(path, tls));
      MODELREG_LOG(INFO) << "client certificates: " << certificates->size() << " subjects bound to roles (" << path
                         << ")";
    }
    MODELREG_LOG(INFO) << "transport: "
                       << (!tls.enabled()               ? "plaintext"
                           : tls.client_ca_file.empty() ? "TLS"
                                                        : "TLS, client certificates required (mTLS)");
  }
  std::unique_ptr<EmbeddedPostgres> embedded;
  std::string url = absl::GetFlag(FLAGS_database_url);
  if (url.empty()) {
    std::string data_dir = absl::GetFlag(FLAGS_data_dir);
    if (data_dir.empty()) data_dir = DefaultDataDir();
    EmbeddedPostgres::Options options;
    options.attach_if_locked = command != "serve";  // migrate/reassess use a running server's cluster
    MODELREG_ASSIGN_OR_RETURN(embedded, EmbeddedPostgres::Start(data_dir, options));
    url = embedded->url();
    MODELREG_LOG(INFO) << "embedded PostgreSQL running in " << data_dir;
  }
  MODELREG_ASSIGN_OR_RETURN(std::unique_ptr<ConnectionPool> pool,
                            ConnectionPool::Create(url, std::max(1, absl::GetFlag(FLAGS_pool_size))));
  MODELREG_RETURN_IF_ERROR(ApplyMigrations(*pool));
  MODELREG_RETURN_IF_ERROR(BackfillDerivedColumns(pool.get()));
  if (command == "migrate") {
    MODELREG_LOG(INFO) << "migrations applied";
    return absl::OkStatus();
  }
  if (command == "reassess") {
    ModelStore model_store(pool.get());
    LicenseStore license_store(pool.get());
    ModelService model_service(&model_store, &license_store);
    MODELREG_ASSIGN_OR_RETURN(int64_t count, model_service.Reassess(absl::GetFlag(FLAGS_license)));
    MODELREG_LOG(INFO) << "reassessed " << count << " models with rules version " << kRulesVersion;
    return absl::OkStatus();
  }
  if (command == "tokens") return RunTokens(pool.get(), args);
  return Serve(pool.get(), &signals, credentials, certificates.has_value() ? &*certificates : nullptr, embedded.get());
}

}  // namespace
}  // namespace modelreg

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "modelreg server.\nUsage: modelregd [serve|migrate|reassess] [--flag=value ...]\n"
      "       modelregd tokens create --principal NAME --role ROLE [--scope SCOPE] [--expires 90d]\n"
      "       modelregd tokens list | modelregd tokens revoke NAME");
  std::vector<std::string> args = modelreg::ParseCommandLineAcceptingDashes(argc, argv);
  if (args.size() < 2) args.push_back("serve");
  const std::string command = args[1];
  if (command != "serve" && command != "migrate" && command != "reassess" && command != "tokens") {
    std::fprintf(stderr, "modelregd: unknown command `%s` (serve, migrate, reassess, tokens)\n", command.c_str());
    return 2;
  }
  if (command != "tokens" && args.size() > 2) {
    std::fprintf(stderr, "modelregd: expected at most one command (serve, migrate, reassess)\n");
    return 2;
  }
  if (command == "tokens" && (args.size() < 3 || args.size() > 4)) {
    std::fprintf(stderr, "modelregd: expected `tokens create|list|revoke NAME`\n");
    return 2;
  }
  // Debian's abseil checks every mutex acquisition for lock-order cycles; that costs ~10% of a GetModel.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (absl::GetFlag(FLAGS_verbose)) modelreg::SetMinLogLevel(modelreg::LogLevel::kDebug);
  if (absl::GetFlag(FLAGS_log_format) == "json") modelreg::SetLogFormat(modelreg::LogFormat::kJson);
  const absl::Status status = modelreg::Run(args);
  if (!status.ok()) {
    MODELREG_LOG(ERROR) << "modelregd: " << status;
    return 1;
  }
  return 0;
}

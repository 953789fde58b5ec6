// modelregd: the modelreg server.
//
//   modelregd [serve]   migrate the database, load the shipped catalog, serve gRPC until SIGINT/SIGTERM
//   modelregd migrate   apply pending migrations and exit
//   modelregd reassess  recompute stored openness assessments made by other rules versions and exit
//
// Without --database-url it runs its own PostgreSQL cluster in --data-dir (the embedded default).
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/api/license_catalog_service.h"
#include "server/api/malformed_request.h"
#include "server/api/model_registry_service.h"
#include "server/api/server_credentials.h"
#include "server/common/command_line.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/service/catalog_sync.h"
#include "server/service/license_service.h"
#include "server/service/model_reader.h"
#include "server/service/model_service.h"
#include "server/storage/connection_pool.h"
#include "server/storage/embedded_postgres.h"
#include "server/storage/license_store.h"
#include "server/storage/migrator.h"
#include "server/storage/model_cache.h"
#include "server/storage/model_change_listener.h"
#include "server/storage/model_store.h"
#include "server/storage/transaction.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7411", "gRPC listen address, host:port (port 0 picks a free port)");
ABSL_FLAG(std::string, database_url, "",
          "PostgreSQL libpq URI; empty runs the embedded default: a private cluster in --data-dir");
ABSL_FLAG(
    std::string, data_dir, "",
    "Directory of the embedded PostgreSQL cluster (default $XDG_DATA_HOME/modelreg, else ~/.local/share/modelreg; "
    "/var/lib/modelreg for root)");
ABSL_FLAG(int, pool_size, 16, "Number of PostgreSQL connections");
ABSL_FLAG(int, read_threads, 2, "Threads serving GetModel cache misses, each with one batched query at a time");
ABSL_FLAG(int, model_cache_mb, 1024,
          "Memory for cached models served by GetModel, in MiB (0: no cache); warmed at start-up, kept coherent "
          "through PostgreSQL notifications");
ABSL_FLAG(absl::Duration, max_statement_timeout, absl::Seconds(30),
          "Longest a database statement of a call may run (less when the call's deadline is nearer); 0 = no cap");
ABSL_FLAG(absl::Duration, lock_timeout, absl::Seconds(5),
          "Longest a database statement waits for a lock before the call fails with ABORTED; 0 = no limit");
ABSL_FLAG(bool, load_catalog, true, "Load the shipped license and model catalog at start (idempotent)");
ABSL_FLAG(std::string, port_file, "", "Write the bound port to this file once serving (for tests and scripts)");
ABSL_FLAG(bool, verbose, false, "Log debug lines");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain: serve gRPC over TLS (with --tls-key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificates: require every client to present a certificate signed by one of them (mTLS)");
ABSL_FLAG(bool, insecure, false, "Allow serving a non-loopback --listen address without TLS");
ABSL_FLAG(std::string, license, "",
          "reassess only: recompute every model using this license (id or licenses/{id}), whatever its rules version");

namespace modelreg {
namespace {

// Most GetModel calls answered by one query (names in its `= ANY($1)` array).
constexpr int kMaxReadBatch = 256;

// The default is $XDG_DATA_HOME/modelreg or ~/.local/share/modelreg. As root the cluster runs as the
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

// Marks the health service NOT_SERVING while the database does not answer.
class HealthMonitor {
 public:
  HealthMonitor(ConnectionPool* pool, grpc::HealthCheckServiceInterface* health) : pool_(pool), health_(health) {
    thread_ = std::thread([this] { Run(); });
  }
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;
  ~HealthMonitor() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void Run() {
    bool serving = true;
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      const absl::Status ping = pool_->Ping();
      lock.lock();
      if (stopping_) break;
      if (ping.ok() != serving) {
        serving = ping.ok();
        health_->SetServingStatus(serving);
        if (serving) {
          MODELREG_LOG(INFO) << "database reachable again: SERVING";
        } else {
          MODELREG_LOG(WARNING) << "database unreachable (" << ping << "): NOT_SERVING";
        }
      }
      wake_.wait_for(lock, std::chrono::seconds(2));
    }
  }

  ConnectionPool* pool_;
  grpc::HealthCheckServiceInterface* health_;
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
  if (licenses + models > 0) {
    MODELREG_LOG(INFO) << "derived columns recomputed: " << licenses << " licenses, " << models << " models";
  }
  return absl::OkStatus();
}

absl::Status Serve(ConnectionPool* pool, SignalWaiter* signals,
                   const std::shared_ptr<grpc::ServerCredentials>& credentials) {
  const int cache_mb = std::max(0, absl::GetFlag(FLAGS_model_cache_mb));
  ModelCache cache(static_cast<size_t>(cache_mb) << 20);
  ModelStore model_store(pool, cache_mb > 0 ? &cache : nullptr);
  LicenseStore license_store(pool);
  ModelService model_service(&model_store, &license_store);
  LicenseService license_service(&license_store, &model_service);

  MODELREG_ASSIGN_OR_RETURN(int64_t reassessed, model_service.Reassess());
  if (reassessed > 0)
    MODELREG_LOG(INFO) << "reassessed " << reassessed << " models with rules version " << kRulesVersion;
  if (absl::GetFlag(FLAGS_load_catalog)) {
    MODELREG_ASSIGN_OR_RETURN(CatalogSyncReport report, SyncShippedCatalog(&license_service, &model_service));
    MODELREG_LOG(INFO) << "catalog: " << report.Summary();
  }

  std::unique_ptr<ModelChangeListener> listener;
  if (cache_mb > 0) listener = std::make_unique<ModelChangeListener>(pool->url(), &cache, &model_store);
  // Declared before the server so that it outlives every GetModel call.
  ModelReader reader(&model_store, absl::GetFlag(FLAGS_read_threads), kMaxReadBatch);
  ModelRegistryService registry(&model_service, &reader);
  LicenseCatalogService catalog(&license_service);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Enough polling threads for the synchronous handlers (each waiting on PostgreSQL) that gRPC does not create and
  // destroy a thread per call: measured +40% throughput at 64 callers when GetModel was synchronous.
  const int pool_size = std::max(1, absl::GetFlag(FLAGS_pool_size));
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, pool_size);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 2 * pool_size);
  // Without this, gRPC sets SO_REUSEPORT and a second modelregd on the same port would share it silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen), credentials, &port);
  builder.RegisterService(&registry);
  builder.RegisterService(&catalog);
  InstallMalformedRequestHandling(builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::string why = DiagnoseListenFailure(absl::GetFlag(FLAGS_listen));
    if (why.empty() && !absl::GetFlag(FLAGS_tls_cert).empty()) why = "is --tls-key the key of --tls-cert?";
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", absl::GetFlag(FLAGS_listen), why.empty() ? "" : ": ", why));
  }
  MODELREG_LOG(INFO) << "modelregd serving on port " << port << " (" << absl::GetFlag(FLAGS_listen) << ")";
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file); !port_file.empty()) {
    std::ofstream(port_file) << port << "\n";
  }
  {
    HealthMonitor monitor(pool, server->GetHealthCheckService());
    const int signal = signals->WaitForSignal();
    MODELREG_LOG(INFO) << "signal " << signal << ": finishing in-flight calls";
  }
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
  server->Wait();
  MODELREG_LOG(INFO) << "gRPC server stopped";
  return absl::OkStatus();
}

absl::Status Run(const std::string& command) {
  SignalWaiter signals;
  SetStatementLimits({absl::GetFlag(FLAGS_max_statement_timeout), absl::GetFlag(FLAGS_lock_timeout)});
  // Transport security is checked before the database starts, so that a bad flag fails at once.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (command == "serve") {
    const ServerTlsOptions tls{absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                               absl::GetFlag(FLAGS_tls_client_ca)};
    MODELREG_RETURN_IF_ERROR(
        CheckListenSecurity(absl::GetFlag(FLAGS_listen), tls.enabled(), absl::GetFlag(FLAGS_insecure)));
    MODELREG_ASSIGN_OR_RETURN(credentials, BuildServerCredentials(tls));
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
  return Serve(pool.get(), &signals, credentials);
}

}  // namespace
}  // namespace modelreg

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("modelreg server.\nUsage: modelregd [serve|migrate|reassess] [--flag=value ...]");
  const std::vector<std::string> args = modelreg::ParseCommandLineAcceptingDashes(argc, argv);
  if (args.size() > 2) {
    std::fprintf(stderr, "modelregd: expected at most one command (serve, migrate, reassess)\n");
    return 2;
  }
  const std::string command = args.size() == 2 ? args[1] : "serve";
  if (command != "serve" && command != "migrate" && command != "reassess") {
    std::fprintf(stderr, "modelregd: unknown command `%s` (serve, migrate, reassess)\n", command.c_str());
    return 2;
  }
  // Debian's abseil checks every mutex acquisition for lock-order cycles; that costs ~10% of a GetModel.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (absl::GetFlag(FLAGS_verbose)) modelreg::SetMinLogLevel(modelreg::LogLevel::kDebug);
  const absl::Status status = modelreg::Run(command);
  if (!status.ok()) {
    MODELREG_LOG(ERROR) << "modelregd: " << status;
    return 1;
  }
  return 0;
}

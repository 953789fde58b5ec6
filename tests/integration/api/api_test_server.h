// The real modelreg services on a throwaway database, served over gRPC on a loopback port, with client stubs. Auth
// is on, as in modelregd: the server creates an admin token at start, and the stubs (models(), licenses(), usage(),
// admin()) send it; Channel(token) makes a channel sending another token (or none).
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>

#include "absl/status/statusor.h"
#include "modelreg/v1/admin.grpc.pb.h"
#include "modelreg/v1/governance.grpc.pb.h"
#include "modelreg/v1/history.grpc.pb.h"
#include "modelreg/v1/license_catalog.grpc.pb.h"
#include "modelreg/v1/model_registry.grpc.pb.h"
#include "modelreg/v1/usage_checker.grpc.pb.h"
#include "server/api/admin_service.h"
#include "server/api/governance_adapter.h"
#include "server/api/history_adapter.h"
#include "server/api/license_catalog_service.h"
#include "server/api/model_registry_service.h"
#include "server/api/server_limits.h"
#include "server/api/usage_checker_service.h"
#include "server/service/license_reassessor.h"
#include "server/storage/connection_pool.h"
#include "server/storage/governance_store.h"
#include "server/storage/history_store.h"
#include "server/storage/license_store.h"
#include "server/storage/model_cache.h"
#include "server/storage/model_change_listener.h"
#include "server/storage/reassessment_store.h"
#include "server/storage/request_id_store.h"
#include "server/storage/token_store.h"
#include "tests/support/test_database.h"

namespace modelreg::testing {

class ApiTestServer {
 public:
  struct Options {
    bool allow_anonymous_read = false;
    absl::Duration token_cache_ttl = absl::Seconds(5);
    // Applied as modelregd applies its flags (ApplyServerLimits: also the process-wide message size and default
    // deadline).
    ServerLimits limits;
    // The change stream's settings (database_url is set by Start).
    ChangeFeed::Options feed;
    // HistoryService's retention (modelregd --revision-retention); zero: unlimited.
    absl::Duration revision_retention = absl::ZeroDuration();
    // As modelregd, UpdateLicense queues its models' reassessment and a background LicenseReassessor does it. False
    // leaves the queue to the test (reassessor().RunBatch(), Drain(), Start()).
    bool start_reassessor = true;
    LicenseReassessor::Options reassessor;
  };
  static absl::StatusOr<std::unique_ptr<ApiTestServer>> Start() { return Start(Options()); }
  static absl::StatusOr<std::unique_ptr<ApiTestServer>> Start(Options options);
  ~ApiTestServer();

  v1::ModelRegistry::Stub& models() { return *model_stub_; }
  v1::LicenseCatalog::Stub& licenses() { return *license_stub_; }
  v1::Admin::Stub& admin() { return *admin_stub_; }
  v1::UsageChecker::Stub& usage() { return *usage_stub_; }
  v1::Governance::Stub& governance() { return *governance_stub_; }
  v1::History::Stub& history() { return *history_stub_; }
  // A channel to the server whose calls carry `token` ("" for none).
  std::shared_ptr<grpc::Channel> Channel(const std::string& token) const;
  const std::string& admin_token() const { return admin_token_; }
  // host:port of the server.
  const std::string& address() const { return address_; }
  TokenService& token_service() { return *token_service_; }
  ModelService& model_service() { return *model_service_; }
  LicenseService& license_service() { return *license_service_; }
  LicenseReassessor& reassessor() { return *reassessor_; }
  ReassessmentStore& reassessment_store() { return *reassessment_store_; }
  // Waits until no reassessment is queued (every queued pass committed its last batch). DEADLINE_EXCEEDED after
  // `timeout`.
  absl::Status WaitUntilReassessed(absl::Duration timeout = absl::Seconds(30));
  ConnectionPool& pool() { return *pool_; }
  HistoryStore& history_store() { return *history_store_; }
  // The stubs' channel: its calls carry the admin token.
  std::shared_ptr<grpc::Channel> channel() { return channel_; }

 private:
  ApiTestServer() = default;

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<ModelCache> model_cache_;
  std::unique_ptr<ModelStore> model_store_;
  std::unique_ptr<LicenseStore> license_store_;
  std::unique_ptr<RequestIdStore> request_id_store_;
  std::unique_ptr<IdempotentCalls> calls_;
  std::unique_ptr<ModelService> model_service_;
  std::unique_ptr<LicenseService> license_service_;
  std::unique_ptr<ReassessmentStore> reassessment_store_;
  std::unique_ptr<LicenseReassessor> reassessor_;
  std::unique_ptr<GovernanceStore> governance_store_;
  std::unique_ptr<UsageService> usage_service_;
  std::unique_ptr<GovernanceService> governance_service_;
  std::unique_ptr<HistoryStore> history_store_;
  std::unique_ptr<HistoryService> history_service_;
  std::unique_ptr<ModelChangeListener> listener_;
  std::unique_ptr<ModelReader> reader_;
  std::unique_ptr<ModelRegistryService> registry_;
  std::unique_ptr<LicenseCatalogService> catalog_;
  std::unique_ptr<TokenStore> token_store_;
  std::unique_ptr<TokenService> token_service_;
  std::unique_ptr<CallAuth> auth_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<UsageCheckerService> usage_checker_;
  std::unique_ptr<GovernanceAdapter> governance_adapter_;
  std::unique_ptr<ChangeFeed> change_feed_;
  std::unique_ptr<HistoryAdapter> history_adapter_;
  std::string address_;
  std::string admin_token_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ModelRegistry::Stub> model_stub_;
  std::unique_ptr<v1::LicenseCatalog::Stub> license_stub_;
  std::unique_ptr<v1::Admin::Stub> admin_stub_;
  std::unique_ptr<v1::UsageChecker::Stub> usage_stub_;
  std::unique_ptr<v1::Governance::Stub> governance_stub_;
  std::unique_ptr<v1::History::Stub> history_stub_;
};

// Base of test suites whose tests share one ApiTestServer. A suite that seeds data defines its own SetUpTestSuite,
// calls this one first and returns when `server_` is null (the failure is already reported).
class SharedApiServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  static ApiTestServer* server_;
};

// The same, with the shipped catalog loaded (as modelregd does at start).
class CatalogApiServerTest : public SharedApiServerTest {
 protected:
  static void SetUpTestSuite();
};

// Calls `method` on `stub` with a fresh context and a 30 s deadline; returns the response or the status as absl.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                              const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  Response response;
  grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  return response;
}

}  // namespace modelreg::testing

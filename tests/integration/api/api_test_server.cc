#include "tests/integration/api/api_test_server.h"

#include <pqxx/pqxx>

#include "client/bearer_channel.h"
#include "server/api/malformed_request.h"
#include "server/common/status_macros.h"
#include "server/service/catalog_sync.h"

namespace modelreg::testing {

absl::StatusOr<std::unique_ptr<ApiTestServer>> ApiTestServer::Start(Options options) {
  std::unique_ptr<ApiTestServer> s(new ApiTestServer());
  MODELREG_ASSIGN_OR_RETURN(s->database_, TestDatabase::Create());
  MODELREG_ASSIGN_OR_RETURN(s->pool_, ConnectionPool::Create(s->database_->url(), 8));
  // As modelregd: GetModel reads through a cache kept coherent by a change listener.
  s->model_cache_ = std::make_unique<ModelCache>(64 << 20);
  s->model_store_ = std::make_unique<ModelStore>(s->pool_.get(), s->model_cache_.get());
  s->license_store_ = std::make_unique<LicenseStore>(s->pool_.get());
  s->request_id_store_ = std::make_unique<RequestIdStore>(s->pool_.get());
  s->calls_ = std::make_unique<IdempotentCalls>(s->request_id_store_.get());
  s->model_service_ = std::make_unique<ModelService>(s->model_store_.get(), s->license_store_.get(), s->calls_.get());
  s->license_service_ =
      std::make_unique<LicenseService>(s->license_store_.get(), s->model_service_.get(), s->calls_.get());
  s->reassessment_store_ = std::make_unique<ReassessmentStore>(s->pool_.get());
  s->reassessor_ =
      std::make_unique<LicenseReassessor>(s->reassessment_store_.get(), s->model_service_.get(), options.reassessor);
  s->license_service_->set_reassessment(s->reassessment_store_.get(), [r = s->reassessor_.get()] { r->Wake(); });
  if (options.start_reassessor) s->reassessor_->Start();
  s->governance_store_ = std::make_unique<GovernanceStore>(s->pool_.get());
  s->usage_service_ =
      std::make_unique<UsageService>(s->model_store_.get(), s->license_store_.get(), s->governance_store_.get());
  s->governance_service_ =
      std::make_unique<GovernanceService>(s->governance_store_.get(), s->usage_service_.get(), s->calls_.get());
  s->listener_ =
      std::make_unique<ModelChangeListener>(s->database_->url(), s->model_cache_.get(), s->model_store_.get());
  if (!s->listener_->WaitUntilWarm(absl::Seconds(10))) return absl::UnavailableError("model cache listener not up");
  s->reader_ = std::make_unique<ModelReader>(s->model_store_.get(), /*threads=*/2, /*max_batch=*/64);
  s->token_store_ = std::make_unique<TokenStore>(s->pool_.get());
  TokenService::Options token_options;
  token_options.cache_ttl = options.token_cache_ttl;
  s->token_service_ = std::make_unique<TokenService>(s->token_store_.get(), token_options, s->calls_.get());
  CallAuth::Options auth_options;
  auth_options.allow_anonymous_read = options.allow_anonymous_read;
  s->auth_ = std::make_unique<CallAuth>(s->token_service_.get(), auth_options);
  v1::CreateTokenRequest admin_request;
  admin_request.mutable_token()->set_principal("test-admin");
  v1::TokenBinding* binding = admin_request.mutable_token()->add_bindings();
  binding->set_role(v1::ROLE_ADMIN);
  binding->set_scope("*");
  MODELREG_ASSIGN_OR_RETURN(v1::CreateTokenResponse admin, s->token_service_->CreateToken(admin_request));
  s->admin_token_ = admin.secret();
  s->history_store_ = std::make_unique<HistoryStore>(s->pool_.get(), s->model_cache_.get());
  s->history_service_ =
      std::make_unique<HistoryService>(s->history_store_.get(), s->calls_.get(), options.revision_retention);
  s->model_service_->set_revision_retention(options.revision_retention);
  s->governance_service_->set_revision_retention(options.revision_retention);
  s->registry_ = std::make_unique<ModelRegistryService>(s->model_service_.get(), s->reader_.get(),
                                                        s->history_service_.get(), s->auth_.get());
  s->catalog_ =
      std::make_unique<LicenseCatalogService>(s->license_service_.get(), s->history_service_.get(), s->auth_.get());
  options.feed.database_url = s->database_->url();
  s->change_feed_ = std::make_unique<ChangeFeed>(options.feed);
  s->history_adapter_ =
      std::make_unique<HistoryAdapter>(s->history_service_.get(), s->change_feed_.get(), s->auth_.get());
  s->admin_service_ = std::make_unique<AdminService>(s->token_service_.get(), s->auth_.get());
  s->usage_checker_ = std::make_unique<UsageCheckerService>(s->usage_service_.get(), s->auth_.get());
  s->governance_adapter_ =
      std::make_unique<GovernanceAdapter>(s->governance_service_.get(), s->history_service_.get(), s->auth_.get());
  grpc::ServerBuilder builder;
  ApplyServerLimits(options.limits, builder);
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(s->registry_.get());
  builder.RegisterService(s->catalog_.get());
  builder.RegisterService(s->admin_service_.get());
  builder.RegisterService(s->usage_checker_.get());
  builder.RegisterService(s->governance_adapter_.get());
  builder.RegisterService(s->history_adapter_.get());
  InstallMalformedRequestHandling(builder);  // as modelregd
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || port == 0) return absl::UnavailableError("cannot start the test gRPC server");
  s->address_ = "127.0.0.1:" + std::to_string(port);
  auto channel = s->Channel(s->admin_token_);
  s->channel_ = channel;
  s->model_stub_ = v1::ModelRegistry::NewStub(channel);
  s->license_stub_ = v1::LicenseCatalog::NewStub(channel);
  s->admin_stub_ = v1::Admin::NewStub(channel);
  s->usage_stub_ = v1::UsageChecker::NewStub(channel);
  s->governance_stub_ = v1::Governance::NewStub(channel);
  s->history_stub_ = v1::History::NewStub(channel);
  return s;
}

std::shared_ptr<grpc::Channel> ApiTestServer::Channel(const std::string& token) const {
  return CreateBearerChannel(address_, grpc::InsecureChannelCredentials(), token);
}

absl::Status ApiTestServer::WaitUntilReassessed(absl::Duration timeout) {
  pqxx::connection connection(pool_->url());
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    pqxx::nontransaction tx(connection);
    if (tx.exec("SELECT count(*) FROM license_reassessments")[0][0].as<int64_t>() == 0) return absl::OkStatus();
    if (absl::Now() > deadline) return absl::DeadlineExceededError("reassessment still queued");
    absl::SleepFor(absl::Milliseconds(10));
  }
}

ApiTestServer::~ApiTestServer() {
  if (reassessor_ != nullptr) reassessor_->Stop();
  if (change_feed_ != nullptr) change_feed_->Shutdown();  // as modelregd: change streams end first
  if (server_ != nullptr) server_->Shutdown();
}

ApiTestServer* SharedApiServerTest::server_ = nullptr;

void SharedApiServerTest::SetUpTestSuite() {
  auto server = ApiTestServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = server->release();
}

void CatalogApiServerTest::SetUpTestSuite() {
  SharedApiServerTest::SetUpTestSuite();
  if (server_ == nullptr) return;
  auto report = SyncShippedCatalog(&server_->license_service(), &server_->model_service());
  ASSERT_TRUE(report.ok()) << report.status();
}

void SharedApiServerTest::TearDownTestSuite() {
  delete server_;
  server_ = nullptr;
}

}  // namespace modelreg::testing

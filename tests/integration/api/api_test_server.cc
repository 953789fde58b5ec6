#include "tests/integration/api/api_test_server.h"

#include "server/api/malformed_request.h"
#include "server/common/status_macros.h"

namespace modelreg::testing {

absl::StatusOr<std::unique_ptr<ApiTestServer>> ApiTestServer::Start() {
  std::unique_ptr<ApiTestServer> s(new ApiTestServer());
  MODELREG_ASSIGN_OR_RETURN(s->database_, TestDatabase::Create());
  MODELREG_ASSIGN_OR_RETURN(s->pool_, ConnectionPool::Create(s->database_->url(), 8));
  // As modelregd: GetModel reads through a cache kept coherent by a change listener.
  s->model_cache_ = std::make_unique<ModelCache>(64 << 20);
  s->model_store_ = std::make_unique<ModelStore>(s->pool_.get(), s->model_cache_.get());
  s->license_store_ = std::make_unique<LicenseStore>(s->pool_.get());
  s->model_service_ = std::make_unique<ModelService>(s->model_store_.get(), s->license_store_.get());
  s->license_service_ = std::make_unique<LicenseService>(s->license_store_.get(), s->model_service_.get());
  s->listener_ =
      std::make_unique<ModelChangeListener>(s->database_->url(), s->model_cache_.get(), s->model_store_.get());
  if (!s->listener_->WaitUntilWarm(absl::Seconds(10))) return absl::UnavailableError("model cache listener not up");
  s->reader_ = std::make_unique<ModelReader>(s->model_store_.get(), /*threads=*/2, /*max_batch=*/64);
  s->registry_ = std::make_unique<ModelRegistryService>(s->model_service_.get(), s->reader_.get());
  s->catalog_ = std::make_unique<LicenseCatalogService>(s->license_service_.get());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(s->registry_.get());
  builder.RegisterService(s->catalog_.get());
  InstallMalformedRequestHandling(builder);  // as modelregd
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || port == 0) return absl::UnavailableError("cannot start the test gRPC server");
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  s->channel_ = channel;
  s->model_stub_ = v1::ModelRegistry::NewStub(channel);
  s->license_stub_ = v1::LicenseCatalog::NewStub(channel);
  return s;
}

ApiTestServer::~ApiTestServer() {
  if (server_ != nullptr) server_->Shutdown();
}

ApiTestServer* SharedApiServerTest::server_ = nullptr;

void SharedApiServerTest::SetUpTestSuite() {
  auto server = ApiTestServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = server->release();
}

void SharedApiServerTest::TearDownTestSuite() {
  delete server_;
  server_ = nullptr;
}

}  // namespace modelreg::testing

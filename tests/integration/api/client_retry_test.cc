// The client library's retries of mutations (client/retry_policy.h) against the real server and PostgreSQL: when a
// mutation's response is lost after the server committed it, the client retries with the same request_id and gets
// the first result; nothing is created twice. Responses are "lost" by a client interceptor that turns the first OK
// status of a call into UNAVAILABLE after the server has answered.
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_interceptor.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "server/domain/request_fingerprint.h"
#include "server/domain/request_id.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using ::testing::Each;

// What the interceptor saw, per method name (`/modelreg.v1.ModelRegistry/CreateModel`).
struct Attempts {
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> request_ids;  // one entry per attempt
  std::map<std::string, int> responses_to_drop;                 // OK responses still to turn into UNAVAILABLE

  std::vector<std::string> Of(const std::string& method) {
    std::lock_guard<std::mutex> lock(mutex);
    return request_ids[method];
  }
};

class LossyInterceptor : public grpc::experimental::Interceptor {
 public:
  LossyInterceptor(Attempts* attempts, std::string method, const std::string* authorization)
      : attempts_(attempts), method_(std::move(method)), authorization_(authorization) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", *authorization_});
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      const auto* request = static_cast<const google::protobuf::Message*>(methods->GetSendMessage());
      std::lock_guard<std::mutex> lock(attempts_->mutex);
      attempts_->request_ids[method_].push_back(request != nullptr ? RequestIdOf(*request) : "?");
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      grpc::Status* status = methods->GetRecvStatus();
      std::lock_guard<std::mutex> lock(attempts_->mutex);
      int& to_drop = attempts_->responses_to_drop[method_];
      if (status->ok() && to_drop > 0) {
        --to_drop;
        *status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "test: response lost after the server answered");
      }
    }
    methods->Proceed();
  }

 private:
  Attempts* attempts_;
  std::string method_;
  const std::string* authorization_;
};

class LossyInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  LossyInterceptorFactory(Attempts* attempts, const std::string& token)
      : attempts_(attempts), authorization_("Bearer " + token) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo* info) override {
    return new LossyInterceptor(attempts_, info->method(), &authorization_);
  }

 private:
  Attempts* attempts_;
  std::string authorization_;
};

class ClientRetryTest : public SharedApiServerTest {
 protected:
  // A client of `address` (default: the test server) whose calls go through the lossy interceptor.
  std::unique_ptr<Client> LossyClient(const std::string& address = "") {
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
    factories.push_back(std::make_unique<LossyInterceptorFactory>(&attempts_, server_->admin_token()));
    auto channel = grpc::experimental::CreateCustomChannelWithInterceptors(
        address.empty() ? server_->address() : address, grpc::InsecureChannelCredentials(), grpc::ChannelArguments(),
        std::move(factories));
    auto client = std::make_unique<Client>(channel);
    RetryPolicy fast;
    fast.initial_backoff = absl::Milliseconds(20);
    client->set_retry_policy(fast);
    return client;
  }

  void DropNextResponses(const std::string& method, int count) {
    std::lock_guard<std::mutex> lock(attempts_.mutex);
    attempts_.responses_to_drop[method] = count;
  }

  static absl::StatusOr<v1::Model> Get(const std::string& name) {
    v1::GetModelRequest request;
    request.set_name(name);
    return Call(server_->models(), &v1::ModelRegistry::Stub::GetModel, request);
  }

  static v1::CreateModelRequest CreateRequest(const std::string& publisher, const std::string& id) {
    v1::CreateModelRequest request;
    request.set_parent("publishers/" + publisher);
    request.set_model_id(id);
    return request;
  }

  static constexpr char kCreate[] = "/modelreg.v1.ModelRegistry/CreateModel";
  static constexpr char kBatch[] = "/modelreg.v1.ModelRegistry/BatchCreateModels";
  static constexpr char kUpdate[] = "/modelreg.v1.ModelRegistry/UpdateModel";
  static constexpr char kCreateToken[] = "/modelreg.v1.Admin/CreateToken";

  Attempts attempts_;
};

TEST_F(ClientRetryTest, ALostCreateResponseIsRetriedWithTheSameIdAndCreatesOnce) {
  auto client = LossyClient();
  DropNextResponses(kCreate, 1);
  auto created = client->CreateModel(CreateRequest("retry-create", "m"));
  ASSERT_OK(created);
  const std::vector<std::string> ids = attempts_.Of(kCreate);
  ASSERT_EQ(ids.size(), 2u);  // the lost one and its retry
  EXPECT_TRUE(IsValidRequestId(ids[0])) << ids[0];
  EXPECT_EQ(ids[1], ids[0]);
  EXPECT_EQ(created->revision(), 1);
  auto stored = Get("publishers/retry-create/models/m");
  ASSERT_OK(stored);
  EXPECT_EQ(stored->SerializeAsString(), created->SerializeAsString());

  // Each call has an id of its own.
  ASSERT_OK(client->CreateModel(CreateRequest("retry-create", "n")));
  const std::vector<std::string> all = attempts_.Of(kCreate);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_NE(all[2], all[0]);
}

TEST_F(ClientRetryTest, WithoutRetriesTheLostResponseHidesACommittedWrite) {
  // The failure mode the retries exist for: the caller sees UNAVAILABLE, yet the model was created, and a naive
  // retry with a new id would be ALREADY_EXISTS.
  auto client = LossyClient();
  client->set_retry_policy(RetryPolicy{1});
  DropNextResponses(kCreate, 1);
  EXPECT_THAT(client->CreateModel(CreateRequest("retry-control", "m")), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_OK(Get("publishers/retry-control/models/m"));
  EXPECT_THAT(client->CreateModel(CreateRequest("retry-control", "m")), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(ClientRetryTest, ALostBatchResponseIsRetriedAndEachModelCreatedOnce) {
  auto client = LossyClient();
  DropNextResponses(kBatch, 2);  // two attempts lost, the third answered
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/retry-batch");
  for (int i = 0; i < 20; ++i) *batch.add_requests() = CreateRequest("retry-batch", absl::StrCat("m", i));
  auto created = client->BatchCreateModels(batch);
  ASSERT_OK(created);
  EXPECT_EQ(created->models_size(), 20);
  const std::vector<std::string> ids = attempts_.Of(kBatch);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_THAT(ids, Each(ids[0]));
  for (const v1::Model& model : created->models()) EXPECT_EQ(model.revision(), 1);
  v1::ListModelsRequest list;
  list.set_parent("publishers/retry-batch");
  auto all = Client(server_->channel()).ListAllModels(list);
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 20u);
}

TEST_F(ClientRetryTest, ALostUpdateResponseIsRetriedAndAppliedOnce) {
  auto client = LossyClient();
  ASSERT_OK(client->CreateModel(CreateRequest("retry-update", "m")));
  DropNextResponses(kUpdate, 1);
  v1::UpdateModelRequest update;
  update.mutable_model()->set_name("publishers/retry-update/models/m");
  update.mutable_model()->set_description("once");
  update.mutable_update_mask()->add_paths("description");
  auto updated = client->UpdateModel(update);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->revision(), 2);
  EXPECT_EQ(attempts_.Of(kUpdate).size(), 2u);
  auto stored = Get("publishers/retry-update/models/m");
  ASSERT_OK(stored);
  EXPECT_EQ(stored->revision(), 2);
}

TEST_F(ClientRetryTest, ACallersOwnRequestIdIsKept) {
  auto client = LossyClient();
  DropNextResponses(kCreate, 1);
  v1::CreateModelRequest request = CreateRequest("retry-own-id", "m");
  request.set_request_id("1d7c2a90-55e3-4c0e-8f51-0b6a7c9d2e48");
  ASSERT_OK(client->CreateModel(request));
  EXPECT_THAT(attempts_.Of(kCreate), Each(std::string("1d7c2a90-55e3-4c0e-8f51-0b6a7c9d2e48")));
}

TEST_F(ClientRetryTest, ALostCreateTokenResponseEndsInTokenAlreadyCreated) {
  auto client = LossyClient();
  DropNextResponses(kCreateToken, 1);
  v1::CreateTokenRequest request;
  request.mutable_token()->set_principal("retry-ci");
  auto* binding = request.mutable_token()->add_bindings();
  binding->set_role(v1::ROLE_VIEWER);
  binding->set_scope("*");
  const absl::Status status = client->CreateToken(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(GetErrorDetails(status).reason, "TOKEN_ALREADY_CREATED");
  EXPECT_THAT(GetErrorDetails(status).metadata.at("resource"), ::testing::StartsWith("tokens/"));
}

TEST_F(ClientRetryTest, ErrorsWithAKnownOutcomeAreNotRetried) {
  auto client = LossyClient();
  EXPECT_THAT(client->CreateModel(CreateRequest("Not A Publisher", "m")), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(attempts_.Of(kCreate).size(), 1u);
}

TEST_F(ClientRetryTest, AnUnreachableServerIsTriedMaxAttemptsTimesWithBackoff) {
  auto client = LossyClient("127.0.0.1:1");
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.initial_backoff = absl::Milliseconds(100);
  client->set_retry_policy(policy);
  client->set_deadline(absl::Seconds(2));
  const absl::Time start = absl::Now();
  EXPECT_THAT(client->CreateModel(CreateRequest("retry-unreachable", "m")), StatusIs(absl::StatusCode::kUnavailable));
  const absl::Duration took = absl::Now() - start;
  const std::vector<std::string> ids = attempts_.Of(kCreate);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_THAT(ids, Each(ids[0]));
  EXPECT_GE(took, absl::Milliseconds(150));  // at least half of 100 + 200 ms of backoff
  EXPECT_LT(took, absl::Seconds(10));
}

}  // namespace
}  // namespace modelreg::testing

// Authentication and authorization over real gRPC: every RPC refuses a call without a valid token, roles and scopes
// hold per resource, and a List across publishers by a scoped viewer returns exactly what its scopes allow.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "server/common/errors.h"
#include "tests/integration/api/api_test_server.h"

namespace modelreg::testing {
namespace {

// Calls `full_method` with an empty request through a generic stub (no stub code for the method needed).
grpc::Status CallEmpty(const std::shared_ptr<grpc::Channel>& channel, const std::string& full_method) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  grpc::CompletionQueue cq;
  auto call = stub.PrepareUnaryCall(&context, full_method, request, &cq);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));  // NOLINT(performance-no-int-to-ptr): a tag
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

class AuthApiTest : public SharedApiServerTest {
 protected:
  static void SetUpTestSuite() {
    SharedApiServerTest::SetUpTestSuite();
    if (server_ == nullptr) return;
    for (const auto& [publisher, count] : std::vector<std::pair<std::string, int>>{{"a", 5}, {"b", 4}, {"c", 3}}) {
      for (int i = 0; i < count; ++i) {
        v1::CreateModelRequest request;
        request.set_parent("publishers/" + publisher);
        request.set_model_id(absl::StrCat("m", i));
        auto created = Call(server_->models(), &v1::ModelRegistry::Stub::CreateModel, request);
        ASSERT_TRUE(created.ok()) << created.status();
      }
    }
  }

  // A token with the given bindings ("role" -> scope) and lifetime (0: none); returns the secret.
  static std::string MakeToken(const std::string& principal, const std::vector<std::pair<v1::Role, std::string>>& b,
                               int ttl_seconds = 0, std::string* name = nullptr) {
    v1::CreateTokenRequest request;
    request.mutable_token()->set_principal(principal);
    for (const auto& [role, scope] : b) {
      auto* binding = request.mutable_token()->add_bindings();
      binding->set_role(role);
      binding->set_scope(scope);
    }
    request.mutable_ttl()->set_seconds(ttl_seconds);
    auto created = Call(server_->admin(), &v1::Admin::Stub::CreateToken, request);
    EXPECT_TRUE(created.ok()) << created.status();
    if (name != nullptr) *name = created->token().name();
    return created.ok() ? created->secret() : "";
  }

  static Client As(const std::string& token) {
    Client client(server_->Channel(token));
    return client;
  }
};

void ExpectUnauthenticated(const absl::Status& status, const std::string& reason) {
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_EQ(ErrorReason(status), reason) << status;
}

v1::GetModelRequest GetA() {
  v1::GetModelRequest request;
  request.set_name("publishers/a/models/m0");
  return request;
}

// No RPC can forget authentication: every method of every modelreg service, called without a token, is
// UNAUTHENTICATED before its request is even looked at.
TEST_F(AuthApiTest, EveryMethodNeedsAToken) {
  const auto channel = server_->Channel("");
  int methods = 0;
  for (const auto* file : {v1::GetModelRequest::descriptor()->file(), v1::GetLicenseRequest::descriptor()->file(),
                           v1::CreateTokenRequest::descriptor()->file(), v1::CheckUsageRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const std::string method = absl::StrCat("/", service->full_name(), "/", service->method(m)->name());
        const grpc::Status status = CallEmpty(channel, method);
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method << ": " << status.error_message();
        ++methods;
      }
    }
  }
  EXPECT_EQ(methods, 19);
}

TEST_F(AuthApiTest, BadTokensAreUnauthenticated) {
  ExpectUnauthenticated(As("").GetModel(GetA()).status(), "TOKEN_MISSING");
  ExpectUnauthenticated(As("not-a-token").GetModel(GetA()).status(), "TOKEN_INVALID");
  ExpectUnauthenticated(As("mrt_" + std::string(43, 'A')).GetModel(GetA()).status(), "TOKEN_INVALID");
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Basic " + server_->admin_token());
    v1::Model model;
    const grpc::Status status = v1::ModelRegistry::NewStub(server_->Channel(""))->GetModel(&context, GetA(), &model);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_TRUE(As(server_->admin_token()).GetModel(GetA()).ok());
}

TEST_F(AuthApiTest, RevokedAndExpiredTokens) {
  std::string name;
  const std::string revoked = MakeToken("to-revoke", {{v1::ROLE_VIEWER, "*"}}, 0, &name);
  ASSERT_TRUE(As(revoked).GetModel(GetA()).ok());
  v1::RevokeTokenRequest revoke;
  revoke.set_name(name);
  auto token = Call(server_->admin(), &v1::Admin::Stub::RevokeToken, revoke);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_TRUE(token->has_revoke_time());
  ExpectUnauthenticated(As(revoked).GetModel(GetA()).status(), "TOKEN_REVOKED");

  const std::string expiring = MakeToken("short-lived", {{v1::ROLE_VIEWER, "*"}}, 1);
  ASSERT_TRUE(As(expiring).GetModel(GetA()).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ExpectUnauthenticated(As(expiring).GetModel(GetA()).status(), "TOKEN_EXPIRED");
}

TEST_F(AuthApiTest, RolesAndScopes) {
  Client viewer = As(MakeToken("viewer", {{v1::ROLE_VIEWER, "*"}}));
  EXPECT_TRUE(viewer.GetModel(GetA()).ok());
  v1::DeleteModelRequest del;
  del.set_name("publishers/a/models/m4");
  absl::Status status = viewer.DeleteModel(del).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_EQ(ErrorReason(status), "PERMISSION_DENIED");

  Client editor_a = As(MakeToken("editor-a", {{v1::ROLE_EDITOR, "publishers/a"}}));
  v1::CreateModelRequest create;
  create.set_parent("publishers/b");
  create.set_model_id("from-a");
  status = editor_a.CreateModel(create).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  create.set_parent("publishers/a");
  EXPECT_TRUE(editor_a.CreateModel(create).ok());
  v1::GetModelRequest get_b;
  get_b.set_name("publishers/b/models/m0");
  EXPECT_EQ(editor_a.GetModel(get_b).status().code(), absl::StatusCode::kPermissionDenied);

  // BatchCreateModels checks every item.
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/-");
  for (const char* parent : {"publishers/a", "publishers/b"}) {
    auto* item = batch.add_requests();
    item->set_parent(parent);
    item->set_model_id("batch");
  }
  EXPECT_EQ(editor_a.BatchCreateModels(batch).status().code(), absl::StatusCode::kPermissionDenied);
  v1::GetModelRequest get_batch;
  get_batch.set_name("publishers/a/models/batch");
  EXPECT_EQ(Call(server_->models(), &v1::ModelRegistry::Stub::GetModel, get_batch).status().code(),
            absl::StatusCode::kNotFound)
      << "nothing of a denied batch is written";

  // Licenses need a binding on `licenses`; tokens need admin on `*`.
  v1::ListLicensesRequest licenses;
  EXPECT_EQ(editor_a.ListLicenses(licenses).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(viewer.ListLicenses(licenses).ok());
  EXPECT_EQ(viewer.ListTokens(v1::ListTokensRequest()).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(AuthApiTest, ScopedListAcrossPublishersPagesExactly) {
  Client viewer = As(MakeToken("viewer-ab", {{v1::ROLE_VIEWER, "publishers/a"}, {v1::ROLE_VIEWER, "publishers/b"}}));
  v1::ListModelsRequest request;
  request.set_parent("publishers/-");
  request.set_page_size(2);
  std::vector<std::string> names;
  ASSERT_TRUE(viewer
                  .ForEachModel(request,
                                [&](const v1::Model& model) {
                                  names.push_back(model.name());
                                  return absl::OkStatus();
                                })
                  .ok());
  std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size()) << "no model twice";
  for (const std::string& name : names) {
    EXPECT_TRUE(name.rfind("publishers/a/", 0) == 0 || name.rfind("publishers/b/", 0) == 0) << name;
  }
  // Everything in a and b (the other tests may add to a; count against the admin's view).
  auto all = Client(server_->Channel(server_->admin_token())).ListAllModels(request);
  ASSERT_TRUE(all.ok());
  size_t expected = 0;
  for (const auto& model : *all) expected += model.name().rfind("publishers/c/", 0) == 0 ? 0 : 1;
  EXPECT_EQ(names.size(), expected);
  EXPECT_GE(names.size(), 9u);

  // Within its scope a publisher List works; outside it is denied.
  request.set_parent("publishers/c");
  EXPECT_EQ(viewer.ListModels(request).status().code(), absl::StatusCode::kPermissionDenied);

  // A batch read is checked name by name: one name outside the scopes denies the whole call.
  v1::BatchGetModelsRequest batch;
  batch.add_names("publishers/a/models/m0");
  batch.add_names("publishers/b/models/m1");
  auto both = viewer.BatchGetModels(batch);
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->models_size(), 2);
  batch.add_names("publishers/c/models/m0");
  EXPECT_EQ(viewer.BatchGetModels(batch).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(AuthApiTest, ListTokensShowsNoSecret) {
  auto tokens = Call(server_->admin(), &v1::Admin::Stub::ListTokens, v1::ListTokensRequest());
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_FALSE(tokens->tokens().empty());
  EXPECT_EQ(tokens->DebugString().find("mrt_"), std::string::npos);
}

// Bad token requests are INVALID_ARGUMENT naming the field, never INTERNAL or NOT_FOUND, and create nothing.
TEST_F(AuthApiTest, MalformedTokenRequestsAreInvalidArgument) {
  auto before = Call(server_->admin(), &v1::Admin::Stub::ListTokens, v1::ListTokensRequest());
  ASSERT_TRUE(before.ok()) << before.status();
  for (auto [seconds, nanos] : std::vector<std::pair<int64_t, int32_t>>{{int64_t{1} << 40, 0}, {60, 1'000'000'000}}) {
    v1::CreateTokenRequest create;
    create.mutable_token()->set_principal("forever");
    auto* binding = create.mutable_token()->add_bindings();
    binding->set_role(v1::ROLE_VIEWER);
    binding->set_scope("*");
    create.mutable_ttl()->set_seconds(seconds);
    create.mutable_ttl()->set_nanos(nanos);
    auto created = Call(server_->admin(), &v1::Admin::Stub::CreateToken, create);
    EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument) << seconds;
    EXPECT_THAT(std::string(created.status().message()), ::testing::StartsWith("ttl: ")) << created.status();
  }
  auto after = Call(server_->admin(), &v1::Admin::Stub::ListTokens, v1::ListTokensRequest());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->tokens_size(), before->tokens_size());

  v1::ListTokensRequest list;
  list.set_page_token("_w");  // decodes to the byte 0xFF, not a token id
  auto page = Call(server_->admin(), &v1::Admin::Stub::ListTokens, list);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument) << page.status();
  EXPECT_THAT(std::string(page.status().message()), ::testing::StartsWith("page_token: "));

  for (const char* name : {"tokens/a/b", "tokens/UPPER", "tokens/"}) {
    v1::RevokeTokenRequest revoke;
    revoke.set_name(name);
    auto revoked = Call(server_->admin(), &v1::Admin::Stub::RevokeToken, revoke);
    EXPECT_EQ(revoked.status().code(), absl::StatusCode::kInvalidArgument) << name << ": " << revoked.status();
    EXPECT_THAT(std::string(revoked.status().message()), ::testing::StartsWith("name: ")) << name;
  }
}

TEST(AnonymousReadTest, ReadsWithoutTokenWhenAllowed) {
  ApiTestServer::Options options;
  options.allow_anonymous_read = true;
  auto server = ApiTestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  Client anonymous((*server)->Channel(""));
  EXPECT_TRUE(anonymous.ListLicenses(v1::ListLicensesRequest()).ok());
  v1::CreateLicenseRequest create;
  create.set_license_id("anon");
  ExpectUnauthenticated(anonymous.CreateLicense(create).status(), "TOKEN_MISSING");
  ExpectUnauthenticated(Client((*server)->Channel("bogus")).ListLicenses(v1::ListLicensesRequest()).status(),
                        "TOKEN_INVALID");
}

}  // namespace
}  // namespace modelreg::testing

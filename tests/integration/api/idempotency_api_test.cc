// Request ids (AIP-155) over real gRPC and PostgreSQL: for every mutation, a retry with the same id by the same
// principal returns the first response and changes nothing; the same id with another request is INVALID_ARGUMENT and
// changes nothing; principals are independent; concurrent duplicates apply exactly once; CreateToken never replays
// its secret.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/client.h"
#include "server/domain/request_id.h"
#include "server/storage/transaction.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class IdempotencyApiTest : public SharedApiServerTest {
 protected:
  static void SetUpTestSuite() {
    SharedApiServerTest::SetUpTestSuite();
    if (server_ == nullptr) return;
    alice_token_ = MakeToken("alice");
    bob_token_ = MakeToken("bob");
  }

  static std::string MakeToken(const std::string& principal) {
    v1::CreateTokenRequest request;
    request.mutable_token()->set_principal(principal);
    auto* binding = request.mutable_token()->add_bindings();
    binding->set_role(v1::ROLE_EDITOR);
    binding->set_scope("*");
    auto created = server_->token_service().CreateToken(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->secret() : "";
  }

  // A client acting with `token` that never retries on its own (the tests retry by hand).
  static Client As(const std::string& token) {
    Client client(server_->Channel(token));
    client.set_retry_policy(RetryPolicy{1});
    return client;
  }
  static Client Alice() { return As(alice_token_); }
  static Client Bob() { return As(bob_token_); }
  static Client Admin() { return As(server_->admin_token()); }

  static v1::CreateModelRequest CreateRequest(const std::string& publisher, const std::string& id,
                                              const std::string& request_id) {
    v1::CreateModelRequest request;
    request.set_parent("publishers/" + publisher);
    request.set_model_id(id);
    request.mutable_model()->set_display_name(id);
    request.set_request_id(request_id);
    return request;
  }

  static absl::StatusOr<v1::Model> Get(const std::string& name) {
    v1::GetModelRequest request;
    request.set_name(name);
    return Admin().GetModel(request);
  }

  static int64_t CountModels(const std::string& publisher) {
    v1::ListModelsRequest request;
    request.set_parent("publishers/" + publisher);
    request.set_show_deleted(true);
    auto all = Admin().ListAllModels(request);
    EXPECT_TRUE(all.ok()) << all.status();
    return all.ok() ? static_cast<int64_t>(all->size()) : -1;
  }

  static void ExpectReused(const absl::Status& status) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(std::string(status.message()), StartsWith("request_id: `"));
    EXPECT_THAT(std::string(status.message()), HasSubstr("different request"));
    const ErrorDetails details = GetErrorDetails(status);
    EXPECT_EQ(details.reason, "REQUEST_ID_REUSED");
    ASSERT_EQ(details.field_violations.size(), 1u);
    EXPECT_EQ(details.field_violations[0].field, "request_id");
  }

  static inline std::string alice_token_;
  static inline std::string bob_token_;
};

TEST_F(IdempotencyApiTest, CreateModelRetriedReturnsTheFirstModelAndCreatesOne) {
  const std::string id = GenerateRequestId();
  auto first = Alice().CreateModel(CreateRequest("idem-create", "m", id));
  ASSERT_OK(first);
  auto retry = Alice().CreateModel(CreateRequest("idem-create", "m", id));
  ASSERT_OK(retry);
  EXPECT_EQ(retry->SerializeAsString(), first->SerializeAsString());
  EXPECT_EQ(retry->revision(), 1);
  EXPECT_EQ(CountModels("idem-create"), 1);
  // Without the id, the same request is a new one: ALREADY_EXISTS.
  EXPECT_THAT(Alice().CreateModel(CreateRequest("idem-create", "m", "")), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(IdempotencyApiTest, CreateModelWithTheSameIdAndAnotherBodyIsInvalidAndChangesNothing) {
  const std::string id = GenerateRequestId();
  ASSERT_OK(Alice().CreateModel(CreateRequest("idem-other", "m", id)));
  v1::CreateModelRequest changed = CreateRequest("idem-other", "m", id);
  changed.mutable_model()->set_display_name("changed");
  ExpectReused(Alice().CreateModel(changed).status());
  ExpectReused(Alice().CreateModel(CreateRequest("idem-other", "n", id)).status());
  EXPECT_EQ(CountModels("idem-other"), 1);
  auto stored = Get("publishers/idem-other/models/m");
  ASSERT_OK(stored);
  EXPECT_EQ(stored->display_name(), "m");
  EXPECT_EQ(stored->revision(), 1);
}

TEST_F(IdempotencyApiTest, PrincipalsHaveIndependentIds) {
  const std::string id = GenerateRequestId();
  ASSERT_OK(Alice().CreateModel(CreateRequest("idem-principals", "by-alice", id)));
  auto by_bob = Bob().CreateModel(CreateRequest("idem-principals", "by-bob", id));
  ASSERT_OK(by_bob);
  EXPECT_EQ(by_bob->name(), "publishers/idem-principals/models/by-bob");
  EXPECT_EQ(CountModels("idem-principals"), 2);
}

TEST_F(IdempotencyApiTest, ConcurrentDuplicateCreatesApplyOnceAndAllGetTheSameModel) {
  const std::string id = GenerateRequestId();
  constexpr int kCallers = 8;
  std::vector<absl::StatusOr<v1::Model>> results(kCallers, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] { results[i] = Alice().CreateModel(CreateRequest("idem-race", "m", id)); });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& result : results) {
    ASSERT_OK(result);
    EXPECT_EQ(result->SerializeAsString(), results[0]->SerializeAsString());
  }
  EXPECT_EQ(CountModels("idem-race"), 1);
}

v1::BatchCreateModelsRequest Batch(const std::string& publisher, int count, const std::string& request_id) {
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/" + publisher);
  for (int i = 0; i < count; ++i) {
    v1::CreateModelRequest* item = batch.add_requests();
    item->set_model_id(absl::StrCat("b", i));
    item->mutable_model()->set_display_name(absl::StrCat("b", i));
  }
  batch.set_request_id(request_id);
  return batch;
}

TEST_F(IdempotencyApiTest, BatchCreateRetriedReturnsTheFirstResponseAndCreatesEachModelOnce) {
  const std::string id = GenerateRequestId();
  auto first = Alice().BatchCreateModels(Batch("idem-batch", 5, id));
  ASSERT_OK(first);
  ASSERT_EQ(first->models_size(), 5);
  auto retry = Alice().BatchCreateModels(Batch("idem-batch", 5, id));
  ASSERT_OK(retry);
  EXPECT_EQ(retry->SerializeAsString(), first->SerializeAsString());
  EXPECT_EQ(CountModels("idem-batch"), 5);

  ExpectReused(Alice().BatchCreateModels(Batch("idem-batch", 6, id)).status());
  EXPECT_EQ(CountModels("idem-batch"), 5);

  v1::BatchCreateModelsRequest item_id = Batch("idem-batch-items", 2, GenerateRequestId());
  item_id.mutable_requests(1)->set_request_id(GenerateRequestId());
  const absl::Status status = Alice().BatchCreateModels(item_id).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith("requests[1].request_id: must be empty"));
  EXPECT_EQ(CountModels("idem-batch-items"), 0);
}

TEST_F(IdempotencyApiTest, ConcurrentDuplicateBatchesApplyOnce) {
  const std::string id = GenerateRequestId();
  constexpr int kCallers = 6;
  std::vector<absl::StatusOr<v1::BatchCreateModelsResponse>> results(kCallers, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] { results[i] = Alice().BatchCreateModels(Batch("idem-batch-race", 50, id)); });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& result : results) {
    ASSERT_OK(result);
    EXPECT_EQ(result->SerializeAsString(), results[0]->SerializeAsString());
  }
  EXPECT_EQ(CountModels("idem-batch-race"), 50);
}

TEST_F(IdempotencyApiTest, UpdateDeleteUndeleteModelRetriedApplyOnce) {
  ASSERT_OK(Alice().CreateModel(CreateRequest("idem-update", "m", "")));
  v1::UpdateModelRequest update;
  update.mutable_model()->set_name("publishers/idem-update/models/m");
  update.mutable_model()->set_description("first");
  update.mutable_update_mask()->add_paths("description");
  update.set_request_id(GenerateRequestId());
  auto updated = Alice().UpdateModel(update);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->revision(), 2);
  auto again = Alice().UpdateModel(update);
  ASSERT_OK(again);
  EXPECT_EQ(again->SerializeAsString(), updated->SerializeAsString());
  update.mutable_model()->set_description("second");
  ExpectReused(Alice().UpdateModel(update).status());
  auto stored = Get("publishers/idem-update/models/m");
  ASSERT_OK(stored);
  EXPECT_EQ(stored->revision(), 2);
  EXPECT_EQ(stored->description(), "first");

  v1::DeleteModelRequest remove;
  remove.set_name("publishers/idem-update/models/m");
  remove.set_request_id(GenerateRequestId());
  auto deleted = Alice().DeleteModel(remove);
  ASSERT_OK(deleted);
  auto deleted_again = Alice().DeleteModel(remove);  // not NOT_FOUND: the first result
  ASSERT_OK(deleted_again);
  EXPECT_EQ(deleted_again->SerializeAsString(), deleted->SerializeAsString());

  v1::UndeleteModelRequest restore;
  restore.set_name("publishers/idem-update/models/m");
  restore.set_request_id(GenerateRequestId());
  auto restored = Alice().UndeleteModel(restore);
  ASSERT_OK(restored);
  auto restored_again = Alice().UndeleteModel(restore);  // not FAILED_PRECONDITION
  ASSERT_OK(restored_again);
  EXPECT_EQ(restored_again->SerializeAsString(), restored->SerializeAsString());
  stored = Get("publishers/idem-update/models/m");
  ASSERT_OK(stored);
  EXPECT_EQ(stored->revision(), 4);
  EXPECT_FALSE(stored->has_delete_time());
}

TEST_F(IdempotencyApiTest, LicenseMutationsRetriedApplyOnce) {
  Client admin = Admin();  // the license catalog needs a binding on `licenses`; the admin's `*` has it
  admin.set_retry_policy(RetryPolicy{1});
  v1::CreateLicenseRequest create;
  create.set_license_id("idem-license");
  create.mutable_license()->set_display_name("Idem");
  create.set_request_id(GenerateRequestId());
  auto created = admin.CreateLicense(create);
  ASSERT_OK(created);
  auto created_again = admin.CreateLicense(create);
  ASSERT_OK(created_again);
  EXPECT_EQ(created_again->SerializeAsString(), created->SerializeAsString());

  v1::UpdateLicenseRequest update;
  update.mutable_license()->set_name("licenses/idem-license");
  update.mutable_license()->set_display_name("Idem 2");
  update.mutable_update_mask()->add_paths("display_name");
  update.set_request_id(GenerateRequestId());
  auto updated = admin.UpdateLicense(update);
  ASSERT_OK(updated);
  auto updated_again = admin.UpdateLicense(update);
  ASSERT_OK(updated_again);
  EXPECT_EQ(updated_again->SerializeAsString(), updated->SerializeAsString());

  v1::DeleteLicenseRequest remove;
  remove.set_name("licenses/idem-license");
  remove.set_request_id(GenerateRequestId());
  auto deleted = admin.DeleteLicense(remove);
  ASSERT_OK(deleted);
  auto deleted_again = admin.DeleteLicense(remove);
  ASSERT_OK(deleted_again);
  EXPECT_EQ(deleted_again->SerializeAsString(), deleted->SerializeAsString());

  v1::UndeleteLicenseRequest restore;
  restore.set_name("licenses/idem-license");
  restore.set_request_id(GenerateRequestId());
  auto restored = admin.UndeleteLicense(restore);
  ASSERT_OK(restored);
  auto restored_again = admin.UndeleteLicense(restore);
  ASSERT_OK(restored_again);
  EXPECT_EQ(restored_again->SerializeAsString(), restored->SerializeAsString());
  // The same id as the delete, for the undelete: another request.
  restore.set_request_id(remove.request_id());
  ExpectReused(admin.UndeleteLicense(restore).status());
}

TEST_F(IdempotencyApiTest, CreateTokenRetryNamesTheTokenButNeverReplaysOrStoresItsSecret) {
  Client admin = Admin();
  v1::CreateTokenRequest request;
  request.mutable_token()->set_principal("idem-ci");
  auto* binding = request.mutable_token()->add_bindings();
  binding->set_role(v1::ROLE_VIEWER);
  binding->set_scope("*");
  request.set_request_id(GenerateRequestId());
  auto created = admin.CreateToken(request);
  ASSERT_OK(created);
  ASSERT_FALSE(created->secret().empty());

  const absl::Status retry = admin.CreateToken(request).status();
  EXPECT_EQ(retry.code(), absl::StatusCode::kAlreadyExists) << retry;
  EXPECT_THAT(std::string(retry.message()), HasSubstr(created->token().name()));
  EXPECT_THAT(std::string(retry.message()), ::testing::Not(HasSubstr(created->secret())));
  const ErrorDetails details = GetErrorDetails(retry);
  EXPECT_EQ(details.reason, "TOKEN_ALREADY_CREATED");
  EXPECT_EQ(details.metadata.at("resource"), created->token().name());

  // One token for the principal, and its secret is nowhere in the database's record of the request.
  auto tokens = admin.ListTokens(v1::ListTokensRequest());
  ASSERT_OK(tokens);
  int for_principal = 0;
  for (const v1::Token& token : tokens->tokens()) for_principal += token.principal() == "idem-ci" ? 1 : 0;
  EXPECT_EQ(for_principal, 1);
  std::string response;
  ASSERT_OK(RunSingleStatement(server_->pool(), [&](Transaction& tx) {
    const pqxx::result rows = tx.sql().exec_params(
        "SELECT response FROM request_ids WHERE method = 'modelreg.v1.CreateTokenRequest' AND request_id = $1::uuid",
        request.request_id());
    if (rows.size() != 1) return absl::NotFoundError("no record");
    response = pqxx::binarystring(rows[0][0]).str();
    return absl::OkStatus();
  }));
  v1::CreateTokenResponse recorded;
  ASSERT_TRUE(recorded.ParseFromString(response));
  EXPECT_EQ(recorded.token().name(), created->token().name());
  EXPECT_TRUE(recorded.secret().empty());
  EXPECT_EQ(response.find(created->secret()), std::string::npos);

  // RevokeToken retried: the first result, not an error.
  v1::RevokeTokenRequest revoke;
  revoke.set_name(created->token().name());
  revoke.set_request_id(GenerateRequestId());
  auto revoked = admin.RevokeToken(revoke);
  ASSERT_OK(revoked);
  auto revoked_again = admin.RevokeToken(revoke);
  ASSERT_OK(revoked_again);
  EXPECT_EQ(revoked_again->SerializeAsString(), revoked->SerializeAsString());
}

TEST_F(IdempotencyApiTest, AMalformedRequestIdIsInvalidArgumentNamingTheField) {
  const absl::Status status = Alice().CreateModel(CreateRequest("idem-malformed", "m", "12345")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith("request_id: `12345` is not a UUID"));
  const ErrorDetails details = GetErrorDetails(status);
  ASSERT_EQ(details.field_violations.size(), 1u);
  EXPECT_EQ(details.field_violations[0].field, "request_id");
  EXPECT_EQ(CountModels("idem-malformed"), 0);
}

TEST_F(IdempotencyApiTest, TheClientSendsAnIdOfItsOwnWhenTheCallerSetsNone) {
  // Two calls without ids are two requests: the second is ALREADY_EXISTS, not a replay.
  ASSERT_OK(Alice().CreateModel(CreateRequest("idem-generated", "m", "")));
  EXPECT_THAT(Alice().CreateModel(CreateRequest("idem-generated", "m", "")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  int64_t records = 0;
  ASSERT_OK(RunSingleStatement(server_->pool(), [&](Transaction& tx) {
    records = tx.sql()
                  .exec(
                      "SELECT count(*) FROM request_ids WHERE principal = 'alice' AND "
                      "method = 'modelreg.v1.CreateModelRequest'")[0][0]
                  .as<int64_t>();
    return absl::OkStatus();
  }));
  EXPECT_GE(records, 1);  // the generated id of the first call was recorded
}

}  // namespace
}  // namespace modelreg::testing

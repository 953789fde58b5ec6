// Request ids over in-memory stores: IdempotentCalls (the replay rule, the fingerprint check, pruning) and how the
// services use it (every mutation, BatchCreateModels' items, UpdateLicense's follow-up reassessment). The same over
// PostgreSQL and gRPC, with concurrent duplicates and the token secret: tests/integration/api/idempotency_api_test.cc.
#include "server/service/idempotent_calls.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/errors.h"
#include "server/service/license_service.h"
#include "server/service/model_service.h"
#include "tests/support/status_matchers.h"
#include "tests/unit/service/fake_repositories.h"
#include "tests/unit/service/service_test_data.h"

namespace modelreg {
namespace {

using ::modelreg::testing::CreateModelRequest;
using ::modelreg::testing::FakeRequestIdRepository;
using ::modelreg::testing::FakeStores;
using ::modelreg::testing::OpenLicense;
using ::modelreg::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kId[] = "8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b13";
constexpr char kOtherId[] = "1d7c2a90-55e3-4c0e-8f51-0b6a7c9d2e48";

// A valid request id numbered `n`.
std::string IdFor(int n) { return absl::StrFormat("00000000-0000-4000-8000-%012d", n); }

Principal Editor(const std::string& name) {
  Principal principal;
  principal.name = name;
  principal.bindings.push_back({v1::ROLE_EDITOR, "*"});
  return principal;
}

class IdempotentCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::CreateLicenseRequest license;
    license.set_license_id("apache-2.0");
    *license.mutable_license() = OpenLicense("apache-2.0");
    ASSERT_OK(licenses_.CreateLicense(license));
  }

  static v1::CreateModelRequest Create(const std::string& id, const std::string& request_id = kId) {
    v1::CreateModelRequest request = CreateModelRequest("acme", id);
    request.set_request_id(request_id);
    return request;
  }

  FakeStores stores_;
  FakeRequestIdRepository records_;
  IdempotentCalls calls_{&records_};
  ModelService models_{&stores_.models, &stores_.licenses, &calls_};
  LicenseService licenses_{&stores_.licenses, &models_, &calls_};
  const Principal alice_ = Editor("alice");
  const Principal bob_ = Editor("bob");
};

TEST_F(IdempotentCallsTest, ARetryReturnsTheFirstResponseWithoutCallingTheStoreAgain) {
  auto first = models_.CreateModel(Create("chat"), alice_);
  ASSERT_OK(first);
  auto retry = models_.CreateModel(Create("chat"), alice_);
  ASSERT_OK(retry);
  EXPECT_EQ(retry->SerializeAsString(), first->SerializeAsString());
  EXPECT_EQ(stores_.models.calls().create, 1);
  EXPECT_EQ(stores_.models.size(), 1u);
  ASSERT_EQ(records_.records().size(), 1u);
  const auto& record = records_.records().begin()->second;
  EXPECT_EQ(records_.records().begin()->first, std::make_pair(std::string("alice"), std::string(kId)));
  EXPECT_EQ(record.method, "modelreg.v1.CreateModelRequest");
  EXPECT_EQ(record.response, first->SerializeAsString());
}

TEST_F(IdempotentCallsTest, TheIdIsCaseInsensitive) {
  ASSERT_OK(models_.CreateModel(Create("chat"), alice_));
  std::string upper = kId;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_OK(models_.CreateModel(Create("chat", upper), alice_));
  EXPECT_EQ(stores_.models.calls().create, 1);
}

TEST_F(IdempotentCallsTest, TheSameIdWithAnotherRequestIsInvalidAndChangesNothing) {
  ASSERT_OK(models_.CreateModel(Create("chat"), alice_));
  auto other = models_.CreateModel(Create("other"), alice_);
  EXPECT_THAT(other, StatusIs(absl::StatusCode::kInvalidArgument,
                              AllOf(StartsWith("request_id: `8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b13` was already used"),
                                    HasSubstr("different request"))));
  EXPECT_EQ(ErrorReason(other.status()), "REQUEST_ID_REUSED");
  EXPECT_EQ(stores_.models.calls().create, 1);
  EXPECT_FALSE(stores_.models.Get("publishers/acme/models/other").ok());

  // Another method with the same id: named in the message.
  v1::DeleteModelRequest remove;
  remove.set_name("publishers/acme/models/chat");
  remove.set_request_id(kId);
  EXPECT_THAT(models_.DeleteModel(remove, alice_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(modelreg.v1.CreateModelRequest)")));
  EXPECT_EQ(stores_.models.calls().update, 0);
}

TEST_F(IdempotentCallsTest, PrincipalsHaveTheirOwnIds) {
  ASSERT_OK(models_.CreateModel(Create("chat"), alice_));
  ASSERT_OK(models_.CreateModel(Create("other"), bob_));
  EXPECT_EQ(stores_.models.size(), 2u);
  EXPECT_EQ(records_.records().size(), 2u);
}

TEST_F(IdempotentCallsTest, AFailedCallIsNotRecordedAndItsRetryRuns) {
  v1::CreateModelRequest bad = Create("chat");
  bad.mutable_model()->mutable_weights()->set_license("licenses/unknown");
  EXPECT_THAT(models_.CreateModel(bad, alice_), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(records_.records().empty());
  // Fixed, with the same id: it runs.
  ASSERT_OK(models_.CreateModel(Create("chat"), alice_));
  EXPECT_EQ(stores_.models.size(), 1u);
}

TEST_F(IdempotentCallsTest, WithoutARequestIdEveryCallRuns) {
  v1::CreateModelRequest request = Create("chat", "");
  ASSERT_OK(models_.CreateModel(request, alice_));
  EXPECT_THAT(models_.CreateModel(request, alice_), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_TRUE(records_.records().empty());
  EXPECT_EQ(records_.bodies_run(), 0);
}

TEST_F(IdempotentCallsTest, AMalformedIdIsInvalidBeforeAnythingRuns) {
  auto result = models_.CreateModel(Create("chat", "not-a-uuid"), alice_);
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("request_id: `not-a-uuid` is not a UUID")));
  EXPECT_EQ(FieldViolations(result.status()).at(0).first, "request_id");
  EXPECT_EQ(stores_.models.calls().create, 0);
  EXPECT_EQ(records_.bodies_run(), 0);
}

TEST_F(IdempotentCallsTest, AServiceWithoutARecordRefusesRequestIds) {
  ModelService unrecorded(&stores_.models, &stores_.licenses);
  EXPECT_THAT(unrecorded.CreateModel(Create("chat"), alice_), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(stores_.models.calls().create, 0);
  ASSERT_OK(unrecorded.CreateModel(Create("chat", ""), alice_));
}

TEST_F(IdempotentCallsTest, DeleteRetriedAfterSuccessReturnsTheDeletedModelNotAnError) {
  ASSERT_OK(models_.CreateModel(Create("chat", ""), alice_));
  v1::DeleteModelRequest remove;
  remove.set_name("publishers/acme/models/chat");
  remove.set_request_id(kOtherId);
  auto first = models_.DeleteModel(remove, alice_);
  ASSERT_OK(first);
  auto retry = models_.DeleteModel(remove, alice_);
  ASSERT_OK(retry);
  EXPECT_EQ(retry->SerializeAsString(), first->SerializeAsString());
  EXPECT_EQ(stores_.models.calls().update, 1);
  // Without the id, deleting again is NOT_FOUND (already deleted).
  remove.clear_request_id();
  EXPECT_THAT(models_.DeleteModel(remove, alice_), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(IdempotentCallsTest, BatchItemsCannotCarryTheirOwnIds) {
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/acme");
  *batch.add_requests() = Create("a", "");
  *batch.add_requests() = Create("b", kOtherId);
  batch.set_request_id(kId);
  auto result = models_.BatchCreateModels(batch, alice_);
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("requests[1].request_id: must be empty")));
  EXPECT_EQ(stores_.models.size(), 0u);
  batch.mutable_requests(1)->clear_request_id();
  auto created = models_.BatchCreateModels(batch, alice_);
  ASSERT_OK(created);
  auto retry = models_.BatchCreateModels(batch, alice_);
  ASSERT_OK(retry);
  EXPECT_EQ(retry->SerializeAsString(), created->SerializeAsString());
  EXPECT_EQ(stores_.models.calls().create_batch, 1);
}

TEST_F(IdempotentCallsTest, UpdateLicenseReplayDoesNotReassessAgain) {
  v1::UpdateLicenseRequest update;
  update.mutable_license()->set_name("licenses/apache-2.0");
  update.mutable_license()->set_display_name("Apache 2");
  update.mutable_update_mask()->add_paths("display_name");
  update.set_request_id(kId);
  ASSERT_OK(licenses_.UpdateLicense(update, alice_));
  ASSERT_EQ(stores_.models.calls().reassess.size(), 1u);
  EXPECT_EQ(stores_.models.calls().reassess[0].license_id, "apache-2.0");
  ASSERT_OK(licenses_.UpdateLicense(update, alice_));
  EXPECT_EQ(stores_.models.calls().reassess.size(), 1u);
  EXPECT_EQ(stores_.licenses.calls().update, 1);
}

TEST_F(IdempotentCallsTest, PruneForgetsIdsOlderThanTheRetention) {
  IdempotentCalls::Options options;
  options.retention = absl::Hours(24);
  options.prune_batch = 2;  // several batches
  IdempotentCalls calls(&records_, options);
  ModelService models(&stores_.models, &stores_.licenses, &calls);
  for (int i = 1; i <= 3; ++i) ASSERT_OK(models.CreateModel(Create(absl::StrCat("m", i), IdFor(i)), alice_));
  records_.Age(absl::Hours(23));
  ASSERT_OK(models.CreateModel(Create("m4"), alice_));
  auto pruned = calls.Prune();
  ASSERT_OK(pruned);
  EXPECT_EQ(*pruned, 0);
  records_.Age(absl::Hours(2));  // m1-m3 are 25 hours old, m4 2 hours
  pruned = calls.Prune();
  ASSERT_OK(pruned);
  EXPECT_EQ(*pruned, 3);
  EXPECT_EQ(records_.records().size(), 1u);
  // A forgotten id runs again (here: the model exists, so ALREADY_EXISTS).
  EXPECT_THAT(models.CreateModel(Create("m1", IdFor(1)), alice_), StatusIs(absl::StatusCode::kAlreadyExists));
}

}  // namespace
}  // namespace modelreg

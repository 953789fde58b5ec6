// History over real gRPC on loopback and real PostgreSQL: a revision for every mutation kind with its principal and
// request id, written in the change's own transaction; reads as of a time (before creation, between updates, after
// deletion); REASSESS revisions when a license change moves a model's assessment; paging and errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using ::google::protobuf::util::TimeUtil;
using GV = v1::Governance::Stub;
using HS = v1::History::Stub;
using LC = v1::LicenseCatalog::Stub;
using MR = v1::ModelRegistry::Stub;

constexpr char kRequestId[] = "0b6f3f0e-4f1c-4b7e-9a2d-6a1f3c5e7d90";

class HistoryApiTest : public SharedApiServerTest {
 protected:
  static absl::StatusOr<v1::ListRevisionsResponse> Revisions(const std::string& name, int page_size = 0,
                                                             const std::string& page_token = "") {
    v1::ListRevisionsRequest request;
    request.set_name(name);
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    return Call(server_->history(), &HS::ListRevisions, request);
  }

  static absl::StatusOr<v1::Model> ModelAt(const std::string& name, const google::protobuf::Timestamp& time) {
    v1::GetModelRequest request;
    request.set_name(name);
    *request.mutable_read_time() = time;
    return Call(server_->models(), &MR::GetModel, request);
  }

  static google::protobuf::Timestamp Before(const google::protobuf::Timestamp& t) {
    return t - TimeUtil::MicrosecondsToDuration(1);
  }
};

TEST_F(HistoryApiTest, EveryMutationOfAModelIsARevisionWithItsAuthor) {
  const std::string name = "publishers/hist/models/lifecycle";
  v1::CreateModelRequest create;
  create.set_parent("publishers/hist");
  create.set_model_id("lifecycle");
  create.mutable_model()->set_display_name("First name");
  create.set_request_id(kRequestId);
  auto created = Call(server_->models(), &MR::CreateModel, create);
  ASSERT_OK(created);

  v1::UpdateModelRequest update;
  update.mutable_model()->set_name(name);
  update.mutable_model()->set_display_name("Second name");
  update.mutable_update_mask()->add_paths("display_name");
  auto updated = Call(server_->models(), &MR::UpdateModel, update);
  ASSERT_OK(updated);
  v1::DeleteModelRequest remove;
  remove.set_name(name);
  auto deleted = Call(server_->models(), &MR::DeleteModel, remove);
  ASSERT_OK(deleted);
  v1::UndeleteModelRequest restore;
  restore.set_name(name);
  ASSERT_OK(Call(server_->models(), &MR::UndeleteModel, restore));

  auto history = Revisions(name);
  ASSERT_OK(history);
  ASSERT_EQ(history->revisions_size(), 4);
  const v1::ChangeKind expected[] = {v1::CHANGE_KIND_CREATE, v1::CHANGE_KIND_UPDATE, v1::CHANGE_KIND_DELETE,
                                     v1::CHANGE_KIND_UNDELETE};
  for (int i = 0; i < 4; ++i) {
    const v1::Revision& r = history->revisions(i);
    EXPECT_EQ(r.change(), expected[i]) << i;
    EXPECT_EQ(r.resource(), name);
    EXPECT_EQ(r.resource_revision(), i + 1);
    EXPECT_EQ(r.principal(), "test-admin");
    EXPECT_EQ(r.model().revision(), i + 1);
    if (i > 0) {
      EXPECT_GT(r.sequence(), history->revisions(i - 1).sequence());
    }
  }
  EXPECT_EQ(history->revisions(0).request_id(), kRequestId);
  EXPECT_EQ(history->revisions(1).request_id(), "");
  EXPECT_EQ(history->revisions(0).model().display_name(), "First name");
  EXPECT_EQ(history->revisions(1).model().display_name(), "Second name");
  EXPECT_EQ(history->revisions(1).model().etag(), updated->etag()) << "the record as the call returned it";
  EXPECT_TRUE(history->revisions(2).model().has_delete_time());
  EXPECT_FALSE(history->revisions(3).model().has_delete_time());

  // One revision by its sequence; a sequence of another resource is not this one's.
  v1::GetRevisionRequest get;
  get.set_name(name);
  get.set_sequence(history->revisions(1).sequence());
  auto one = Call(server_->history(), &HS::GetRevision, get);
  ASSERT_OK(one);
  EXPECT_EQ(one->model().display_name(), "Second name");
  get.set_sequence(history->revisions(3).sequence() + 1000000);
  EXPECT_EQ(Call(server_->history(), &HS::GetRevision, get).status().code(), absl::StatusCode::kNotFound);

  // Reads as of a time: before creation, between the updates, after the deletion.
  EXPECT_EQ(ModelAt(name, Before(created->create_time())).status().code(), absl::StatusCode::kNotFound);
  auto first = ModelAt(name, Before(updated->update_time()));
  ASSERT_OK(first);
  EXPECT_EQ(first->display_name(), "First name");
  EXPECT_EQ(first->revision(), 1);
  auto then = ModelAt(name, deleted->update_time());
  ASSERT_OK(then);
  EXPECT_TRUE(then->has_delete_time());
  EXPECT_EQ(then->display_name(), "Second name");
}

TEST_F(HistoryApiTest, ALicenseChangeRecordsAReassessmentOfItsModels) {
  v1::CreateLicenseRequest license;
  license.set_license_id("hist-community");
  license.mutable_license()->set_display_name("History Community License");
  license.mutable_license()->set_category(v1::License::CATEGORY_PERMISSIVE);
  license.mutable_license()->set_commercial_use(v1::License::COMMERCIAL_USE_ALLOWED);
  auto created_license = Call(server_->licenses(), &LC::CreateLicense, license);
  ASSERT_OK(created_license);
  v1::CreateModelRequest model;
  model.set_parent("publishers/hist");
  model.set_model_id("licensed");
  model.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
  model.mutable_model()->mutable_weights()->set_license("licenses/hist-community");
  auto created_model = Call(server_->models(), &MR::CreateModel, model);
  ASSERT_OK(created_model);

  v1::UpdateLicenseRequest update;
  *update.mutable_license() = *created_license;
  v1::License::UsageThreshold* threshold = update.mutable_license()->add_usage_thresholds();
  threshold->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  threshold->set_limit(1000000);
  threshold->set_consequence(v1::License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
  update.mutable_license()->set_category(v1::License::CATEGORY_COMMUNITY);
  update.mutable_update_mask()->add_paths("usage_thresholds");
  update.mutable_update_mask()->add_paths("category");
  ASSERT_OK(Call(server_->licenses(), &LC::UpdateLicense, update));
  ASSERT_OK(server_->WaitUntilReassessed());  // in the background, authored by the updater all the same

  auto license_history = Revisions("licenses/hist-community");
  ASSERT_OK(license_history);
  ASSERT_EQ(license_history->revisions_size(), 2);
  EXPECT_EQ(license_history->revisions(1).change(), v1::CHANGE_KIND_UPDATE);
  EXPECT_EQ(license_history->revisions(1).license().usage_thresholds_size(), 1);

  auto model_history = Revisions("publishers/hist/models/licensed");
  ASSERT_OK(model_history);
  ASSERT_EQ(model_history->revisions_size(), 2);
  const v1::Revision& reassessed = model_history->revisions(1);
  EXPECT_EQ(reassessed.change(), v1::CHANGE_KIND_REASSESS);
  EXPECT_EQ(reassessed.principal(), "test-admin") << "the caller whose license change moved the assessment";
  EXPECT_EQ(reassessed.resource_revision(), 1) << "a reassessment is no new revision of the model";
  EXPECT_FALSE(
      google::protobuf::util::MessageDifferencer::Equals(reassessed.model().openness(), created_model->openness()))
      << "the revision carries the new assessment";

  // The license as it was before the change.
  v1::GetLicenseRequest at;
  at.set_name("licenses/hist-community");
  *at.mutable_read_time() = created_model->create_time();
  auto before = Call(server_->licenses(), &LC::GetLicense, at);
  ASSERT_OK(before);
  EXPECT_EQ(before->usage_thresholds_size(), 0);
}

TEST_F(HistoryApiTest, GovernanceResourcesHaveHistoryAndPagesAreKeyed) {
  v1::CreateOrganizationRequest org;
  org.set_organization_id("hist-org");
  org.mutable_organization()->set_display_name("v1");
  ASSERT_OK(Call(server_->governance(), &GV::CreateOrganization, org));
  for (const char* name : {"v2", "v3", "v4"}) {
    v1::UpdateOrganizationRequest update;
    update.mutable_organization()->set_name("organizations/hist-org");
    update.mutable_organization()->set_display_name(name);
    update.mutable_update_mask()->add_paths("display_name");
    ASSERT_OK(Call(server_->governance(), &GV::UpdateOrganization, update));
  }
  auto page = Revisions("organizations/hist-org", 3);
  ASSERT_OK(page);
  ASSERT_EQ(page->revisions_size(), 3);
  EXPECT_EQ(page->revisions(0).organization().display_name(), "v1");
  ASSERT_FALSE(page->next_page_token().empty());
  auto rest = Revisions("organizations/hist-org", 3, page->next_page_token());
  ASSERT_OK(rest);
  ASSERT_EQ(rest->revisions_size(), 1);
  EXPECT_EQ(rest->revisions(0).organization().display_name(), "v4");
  EXPECT_TRUE(rest->next_page_token().empty());

  EXPECT_EQ(Revisions("organizations/never-made").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Revisions("organizations/deployments/policies/p").status().code(), absl::StatusCode::kNotFound)
      << "a valid policy name whose organization is called `deployments`";
  v1::GetRevisionRequest zero;
  zero.set_name("organizations/hist-org");
  EXPECT_EQ(Call(server_->history(), &HS::GetRevision, zero).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Revisions("not-a-name").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Revisions("organizations/hist-org", 3, "garbage").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelreg::testing

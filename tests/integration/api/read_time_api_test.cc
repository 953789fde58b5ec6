// Lists as of a time over real gRPC on loopback and real PostgreSQL: ListModels with `read_time` (before creation,
// between updates with a filter on the changed field, after a deletion with and without show_deleted, `license.*`
// fields reading the licenses of then, paging, tokens bound to the read_time, invalid and future times) and
// EvaluateCompliance with `read_time` (the status of before a license change, no row before the deployment existed,
// a policy added later not applied, NOT_FOUND before the organization existed).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "google/protobuf/util/time_util.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using GV = v1::Governance::Stub;
using LC = v1::LicenseCatalog::Stub;
using MR = v1::ModelRegistry::Stub;

class ReadTimeApiTest : public SharedApiServerTest {
 protected:
  static absl::StatusOr<v1::Model> CreateModel(const std::string& publisher, const std::string& id,
                                               const std::string& family, const std::string& license = "") {
    v1::CreateModelRequest request;
    request.set_parent("publishers/" + publisher);
    request.set_model_id(id);
    request.mutable_model()->set_family(family);
    if (!license.empty()) {
      request.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
      request.mutable_model()->mutable_weights()->set_license(license);
    }
    return Call(server_->models(), &MR::CreateModel, request);
  }

  static absl::StatusOr<v1::ListModelsResponse> ListAt(const std::string& publisher,
                                                       const google::protobuf::Timestamp& time,
                                                       const std::string& filter = "", bool show_deleted = false,
                                                       int page_size = 0, const std::string& page_token = "") {
    v1::ListModelsRequest request;
    request.set_parent("publishers/" + publisher);
    *request.mutable_read_time() = time;
    request.set_filter(filter);
    request.set_show_deleted(show_deleted);
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    return Call(server_->models(), &MR::ListModels, request);
  }

  static std::vector<std::string> Names(const v1::ListModelsResponse& response) {
    std::vector<std::string> names;
    for (const v1::Model& model : response.models()) names.push_back(model.name());
    return names;
  }

  static absl::StatusOr<v1::EvaluateComplianceResponse> ReportAt(const std::string& organization,
                                                                 const google::protobuf::Timestamp* time) {
    v1::EvaluateComplianceRequest request;
    request.set_organization(organization);
    if (time != nullptr) *request.mutable_read_time() = *time;
    return Call(server_->governance(), &GV::EvaluateCompliance, request);
  }

  static google::protobuf::Timestamp Before(const google::protobuf::Timestamp& t) {
    return t - TimeUtil::MicrosecondsToDuration(1);
  }
};

TEST_F(ReadTimeApiTest, ListModelsAnswersWithTheRecordsOfThen) {
  auto alpha = CreateModel("asof", "a", "alpha");
  ASSERT_OK(alpha);
  auto other = CreateModel("asof", "b", "other");
  ASSERT_OK(other);
  v1::UpdateModelRequest update;
  update.mutable_model()->set_name(alpha->name());
  update.mutable_model()->set_family("beta");
  update.mutable_update_mask()->add_paths("family");
  auto updated = Call(server_->models(), &MR::UpdateModel, update);
  ASSERT_OK(updated);
  v1::DeleteModelRequest remove;
  remove.set_name(other->name());
  auto deleted = Call(server_->models(), &MR::DeleteModel, remove);
  ASSERT_OK(deleted);

  // Before the first creation: nothing.
  auto empty = ListAt("asof", Before(alpha->create_time()));
  ASSERT_OK(empty);
  EXPECT_EQ(empty->models_size(), 0);

  // Between the creation and the update: the old family, which a filter matches; the new one does not yet.
  const google::protobuf::Timestamp between = Before(updated->update_time());
  auto old_family = ListAt("asof", between, "family = \"alpha\"");
  ASSERT_OK(old_family);
  ASSERT_THAT(Names(*old_family), ElementsAre(alpha->name()));
  EXPECT_EQ(old_family->models(0).family(), "alpha");
  EXPECT_EQ(old_family->models(0).revision(), 1);
  EXPECT_EQ(old_family->models(0).etag(), alpha->etag()) << "the record exactly as it was";
  auto new_family = ListAt("asof", between, "family = \"beta\"");
  ASSERT_OK(new_family);
  EXPECT_EQ(new_family->models_size(), 0);
  auto both = ListAt("asof", between);
  ASSERT_OK(both);
  EXPECT_THAT(Names(*both), ElementsAre(alpha->name(), other->name())) << "b not deleted yet";

  // After the deletion: b is gone, unless soft-deleted models are asked for; a has its new family.
  auto after = ListAt("asof", deleted->update_time());
  ASSERT_OK(after);
  ASSERT_THAT(Names(*after), ElementsAre(alpha->name()));
  EXPECT_EQ(after->models(0).family(), "beta");
  auto with_deleted = ListAt("asof", deleted->update_time(), "", /*show_deleted=*/true);
  ASSERT_OK(with_deleted);
  ASSERT_THAT(Names(*with_deleted), ElementsAre(alpha->name(), other->name()));
  EXPECT_TRUE(with_deleted->models(1).has_delete_time());
}

TEST_F(ReadTimeApiTest, ListModelsPagesAsOfATimeWithTokensBoundToIt) {
  std::vector<std::string> created;
  google::protobuf::Timestamp then;
  for (const char* id : {"m1", "m2", "m3", "m4", "m5"}) {
    auto model = CreateModel("asof-pages", id, "paged");
    ASSERT_OK(model);
    created.push_back(model->name());
    then = model->create_time();
  }
  // Later changes the walk as of `then` must not see.
  ASSERT_OK(CreateModel("asof-pages", "m0", "paged"));
  ASSERT_OK(CreateModel("asof-pages", "m6", "paged"));
  v1::DeleteModelRequest remove;
  remove.set_name(created[2]);
  ASSERT_OK(Call(server_->models(), &MR::DeleteModel, remove));

  std::vector<std::string> walked;
  std::string token;
  int pages = 0;
  do {
    auto page = ListAt("asof-pages", then, "", false, 2, token);
    ASSERT_OK(page);
    for (const v1::Model& model : page->models()) walked.push_back(model.name());
    token = page->next_page_token();
    ++pages;
    if (pages == 1) {
      ASSERT_FALSE(token.empty());
      // The token belongs to this read_time: another one, or none, is refused.
      absl::Status other_time = ListAt("asof-pages", Before(then), "", false, 2, token).status();
      EXPECT_EQ(other_time.code(), absl::StatusCode::kInvalidArgument) << other_time;
      EXPECT_THAT(other_time.message(), HasSubstr("page_token"));
      v1::ListModelsRequest now;
      now.set_parent("publishers/asof-pages");
      now.set_page_size(2);
      now.set_page_token(token);
      EXPECT_EQ(Call(server_->models(), &MR::ListModels, now).status().code(), absl::StatusCode::kInvalidArgument);
    }
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(walked, created);
}

TEST_F(ReadTimeApiTest, ListModelsRefusesAnInvalidOrFutureReadTime) {
  google::protobuf::Timestamp future = TimeUtil::GetCurrentTime() + TimeUtil::SecondsToDuration(3600);
  absl::Status status = ListAt("asof", future).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("read_time"));
  google::protobuf::Timestamp invalid;
  invalid.set_seconds(1);
  invalid.set_nanos(-5);
  status = ListAt("asof", invalid).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("read_time"));
  // EvaluateCompliance checks it the same way.
  status = ReportAt("organizations/asof-any", &future).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("read_time"));
}

TEST_F(ReadTimeApiTest, ComplianceAsOfATimeUsesTheRecordsOfThen) {
  v1::CreateLicenseRequest license;
  license.set_license_id("asof-community");
  license.mutable_license()->set_display_name("As-of Community License");
  license.mutable_license()->set_category(v1::License::CATEGORY_COMMUNITY);
  license.mutable_license()->set_commercial_use(v1::License::COMMERCIAL_USE_ALLOWED);
  auto created_license = Call(server_->licenses(), &LC::CreateLicense, license);
  ASSERT_OK(created_license);
  auto model = CreateModel("asof-gov", "community", "community", "licenses/asof-community");
  ASSERT_OK(model);

  v1::CreateOrganizationRequest org;
  org.set_organization_id("asof-watcher");
  org.mutable_organization()->set_display_name("watcher");
  org.mutable_organization()->set_monthly_active_users(5000000);
  org.mutable_organization()->set_annual_revenue_usd(50000000);
  org.mutable_organization()->set_commercial(true);
  org.mutable_organization()->set_country("US");
  auto created_org = Call(server_->governance(), &GV::CreateOrganization, org);
  ASSERT_OK(created_org);
  v1::CreateDeploymentRequest deployment;
  deployment.set_parent(created_org->name());
  deployment.set_deployment_id("bot");
  v1::Deployment* d = deployment.mutable_deployment();
  d->set_model(model->name());
  d->set_hosting(v1::HOSTING_SELF_HOSTED);
  d->set_purpose("support chat");
  d->set_purpose_category(v1::Deployment::PURPOSE_CATEGORY_CUSTOMER_FACING);
  d->set_train_on_outputs(false);
  d->set_distillation(false);
  d->set_state(v1::Deployment::STATE_APPROVED);
  auto created_deployment = Call(server_->governance(), &GV::CreateDeployment, deployment);
  ASSERT_OK(created_deployment);
  const google::protobuf::Timestamp compliant_at = created_deployment->create_time();

  // Later: the licensor adds a 1M monthly-user threshold (the organization has 5M), and an audit policy the model
  // fails is added.
  v1::UpdateLicenseRequest update;
  *update.mutable_license() = *created_license;
  v1::License::UsageThreshold* threshold = update.mutable_license()->add_usage_thresholds();
  threshold->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  threshold->set_limit(1000000);
  threshold->set_consequence(v1::License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
  update.mutable_update_mask()->add_paths("usage_thresholds");
  ASSERT_OK(Call(server_->licenses(), &LC::UpdateLicense, update));
  ASSERT_OK(server_->WaitUntilReassessed());  // the models' assessments follow in the background
  v1::CreatePolicyRequest policy;
  policy.set_parent(created_org->name());
  policy.set_policy_id("open-only");
  policy.mutable_policy()->set_filter("openness.level >= 5");
  policy.mutable_policy()->set_mode(v1::Policy::MODE_AUDIT);
  auto created_policy = Call(server_->governance(), &GV::CreatePolicy, policy);
  ASSERT_OK(created_policy);

  auto now = ReportAt(created_org->name(), nullptr);
  ASSERT_OK(now);
  ASSERT_EQ(now->rows_size(), 1);
  EXPECT_EQ(now->rows(0).status(), v1::ComplianceRow::STATUS_NON_COMPLIANT);
  EXPECT_EQ(now->rows(0).verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_EQ(now->rows(0).violated_policies_size(), 1);

  // At the deployment's creation: compliant, under the license and policies of then.
  auto then = ReportAt(created_org->name(), &compliant_at);
  ASSERT_OK(then);
  ASSERT_EQ(then->rows_size(), 1);
  EXPECT_EQ(then->rows(0).deployment(), created_deployment->name());
  EXPECT_EQ(then->rows(0).status(), v1::ComplianceRow::STATUS_COMPLIANT);
  EXPECT_NE(then->rows(0).verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_EQ(then->rows(0).violated_policies_size(), 0);
  EXPECT_EQ(then->evaluate_time(), compliant_at);

  // `license.*` filters of ListModels read the licenses of then too.
  auto thresholds_then = ListAt("asof-gov", compliant_at, "license.has_usage_threshold = true");
  ASSERT_OK(thresholds_then);
  EXPECT_EQ(thresholds_then->models_size(), 0);
  auto thresholds_now = ListAt("asof-gov", created_policy->create_time(), "license.has_usage_threshold = true");
  ASSERT_OK(thresholds_now);
  EXPECT_EQ(thresholds_now->models_size(), 1);

  // Before the deployment existed: no row; before the organization existed: NOT_FOUND.
  const google::protobuf::Timestamp before_deployment = Before(created_deployment->create_time());
  auto empty = ReportAt(created_org->name(), &before_deployment);
  ASSERT_OK(empty);
  EXPECT_EQ(empty->rows_size(), 0);
  const google::protobuf::Timestamp before_org = Before(created_org->create_time());
  EXPECT_EQ(ReportAt(created_org->name(), &before_org).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace modelreg::testing

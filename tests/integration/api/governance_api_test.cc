// Governance over real gRPC on loopback, real PostgreSQL, the shipped catalog loaded: organizations and their figures
// (affiliates included) checked against real license terms, deployments blocked by ENFORCE policies and by blocking
// usage verdicts, overrides stored with their justification, compliance reports that follow license changes, and
// organization scopes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "client/client.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using GV = v1::Governance::Stub;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;
using UC = v1::UsageChecker::Stub;

constexpr char kLlama[] = "publishers/meta-llama/models/llama-3.1-8b";
constexpr char kCommandR[] = "publishers/cohereforai/models/c4ai-command-r-v01";
constexpr char kMistral[] = "publishers/mistralai/models/mistral-7b-v0.1";

class GovernanceApiTest : public CatalogApiServerTest {
 protected:
  // Creates `organizations/{id}`; `users` < 0 leaves the user count unknown.
  static v1::Organization CreateOrganization(const std::string& id, int64_t users,
                                             const std::vector<int64_t>& affiliate_users = {}) {
    v1::CreateOrganizationRequest request;
    request.set_organization_id(id);
    v1::Organization* org = request.mutable_organization();
    org->set_display_name(id);
    if (users >= 0) org->set_monthly_active_users(users);
    org->set_annual_revenue_usd(50000000);
    org->set_commercial(true);
    org->set_country("US");
    for (int64_t affiliate : affiliate_users) {
      v1::Organization::Affiliate* a = org->add_affiliates();
      a->set_display_name("affiliate");
      a->set_monthly_active_users(affiliate);
      a->set_annual_revenue_usd(1);
    }
    auto created = Call(server_->governance(), &GV::CreateOrganization, request);
    EXPECT_OK(created);
    return created.ok() ? *created : v1::Organization();
  }

  // A commercial, self-hosted use distributing a derivative as "acme-chat".
  static absl::StatusOr<v1::CheckUsageResponse> CheckForOrganization(const std::string& model, const std::string& org) {
    v1::CheckUsageRequest request;
    request.set_model(model);
    request.set_organization("organizations/" + org);
    v1::PlannedUse* use = request.mutable_planned_use();
    use->set_hosting(v1::HOSTING_SELF_HOSTED);
    use->set_distribute_as("acme-chat");
    use->set_train_on_outputs(false);
    use->set_distillation(false);
    return Call(server_->usage(), &UC::CheckUsage, request);
  }

  static v1::CreateDeploymentRequest DeploymentRequest(const std::string& org, const std::string& id,
                                                       const std::string& model) {
    v1::CreateDeploymentRequest request;
    request.set_parent("organizations/" + org);
    request.set_deployment_id(id);
    v1::Deployment* d = request.mutable_deployment();
    d->set_model(model);
    d->set_hosting(v1::HOSTING_SELF_HOSTED);
    d->set_purpose("support chat");
    d->set_purpose_category(v1::Deployment::PURPOSE_CATEGORY_CUSTOMER_FACING);
    d->set_train_on_outputs(false);
    d->set_distillation(false);
    d->set_state(v1::Deployment::STATE_APPROVED);
    return request;
  }

  static std::vector<std::string> Terms(const v1::CheckUsageResponse& response) {
    std::vector<std::string> terms;
    for (const v1::UsageFinding& f : response.findings()) terms.push_back(f.term());
    return terms;
  }
};

TEST_F(GovernanceApiTest, OrganizationAboveSevenHundredMillionUsersNeedsALicenseForLlama31) {
  CreateOrganization("giant", 800000000);
  auto response = CheckForOrganization(kLlama, "giant");
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_LICENSE_REQUIRED);
  ASSERT_GT(response->findings_size(), 0);
  const v1::UsageFinding& first = response->findings(0);
  EXPECT_EQ(first.term(), "usage_thresholds[0]");
  EXPECT_THAT(first.clause(), HasSubstr("700 million monthly active users"));
  EXPECT_THAT(first.source(), StartsWith("https://"));
  // The profile shows the organization's figures as the check read them.
  EXPECT_EQ(response->profile().monthly_active_users(), 800000000);
  EXPECT_TRUE(response->profile().commercial());
}

TEST_F(GovernanceApiTest, OrganizationBelowTheThresholdGetsTheObligations) {
  CreateOrganization("small", 1000000);
  auto response = CheckForOrganization(kLlama, "small");
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);
  EXPECT_THAT(Terms(*response), Contains("derivative_terms.attribution_text"));
  EXPECT_THAT(Terms(*response), Contains("derivative_terms.required_name_prefix"));
}

TEST_F(GovernanceApiTest, AffiliatesCountTowardTheThreshold) {
  // 400M + 350M: neither alone is past 700M, together they are.
  CreateOrganization("holding", 400000000, {350000000});
  auto response = CheckForOrganization(kLlama, "holding");
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_EQ(response->profile().monthly_active_users(), 750000000);
}

TEST_F(GovernanceApiTest, UnknownUserCountIsUnknownNamingTheOrganizationsFigure) {
  CreateOrganization("mystery", -1);
  auto response = CheckForOrganization(kLlama, "mystery");
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_UNKNOWN);
  ASSERT_GT(response->findings_size(), 0);
  EXPECT_EQ(response->findings(0).missing_fact(), "organization.monthly_active_users");
}

TEST_F(GovernanceApiTest, CommercialOrganizationCannotUseANonCommercialModel) {
  CreateOrganization("shop", 1000);
  auto response = CheckForOrganization(kCommandR, "shop");
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_PROHIBITED);
}

TEST_F(GovernanceApiTest, AFineTuneOfAQuantizationOfLlama31InheritsTheThreshold) {
  for (const auto& [id, base, relation] :
       {std::tuple<std::string, std::string, v1::Model::BaseModelRelation>{"llama-q4", kLlama,
                                                                           v1::Model::BASE_MODEL_RELATION_QUANTIZED},
        {"llama-q4-chat", "publishers/gov-test/models/llama-q4", v1::Model::BASE_MODEL_RELATION_FINETUNE}}) {
    v1::CreateModelRequest request;
    request.set_parent("publishers/gov-test");
    request.set_model_id(id);
    request.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    request.mutable_model()->mutable_weights()->set_license("licenses/apache-2.0");
    request.mutable_model()->set_base_model(base);
    request.mutable_model()->set_base_model_relation(relation);
    ASSERT_OK(Call(server_->models(), &MR::CreateModel, request));
  }
  CreateOrganization("reseller", 900000000);
  auto response = CheckForOrganization("publishers/gov-test/models/llama-q4-chat", "reseller");
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_EQ(response->findings(0).model(), kLlama);
  EXPECT_EQ(response->lineage_size(), 2);
}

TEST_F(GovernanceApiTest, EnforcePolicyBlocksADeploymentUntilAnOverrideWithJustification) {
  CreateOrganization("strict", 1000);
  v1::CreatePolicyRequest policy;
  policy.set_parent("organizations/strict");
  policy.set_policy_id("open-only");
  policy.mutable_policy()->set_filter("openness.level >= 3 AND license.has_usage_threshold = false");
  policy.mutable_policy()->set_mode(v1::Policy::MODE_ENFORCE);
  ASSERT_OK(Call(server_->governance(), &GV::CreatePolicy, policy));

  Client client(server_->channel());
  absl::Status blocked = client.CreateDeployment(DeploymentRequest("strict", "chat", kLlama)).status();
  EXPECT_EQ(blocked.code(), absl::StatusCode::kFailedPrecondition) << blocked;
  ErrorDetails details = GetErrorDetails(blocked);
  EXPECT_EQ(details.reason, "DEPLOYMENT_BLOCKED");
  ASSERT_EQ(details.precondition_violations.size(), 1u) << blocked;
  EXPECT_EQ(details.precondition_violations[0].type, "POLICY_VIOLATION");
  EXPECT_EQ(details.precondition_violations[0].subject, "organizations/strict/policies/open-only");
  // Nothing was written.
  v1::GetDeploymentRequest get;
  get.set_name("organizations/strict/deployments/chat");
  EXPECT_EQ(client.GetDeployment(get).status().code(), absl::StatusCode::kNotFound);

  // A permissive model satisfies the policy.
  ASSERT_OK(client.CreateDeployment(DeploymentRequest("strict", "mistral", kMistral)));

  v1::CreateDeploymentRequest overridden = DeploymentRequest("strict", "chat", kLlama);
  overridden.mutable_deployment()->mutable_override()->set_justification("legal approved the Llama terms, ticket 42");
  auto created = client.CreateDeployment(overridden);
  ASSERT_OK(created);
  EXPECT_EQ(created->override().justification(), "legal approved the Llama terms, ticket 42");
  EXPECT_EQ(created->override().principal(), "test-admin");
  EXPECT_EQ(created->override().violations_size(), 1);
  EXPECT_TRUE(created->override().has_create_time());

  v1::EvaluateComplianceRequest report;
  report.set_organization("organizations/strict");
  auto rows = client.EvaluateCompliance(report);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->rows_size(), 2);
  EXPECT_EQ(rows->rows(0).deployment(), "organizations/strict/deployments/chat");
  EXPECT_EQ(rows->rows(0).status(), v1::ComplianceRow::STATUS_OVERRIDDEN);
  EXPECT_EQ(rows->rows(1).status(), v1::ComplianceRow::STATUS_COMPLIANT);
}

TEST_F(GovernanceApiTest, ABlockingUsageVerdictBlocksCreationAndApproval) {
  v1::Organization org = CreateOrganization("growing", 600000000);
  Client client(server_->channel());
  v1::CreateDeploymentRequest request = DeploymentRequest("growing", "assistant", kLlama);
  request.mutable_deployment()->set_state(v1::Deployment::STATE_PROPOSED);
  auto proposed = client.CreateDeployment(request);
  ASSERT_OK(proposed);

  // The organization grows past 700M monthly users: a new deployment of Llama 3.1 is blocked, even as a proposal.
  v1::UpdateOrganizationRequest grow;
  grow.mutable_organization()->set_name(org.name());
  grow.mutable_organization()->set_monthly_active_users(800000000);
  grow.mutable_update_mask()->add_paths("monthly_active_users");
  ASSERT_OK(client.UpdateOrganization(grow));
  request.set_deployment_id("assistant-2");
  absl::Status refused = client.CreateDeployment(request).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;

  // And the recorded proposal cannot be approved.
  v1::UpdateDeploymentRequest approve;
  approve.mutable_deployment()->set_name(proposed->name());
  approve.mutable_deployment()->set_state(v1::Deployment::STATE_APPROVED);
  approve.mutable_update_mask()->add_paths("state");
  absl::Status blocked = client.UpdateDeployment(approve).status();
  EXPECT_EQ(blocked.code(), absl::StatusCode::kFailedPrecondition) << blocked;
  ErrorDetails details = GetErrorDetails(blocked);
  ASSERT_FALSE(details.precondition_violations.empty());
  EXPECT_EQ(details.precondition_violations[0].type, "USAGE_VERDICT");
  EXPECT_THAT(details.precondition_violations[0].description, HasSubstr("LICENSE_REQUIRED"));
}

TEST_F(GovernanceApiTest, ComplianceFollowsALicenseChange) {
  // A license of this test's own, so that changing it leaves the shipped catalog alone.
  v1::CreateLicenseRequest license;
  license.set_license_id("gov-test-community");
  license.mutable_license()->set_display_name("Gov Test Community License");
  license.mutable_license()->set_category(v1::License::CATEGORY_COMMUNITY);
  license.mutable_license()->set_commercial_use(v1::License::COMMERCIAL_USE_ALLOWED);
  auto created_license = Call(server_->licenses(), &LC::CreateLicense, license);
  ASSERT_OK(created_license);
  v1::CreateModelRequest model;
  model.set_parent("publishers/gov-test");
  model.set_model_id("community-model");
  model.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
  model.mutable_model()->mutable_weights()->set_license("licenses/gov-test-community");
  ASSERT_OK(Call(server_->models(), &MR::CreateModel, model));

  CreateOrganization("watcher", 5000000);
  Client client(server_->channel());
  ASSERT_OK(client.CreateDeployment(DeploymentRequest("watcher", "bot", "publishers/gov-test/models/community-model")));
  v1::EvaluateComplianceRequest report;
  report.set_organization("organizations/watcher");
  auto before = client.EvaluateCompliance(report);
  ASSERT_OK(before);
  ASSERT_EQ(before->rows_size(), 1);
  EXPECT_EQ(before->rows(0).status(), v1::ComplianceRow::STATUS_COMPLIANT);

  // The licensor adds a 1M monthly-user threshold: the organization's 5M users are past it.
  v1::UpdateLicenseRequest update;
  *update.mutable_license() = *created_license;
  v1::License::UsageThreshold* threshold = update.mutable_license()->add_usage_thresholds();
  threshold->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  threshold->set_limit(1000000);
  threshold->set_consequence(v1::License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
  update.mutable_update_mask()->add_paths("usage_thresholds");
  ASSERT_OK(Call(server_->licenses(), &LC::UpdateLicense, update));
  ASSERT_OK(server_->WaitUntilReassessed());  // the models' assessments follow in the background

  auto after = client.EvaluateCompliance(report);
  ASSERT_OK(after);
  ASSERT_EQ(after->rows_size(), 1);
  EXPECT_EQ(after->rows(0).verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_EQ(after->rows(0).status(), v1::ComplianceRow::STATUS_NON_COMPLIANT);
}

TEST_F(GovernanceApiTest, PolicyFilterIsCheckedWhenSaved) {
  CreateOrganization("typo", 1);
  v1::CreatePolicyRequest policy;
  policy.set_parent("organizations/typo");
  policy.set_policy_id("bad");
  policy.mutable_policy()->set_filter("openness.levle >= 3");
  policy.mutable_policy()->set_mode(v1::Policy::MODE_AUDIT);
  Client client(server_->channel());
  absl::Status status = client.CreatePolicy(policy).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  ErrorDetails details = GetErrorDetails(status);
  ASSERT_EQ(details.field_violations.size(), 1u) << status;
  EXPECT_EQ(details.field_violations[0].field, "policy.filter");
  EXPECT_THAT(details.field_violations[0].description, HasSubstr("openness.level"));
}

TEST_F(GovernanceApiTest, DeploymentsFilterByTheModelsOpenness) {
  CreateOrganization("mixed", 1000);
  Client client(server_->channel());
  for (const auto& [id, model] : {std::pair<std::string, std::string>{"llama", kLlama}, {"mistral", kMistral}}) {
    v1::CreateDeploymentRequest request = DeploymentRequest("mixed", id, model);
    request.mutable_deployment()->set_state(v1::Deployment::STATE_PROPOSED);
    ASSERT_OK(client.CreateDeployment(request));
  }
  v1::ListDeploymentsRequest list;
  list.set_parent("organizations/mixed");
  list.set_filter("model.openness.level < 3");
  auto page = client.ListDeployments(list);
  ASSERT_OK(page);
  ASSERT_EQ(page->deployments_size(), 1);
  EXPECT_EQ(page->deployments(0).model(), kLlama);
}

TEST_F(GovernanceApiTest, AnEditorOfOneOrganizationCannotReadAnother) {
  CreateOrganization("alpha", 1);
  CreateOrganization("beta", 1);
  v1::CreateTokenRequest token_request;
  token_request.mutable_token()->set_principal("alpha-editor");
  v1::TokenBinding* binding = token_request.mutable_token()->add_bindings();
  binding->set_role(v1::ROLE_EDITOR);
  binding->set_scope("organizations/alpha");
  auto token = Call(server_->admin(), &v1::Admin::Stub::CreateToken, token_request);
  ASSERT_OK(token);
  Client editor(server_->Channel(token->secret()));

  v1::GetOrganizationRequest get;
  get.set_name("organizations/alpha");
  EXPECT_OK(editor.GetOrganization(get));
  get.set_name("organizations/beta");
  EXPECT_EQ(editor.GetOrganization(get).status().code(), absl::StatusCode::kPermissionDenied);

  v1::CreatePolicyRequest policy;
  policy.set_parent("organizations/beta");
  policy.set_policy_id("p");
  policy.mutable_policy()->set_filter("openness.level >= 3");
  policy.mutable_policy()->set_mode(v1::Policy::MODE_AUDIT);
  EXPECT_EQ(editor.CreatePolicy(policy).status().code(), absl::StatusCode::kPermissionDenied);
  policy.set_parent("organizations/alpha");
  EXPECT_OK(editor.CreatePolicy(policy));

  // Listing every organization's deployments shows only alpha's.
  v1::ListOrganizationsRequest list;
  auto orgs = editor.ListOrganizations(list);
  ASSERT_OK(orgs);
  ASSERT_EQ(orgs->organizations_size(), 1);
  EXPECT_EQ(orgs->organizations(0).name(), "organizations/alpha");
}

TEST_F(GovernanceApiTest, ChangingAProposedDeploymentIsCheckedToo) {
  CreateOrganization("careful", 1000);
  v1::CreatePolicyRequest policy;
  policy.set_parent("organizations/careful");
  policy.set_policy_id("open-only");
  policy.mutable_policy()->set_filter("openness.level >= 3 AND license.has_usage_threshold = false");
  policy.mutable_policy()->set_mode(v1::Policy::MODE_ENFORCE);
  ASSERT_OK(Call(server_->governance(), &GV::CreatePolicy, policy));
  Client client(server_->channel());
  v1::CreateDeploymentRequest request = DeploymentRequest("careful", "bot", kMistral);
  request.mutable_deployment()->set_state(v1::Deployment::STATE_PROPOSED);
  auto created = client.CreateDeployment(request);
  ASSERT_OK(created);

  // Swapping in a model the policy forbids is blocked, and changes nothing.
  v1::UpdateDeploymentRequest swap;
  swap.mutable_deployment()->set_name(created->name());
  swap.mutable_deployment()->set_model(kLlama);
  swap.mutable_update_mask()->add_paths("model");
  EXPECT_EQ(client.UpdateDeployment(swap).status().code(), absl::StatusCode::kFailedPrecondition);
  v1::GetDeploymentRequest get;
  get.set_name(created->name());
  auto stored = client.GetDeployment(get);
  ASSERT_OK(stored);
  EXPECT_EQ(stored->model(), kMistral);
  EXPECT_EQ(stored->revision(), 1);

  // Who made an override and what it accepted are the server's.
  swap.mutable_update_mask()->clear_paths();
  swap.mutable_update_mask()->add_paths("override.principal");
  absl::Status status = client.UpdateDeployment(swap).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith("update_mask"));

  // A List under an organization that does not exist is NOT_FOUND, not an empty page.
  v1::ListDeploymentsRequest list;
  list.set_parent("organizations/no-such-org");
  EXPECT_EQ(client.ListDeployments(list).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(GovernanceApiTest, ARetriedCreateWithTheSameRequestIdAppliesOnce) {
  v1::CreateOrganizationRequest request;
  request.set_organization_id("retried");
  request.mutable_organization()->set_display_name("Retried");
  request.set_request_id("5f0c6c2e-8a51-4f7e-9a4b-0d2b7f1e6a10");
  auto first = Call(server_->governance(), &GV::CreateOrganization, request);
  ASSERT_OK(first);
  auto again = Call(server_->governance(), &GV::CreateOrganization, request);
  ASSERT_OK(again);
  EXPECT_EQ(again->etag(), first->etag());
  EXPECT_EQ(again->revision(), 1);
  request.mutable_organization()->set_display_name("Another");
  EXPECT_EQ(Call(server_->governance(), &GV::CreateOrganization, request).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelreg::testing

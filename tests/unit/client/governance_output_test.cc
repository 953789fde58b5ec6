#include "client/cli/governance_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "google/protobuf/util/time_util.h"

namespace modelreg::cli {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

v1::Organization Acme() {
  v1::Organization o;
  o.set_name("organizations/acme");
  o.set_display_name("Acme Corp");
  o.set_monthly_active_users(1200000);
  o.set_annual_revenue_usd(50000000);
  o.set_commercial(true);
  v1::Organization::Affiliate* a = o.add_affiliates();
  a->set_display_name("Acme Cloud GmbH");
  a->set_monthly_active_users(300000);
  (*o.mutable_labels())["team"] = "legal";
  (*o.mutable_labels())["env"] = "prod";
  o.set_etag("e1");
  o.set_revision(3);
  return o;
}

v1::Deployment Chat() {
  v1::Deployment d;
  d.set_name("organizations/acme/deployments/chat");
  d.set_model("publishers/meta-llama/models/llama-3.1-8b");
  d.set_hosting(v1::HOSTING_SELF_HOSTED);
  d.set_purpose("Customer support chat");
  d.set_purpose_category(v1::Deployment::PURPOSE_CATEGORY_CUSTOMER_FACING);
  d.set_product("Acme Help");
  d.set_product_monthly_active_users(900000);
  d.set_train_on_outputs(false);
  d.set_owner("ml-platform");
  d.set_state(v1::Deployment::STATE_APPROVED);
  v1::Deployment::Override* o = d.mutable_override();
  o->set_justification("Legal approved the Llama license on 2024-05-01.");
  o->set_principal("tokens/alice");
  *o->mutable_create_time() = TimeUtil::SecondsToTimestamp(1714521600);  // 2024-05-01T00:00:00Z
  o->add_violations("policy organizations/acme/policies/open-only: openness.level >= 4");
  return d;
}

TEST(GovernanceOutput, EnumLabelsAreShortAndLowercase) {
  EXPECT_EQ(HostingLabel(v1::HOSTING_SELF_HOSTED), "self-hosted");
  EXPECT_EQ(HostingLabel(v1::HOSTING_PROVIDER_API), "provider-api");
  EXPECT_EQ(HostingLabel(v1::HOSTING_UNSPECIFIED), "-");
  EXPECT_EQ(DeploymentStateLabel(v1::Deployment::STATE_APPROVED), "approved");
  EXPECT_EQ(DeploymentStateLabel(v1::Deployment::STATE_UNSPECIFIED), "-");
  EXPECT_EQ(PurposeCategoryLabel(v1::Deployment::PURPOSE_CATEGORY_DATA_GENERATION), "data-generation");
  EXPECT_EQ(PolicyModeLabel(v1::Policy::MODE_ENFORCE), "enforce");
  EXPECT_EQ(PolicyModeLabel(v1::Policy::MODE_AUDIT), "audit");
  EXPECT_EQ(ComplianceStatusLabel(v1::ComplianceRow::STATUS_NON_COMPLIANT), "non-compliant");
  EXPECT_EQ(ComplianceStatusLabel(v1::ComplianceRow::STATUS_OVERRIDDEN), "overridden");
  // A value this client does not know (a newer server) is shown as unspecified, not as garbage.
  EXPECT_EQ(PolicyModeLabel(static_cast<v1::Policy::Mode>(99)), "-");
}

TEST(GovernanceOutput, OrganizationsTableShowsUnknownFigures) {
  v1::Organization bare;
  bare.set_name("organizations/bare");
  *bare.mutable_delete_time() = TimeUtil::SecondsToTimestamp(1);
  EXPECT_EQ(OrganizationsTable({Acme(), bare}),
            "NAME                          DISPLAY NAME  MAU        REVENUE/YR     COMMERCIAL  COUNTRY  AFFILIATES\n"
            "organizations/acme            Acme Corp     1,200,000  US$50,000,000  yes         unknown  1\n"
            "organizations/bare (deleted)  -             unknown    unknown        unknown     unknown  0\n");
}

TEST(GovernanceOutput, OrganizationDetail) {
  v1::Organization o = Acme();
  o.set_country("DE");
  const std::string text = OrganizationDetail(o);
  EXPECT_THAT(text, AllOf(HasSubstr("Name:              organizations/acme\n"),
                          HasSubstr("Display name:      Acme Corp\n"), HasSubstr("Monthly users:     1,200,000\n"),
                          HasSubstr("Annual revenue:    US$50,000,000\n"), HasSubstr("Monthly revenue:   unknown\n"),
                          HasSubstr("Commercial:        yes\n"), HasSubstr("Country:           DE\n"),
                          HasSubstr("Revision:          3\n"), HasSubstr("Etag:              e1\n")));
  EXPECT_THAT(text, HasSubstr("Affiliates:\n"
                              "  - Acme Cloud GmbH: MAU 300,000; revenue/yr unknown; revenue/mo unknown\n"));
  EXPECT_THAT(text, HasSubstr("Labels:\n  env=prod\n  team=legal\n")) << "labels are sorted";
  EXPECT_THAT(text, Not(HasSubstr("DELETED")));

  v1::Organization bare;
  bare.set_name("organizations/bare");
  bare.set_commercial(false);
  const std::string unknown = OrganizationDetail(bare);
  EXPECT_THAT(unknown, AllOf(HasSubstr("Monthly users:     unknown\n"), HasSubstr("Annual revenue:    unknown\n"),
                             HasSubstr("Commercial:        no\n"), HasSubstr("Country:           unknown\n"),
                             HasSubstr("Affiliates:        none\n")));
  EXPECT_THAT(unknown, AllOf(Not(HasSubstr("Display name")), Not(HasSubstr("Labels"))));
}

TEST(GovernanceOutput, DeploymentsTable) {
  v1::Deployment proposed;
  proposed.set_name("organizations/acme/deployments/eval");
  proposed.set_model("publishers/mistralai/models/mistral-7b");
  proposed.set_state(v1::Deployment::STATE_PROPOSED);
  // An override without a justification does not count (deployment.proto).
  proposed.mutable_override()->add_violations("x");
  EXPECT_EQ(DeploymentsTable({Chat(), proposed}),
            "NAME                                 MODEL                    STATE     HOSTING      PURPOSE          "
            "OWNER        OVERRIDE\n"
            "organizations/acme/deployments/chat  meta-llama/llama-3.1-8b  approved  self-hosted  customer-facing  "
            "ml-platform  yes\n"
            "organizations/acme/deployments/eval  mistralai/mistral-7b     proposed  -            -                "
            "-            no\n");
}

TEST(GovernanceOutput, DeploymentDetail) {
  const std::string text = DeploymentDetail(Chat());
  EXPECT_THAT(
      text,
      AllOf(HasSubstr("Name:              organizations/acme/deployments/chat\n"),
            HasSubstr("Model:             publishers/meta-llama/models/llama-3.1-8b\n"),
            HasSubstr("State:             approved\n"), HasSubstr("Owner:             ml-platform\n"),
            HasSubstr("Hosting:           self-hosted\n"), HasSubstr("Purpose:           Customer support chat\n"),
            HasSubstr("Purpose category:  customer-facing\n"), HasSubstr("Product:           Acme Help\n"),
            HasSubstr("Product MAU:       900,000\n"), HasSubstr("Distributed as:    -\n"),
            HasSubstr("Trains on outputs: no\n"), HasSubstr("Distillation:      unknown\n")));
  EXPECT_THAT(text, HasSubstr("Override:\n"
                              "  Justification:   Legal approved the Llama license on 2024-05-01.\n"
                              "  Principal:       tokens/alice\n"
                              "  Time:            2024-05-01T00:00:00Z\n"
                              "  Violations accepted:\n"
                              "    - policy organizations/acme/policies/open-only: openness.level >= 4\n"));

  v1::Deployment bare;
  bare.set_name("organizations/acme/deployments/bare");
  const std::string unknown = DeploymentDetail(bare);
  EXPECT_THAT(unknown, AllOf(HasSubstr("Hosting:           unknown\n"), HasSubstr("Product MAU:       unknown\n"),
                             HasSubstr("Trains on outputs: unknown\n"), HasSubstr("Override:          none\n"),
                             HasSubstr("Model:             -\n")));
  bare.mutable_override()->add_violations("policy p");
  EXPECT_THAT(DeploymentDetail(bare), HasSubstr("Override:          no justification: does not count\n"));
}

TEST(GovernanceOutput, PoliciesTableAndDetail) {
  v1::Policy p;
  p.set_name("organizations/acme/policies/open-only");
  p.set_filter("openness.level >= 4");
  p.set_mode(v1::Policy::MODE_ENFORCE);
  p.set_description("Open models only");
  v1::Policy audit;
  audit.set_name("organizations/acme/policies/no-threshold");
  audit.set_filter("license.has_usage_threshold = false");
  audit.set_mode(v1::Policy::MODE_AUDIT);
  EXPECT_EQ(PoliciesTable({p, audit}),
            "NAME                                      MODE     FILTER                               DESCRIPTION\n"
            "organizations/acme/policies/open-only     enforce  openness.level >= 4                  Open models only\n"
            "organizations/acme/policies/no-threshold  audit    license.has_usage_threshold = false  -\n");
  *p.mutable_delete_time() = TimeUtil::SecondsToTimestamp(1714521600);
  EXPECT_THAT(PolicyDetail(p),
              AllOf(HasSubstr("Mode:              enforce\n"), HasSubstr("Filter:            openness.level >= 4\n"),
                    HasSubstr("Description:       Open models only\n"),
                    HasSubstr("DELETED:           2024-05-01T00:00:00Z\n")));
}

TEST(GovernanceOutput, ComplianceTable) {
  v1::EvaluateComplianceResponse response;
  v1::ComplianceRow* ok = response.add_rows();
  ok->set_deployment("organizations/acme/deployments/chat");
  ok->set_model("publishers/meta-llama/models/llama-3.1-8b");
  ok->set_state(v1::Deployment::STATE_APPROVED);
  ok->set_status(v1::ComplianceRow::STATUS_COMPLIANT);
  ok->set_verdict(v1::VERDICT_ALLOWED);
  EXPECT_FALSE(AnyNonCompliant(response));

  v1::ComplianceRow* bad = response.add_rows();
  bad->set_deployment("organizations/acme/deployments/gen");
  bad->set_model("publishers/x/models/y");
  bad->set_state(v1::Deployment::STATE_PROPOSED);
  bad->set_status(v1::ComplianceRow::STATUS_NON_COMPLIANT);
  bad->set_verdict(v1::VERDICT_LICENSE_REQUIRED);
  v1::PolicyViolation* v = bad->add_violated_policies();
  v->set_policy("organizations/acme/policies/open-only");
  v->set_mode(v1::Policy::MODE_ENFORCE);
  v = bad->add_violated_policies();
  v->set_policy("organizations/acme/policies/no-threshold");
  v->set_mode(v1::Policy::MODE_AUDIT);
  bad->add_blocking_violations("policy open-only: openness.level >= 4");
  bad->add_blocking_violations("usage check: license required");
  EXPECT_TRUE(AnyNonCompliant(response));

  EXPECT_EQ(ComplianceTable(response),
            "DEPLOYMENT                           MODEL                    STATE     STATUS         VERDICT           "
            "VIOLATIONS\n"
            "organizations/acme/deployments/chat  meta-llama/llama-3.1-8b  approved  compliant      allowed           "
            "-\n"
            "organizations/acme/deployments/gen   x/y                      proposed  non-compliant  license required  "
            "open-only, no-threshold (audit)\n"
            "\n"
            "Blocking violations:\n"
            "  organizations/acme/deployments/gen (non-compliant):\n"
            "    - policy open-only: openness.level >= 4\n"
            "    - usage check: license required\n");

  // Review and overridden rows do not make the report non-compliant.
  bad->set_status(v1::ComplianceRow::STATUS_OVERRIDDEN);
  EXPECT_FALSE(AnyNonCompliant(response));
  response.clear_rows();
  EXPECT_EQ(ComplianceTable(response), "DEPLOYMENT  MODEL  STATE  STATUS  VERDICT  VIOLATIONS\n");
}

}  // namespace
}  // namespace modelreg::cli

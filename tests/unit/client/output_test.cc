#include "client/cli/output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace modelreg::cli {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

v1::Model Llama() {
  v1::Model m;
  m.set_name("publishers/meta-llama/models/llama-3.1-8b");
  m.set_display_name("Llama 3.1 8B");
  m.set_parameter_count(8030000000);
  m.set_modality(v1::Model::MODALITY_TEXT);
  m.set_huggingface_repo("meta-llama/Llama-3.1-8B");
  m.mutable_weights()->set_access(v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  m.mutable_weights()->set_license("licenses/llama3.1");
  v1::Component* c = m.add_components();
  c->set_kind(v1::COMPONENT_KIND_INFERENCE_CODE);
  c->set_status(v1::Component::STATUS_RELEASED);
  c->set_license("licenses/llama3.1");
  m.mutable_data_disclosure()->set_level(v1::DataDisclosure::LEVEL_UNDISCLOSED);
  v1::Openness* o = m.mutable_openness();
  o->set_level(2);
  o->set_level_name("open weights, restrictive license");
  o->set_mof_class(v1::MOF_CLASS_UNCLASSIFIED);
  v1::MofClassProgress* p = o->add_mof_progress();
  p->set_mof_class(v1::MOF_CLASS_III);
  p->set_met(1);
  p->set_required(6);
  p->add_missing(v1::COMPONENT_KIND_DATA_CARD);
  o->set_osaid_candidate(false);
  o->set_osaid_note("The weights license is not OSI-approved.");
  o->add_flags(v1::OPENNESS_FLAG_USAGE_THRESHOLD);
  o->add_flags(v1::OPENNESS_FLAG_MANUAL_APPROVAL_GATE);
  v1::OpennessReason* r = o->add_reasons();
  r->set_code("WEIGHTS_DOWNLOADABLE");
  r->set_level(2);
  r->set_satisfied(true);
  r->set_message("The weights can be downloaded after approval.");
  r = o->add_reasons();
  r->set_code("WEIGHTS_LICENSE_NOT_OPEN");
  r->set_level(3);
  r->set_satisfied(false);
  r->set_message("llama3.1 has a 700M MAU threshold.");
  m.add_sources("https://huggingface.co/meta-llama/Llama-3.1-8B");
  return m;
}

TEST(Output, ParseOutputFormat) {
  EXPECT_EQ(*ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_EQ(*ParseOutputFormat("JSON"), OutputFormat::kJson);
  EXPECT_EQ(*ParseOutputFormat("yaml"), OutputFormat::kYaml);
  EXPECT_THAT(ParseOutputFormat("xml"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Output, RenderTableAlignsColumns) {
  EXPECT_EQ(RenderTable({"A", "BB", "C"}, {{"xxx", "y", ""}, {"z", "", "w"}}),
            "A    BB  C\n"
            "xxx  y\n"
            "z        w\n");
  EXPECT_EQ(RenderTable({"NAME"}, {}), "NAME\n");
}

TEST(Output, Labels) {
  v1::Openness o;
  EXPECT_EQ(LevelLabel(o), "-");
  o.set_level(5);
  EXPECT_EQ(LevelLabel(o), "5") << "the level name comes from the server";
  o.set_level_name("open source AI");
  EXPECT_EQ(LevelLabel(o), "5 open source AI");
  EXPECT_EQ(MofClassLabel(v1::MOF_CLASS_II), "II");
  EXPECT_EQ(MofClassLabel(v1::MOF_CLASS_UNSPECIFIED), "-");
  EXPECT_EQ(AccessLabel(v1::Weights::ACCESS_GATED_CLICK_THROUGH), "gated");
  EXPECT_EQ(AccessLabel(v1::Weights::ACCESS_UNSPECIFIED), "-");
  EXPECT_EQ(FlagLabel(v1::OPENNESS_FLAG_LICENSE_BLOCKED), "license-blocked");
  EXPECT_EQ(ComponentLabel(v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL), "model parameters final");
  EXPECT_EQ(ShortLicense("licenses/apache-2.0"), "apache-2.0");
  EXPECT_EQ(ShortLicense(""), "-");
}

TEST(Output, ThresholdLabel) {
  v1::License::UsageThreshold t;
  t.set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  t.set_limit(700000000);
  t.set_consequence(v1::License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
  EXPECT_EQ(ThresholdLabel(t), "MAU > 700M: request license");
  t.set_metric(v1::License::UsageThreshold::METRIC_ANNUAL_REVENUE_USD);
  t.set_limit(1000000);
  t.set_consequence(v1::License::UsageThreshold::CONSEQUENCE_ENTERPRISE_LICENSE_REQUIRED);
  EXPECT_EQ(ThresholdLabel(t), "revenue/yr > $1M: enterprise license");
  t.set_comparison(v1::License::UsageThreshold::COMPARISON_AT_LEAST);
  EXPECT_EQ(ThresholdLabel(t), "revenue/yr >= $1M: enterprise license");
}

TEST(Output, UsageCheckDetail) {
  v1::CheckUsageResponse response;
  response.set_verdict(v1::VERDICT_LICENSE_REQUIRED);
  response.add_lineage("publishers/q/models/llama-q4");
  response.add_lineage("publishers/meta-llama/models/llama-3.1-8b");
  v1::UsageProfile* p = response.mutable_profile();
  p->set_monthly_active_users(800000000);
  p->set_commercial(true);
  p->set_hosting(v1::HOSTING_SELF_HOSTED);
  p->set_distribute_as("acme-chat");
  v1::UsageFinding* f = response.add_findings();
  f->set_verdict(v1::VERDICT_LICENSE_REQUIRED);
  f->set_model("publishers/meta-llama/models/llama-3.1-8b");
  f->set_license("licenses/llama3.1");
  f->set_term("usage_thresholds[0]");
  f->set_clause("... greater than 700 million ...");
  f->set_source("https://example.com/LICENSE");
  f->set_action("request a license");
  f = response.add_findings();
  f->set_verdict(v1::VERDICT_UNKNOWN);
  f->set_model("publishers/acme/models/chat");
  f->set_term("weights.access");
  f->set_action("record it");
  f->set_missing_fact("model.weights.access");
  const std::string text = UsageCheckDetail("publishers/acme/models/chat", response);
  EXPECT_THAT(text, AllOf(HasSubstr("Model:           publishers/acme/models/chat\n"),
                          HasSubstr("Derived from:    publishers/q/models/llama-q4 <- "
                                    "publishers/meta-llama/models/llama-3.1-8b\n"),
                          HasSubstr("Verdict:         license required\n"),
                          HasSubstr("Monthly users:       800,000,000\n"), HasSubstr("Annual revenue:      unknown\n"),
                          HasSubstr("Commercial:          yes\n"), HasSubstr("Hosting:             self-hosted\n"),
                          HasSubstr("Distributed as:      acme-chat\n"), HasSubstr("Trains on outputs:   unknown\n")));
  EXPECT_THAT(text, AllOf(HasSubstr("#  VERDICT           FROM                     LICENSE   TERM"),
                          HasSubstr("1  license required  meta-llama/llama-3.1-8b  llama3.1  usage_thresholds[0]  "
                                    "request a license\n"),
                          HasSubstr("2  unknown           acme/chat                -         weights.access       "
                                    "record it [missing: model.weights.access]\n"),
                          HasSubstr("  [1] \"... greater than 700 million ...\"\n      source: https://example.com/"
                                    "LICENSE\n")));
  EXPECT_EQ(VerdictLabel(v1::VERDICT_ALLOWED_WITH_OBLIGATIONS), "allowed with obligations");
  EXPECT_EQ(VerdictLabel(v1::VERDICT_UNSPECIFIED), "-");

  v1::CheckUsageResponse allowed;
  allowed.set_verdict(v1::VERDICT_ALLOWED);
  EXPECT_THAT(UsageCheckDetail("publishers/x/models/y", allowed),
              AllOf(HasSubstr("Verdict:         allowed\n"), HasSubstr("No findings")));
  absl::StatusOr<std::string> json = FormatStructured(response, OutputFormat::kJson);
  ASSERT_OK(json);
  EXPECT_THAT(*json, AllOf(HasSubstr("\"verdict\": \"VERDICT_LICENSE_REQUIRED\""),
                           HasSubstr("\"monthly_active_users\": \"800000000\""),
                           HasSubstr("\"missing_fact\": \"model.weights.access\"")));
}

TEST(Output, ModelsTable) {
  v1::Model unassessed;
  unassessed.set_name("publishers/x/models/y");
  unassessed.mutable_delete_time()->set_seconds(1);
  const std::string table = ModelsTable({Llama(), unassessed});
  EXPECT_EQ(
      table,
      "NAME                                       LEVEL                                MOF           ACCESS        "
      "LICENSE   FLAGS\n"
      "publishers/meta-llama/models/llama-3.1-8b  2 open weights, restrictive license  unclassified  gated-manual  "
      "llama3.1  threshold,manual-gate\n"
      "publishers/x/models/y (deleted)            -                                    -             -             "
      "-         -\n");
}

TEST(Output, ModelDetailShowsEverythingUsersNeed) {
  const std::string detail = ModelDetail(Llama());
  EXPECT_THAT(
      detail,
      AllOf(HasSubstr("Name:          publishers/meta-llama/models/llama-3.1-8b\n"),
            HasSubstr("Parameters:    8.03B\n"), HasSubstr("Modality:      text\n"),
            HasSubstr("Access:      gated-manual"), HasSubstr("License:     licenses/llama3.1"),
            HasSubstr("inference code  released  licenses/llama3.1"), HasSubstr("Disclosure:  undisclosed"),
            HasSubstr("Level:         2 open weights, restrictive license\n"),
            HasSubstr("MOF class:     unclassified\n"), HasSubstr("Class III 1/6 met; missing: data card\n"),
            HasSubstr("OSAID:         not a candidate\n"), HasSubstr("The weights license is not OSI-approved."),
            HasSubstr("Flags:         threshold, manual-gate\n"),
            HasSubstr("+ L2 WEIGHTS_DOWNLOADABLE: The weights can be downloaded after approval.\n"),
            HasSubstr("- L3 WEIGHTS_LICENSE_NOT_OPEN: llama3.1 has a 700M MAU threshold.\n"),
            HasSubstr("https://huggingface.co/meta-llama/Llama-3.1-8B\n")));
  EXPECT_THAT(detail, Not(HasSubstr("DELETED")));
}

TEST(Output, ModelDetailWithoutAssessment) {
  v1::Model m;
  m.set_name("publishers/x/models/y");
  const std::string detail = ModelDetail(m);
  EXPECT_THAT(detail, HasSubstr("License:     unknown"));
  EXPECT_THAT(detail, HasSubstr("not assessed"));
}

TEST(Output, LicensesTable) {
  v1::License l;
  l.set_name("licenses/llama3.1");
  l.set_category(v1::License::CATEGORY_COMMUNITY);
  l.set_commercial_use(v1::License::COMMERCIAL_USE_CONDITIONAL);
  v1::License::UsageThreshold* t = l.add_usage_thresholds();
  t->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  t->set_limit(700000000);
  t->set_consequence(v1::License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
  v1::License mit;
  mit.set_name("licenses/mit");
  mit.set_category(v1::License::CATEGORY_PERMISSIVE);
  mit.set_commercial_use(v1::License::COMMERCIAL_USE_ALLOWED);
  mit.set_osi_approved(true);
  EXPECT_EQ(LicensesTable({l, mit}),
            "NAME               CATEGORY    COMMERCIAL   OSI  THRESHOLDS\n"
            "licenses/llama3.1  community   conditional  no   MAU > 700M: request license\n"
            "licenses/mit       permissive  allowed      yes  -\n");
}

TEST(Output, LicenseDetail) {
  v1::License l;
  l.set_name("licenses/gemma");
  l.set_category(v1::License::CATEGORY_COMMUNITY);
  l.set_remote_restriction_clause("Google may restrict (remotely or otherwise) usage");
  l.mutable_derivative_terms()->set_distillation_is_derivative(true);
  const std::string detail = LicenseDetail(l);
  EXPECT_THAT(detail,
              AllOf(HasSubstr("Category:        community\n"), HasSubstr("Distillation:    counts as a derivative"),
                    HasSubstr("Remote restrict: Google may restrict")));
}

TEST(Output, LicenseDetailShowsAPendingReassessmentOnly) {
  v1::License l;
  l.set_name("licenses/flip");
  EXPECT_THAT(LicenseDetail(l), Not(HasSubstr("Reassessing")));
  l.set_reassessment_state(v1::License::REASSESSMENT_STATE_QUEUED);
  EXPECT_THAT(LicenseDetail(l), HasSubstr("Reassessing:     queued (models not counted yet)\n"));
  l.set_reassessment_state(v1::License::REASSESSMENT_STATE_RUNNING);
  l.set_reassessment_pending_models(41500);
  EXPECT_THAT(LicenseDetail(l), HasSubstr("Reassessing:     41500 models still to reassess\n"));
  l.set_reassessment_state(v1::License::REASSESSMENT_STATE_UNSPECIFIED);
  EXPECT_THAT(LicenseDetail(l), Not(HasSubstr("Reassessing")));
}

TEST(Output, LicenseDetailShowsTerritorialRestrictions) {
  v1::License l;
  l.set_name("licenses/llama3.2");
  using Restriction = v1::License::TerritorialRestriction;
  Restriction* r = l.add_territorial_restrictions();
  r->set_territory("EU");
  r->set_applies_to(Restriction::SCOPE_MULTIMODAL_MODELS);
  r->add_licensees(Restriction::LICENSEE_INDIVIDUALS_DOMICILED);
  r->add_licensees(Restriction::LICENSEE_COMPANIES_PRINCIPAL_PLACE_OF_BUSINESS);
  r->set_end_users_exempt(true);
  r->set_clause("the rights granted under Section 1(a) ... are not being granted to you");
  r->set_source("https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/USE_POLICY.md");
  const std::string detail = LicenseDetail(l);
  EXPECT_THAT(
      detail,
      AllOf(HasSubstr("Withheld in:     EU: multimodal models; for individuals domiciled there and companies "
                      "with their principal place of business there; end users exempt\n"),
            HasSubstr("  \"the rights granted under Section 1(a) ... are not being granted to you\"\n"),
            HasSubstr("  (https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/USE_POLICY.md)\n")));
  Restriction everything;
  everything.set_territory("CN");
  everything.set_applies_to(Restriction::SCOPE_ALL_MATERIALS);
  EXPECT_EQ(TerritorialLabel(everything), "CN: all licensed materials");
}

TEST(Output, ModelDetailShowsActiveParameters) {
  v1::Model m;
  m.set_name("publishers/meta-llama/models/llama-4-scout-17b-16e");
  m.set_parameter_count(109000000000);
  m.set_active_parameter_count(17000000000);
  EXPECT_THAT(ModelDetail(m), AllOf(HasSubstr("Parameters:    109B\n"), HasSubstr("Active params: 17B\n")));
}

TEST(Output, StructuredFormats) {
  v1::Model m;
  m.set_name("publishers/x/models/y");
  m.mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
  absl::StatusOr<std::string> json = FormatStructured(m, OutputFormat::kJson);
  ASSERT_OK(json);
  EXPECT_THAT(*json, AllOf(HasSubstr("\"name\": \"publishers/x/models/y\""), HasSubstr("ACCESS_OPEN_DOWNLOAD")));
  EXPECT_EQ(json->back(), '\n');
  absl::StatusOr<std::string> yaml = FormatStructured(m, OutputFormat::kYaml);
  ASSERT_OK(yaml);
  EXPECT_THAT(*yaml, HasSubstr("name: "));
  EXPECT_THAT(FormatStructured(m, OutputFormat::kTable), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Output, ErrorDetailLines) {
  EXPECT_EQ(ErrorDetailLines(ErrorDetails{}), "");
  ErrorDetails details;
  details.reason = "UNKNOWN_LICENSE";
  details.domain = "modelreg.io";
  details.field_violations.push_back({"model.weights.license", "unknown license `licenses/x`; create it first"});
  details.precondition_violations.push_back({"REFERENCED_BY", "publishers/p/models/m", "in use"});
  EXPECT_EQ(ErrorDetailLines(details),
            "  reason: UNKNOWN_LICENSE\n"
            "  field model.weights.license: unknown license `licenses/x`; create it first\n"
            "  precondition REFERENCED_BY publishers/p/models/m: in use\n");
  details = ErrorDetails{};
  details.reason = "STALE_ETAG";
  details.metadata = {{"resource", "publishers/p/models/m"}, {"current_etag", "e2"}};
  EXPECT_EQ(ErrorDetailLines(details), "  reason: STALE_ETAG (current_etag=e2, resource=publishers/p/models/m)\n");
}

}  // namespace
}  // namespace modelreg::cli

// The usage rules of server/domain/usage/RULES.md: one table row (or test) per rule id, for each clause and each
// lineage case. Licenses, models and profiles are written in text format.
#include "server/domain/usage/usage_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"

namespace modelreg {
namespace {

using ::testing::HasSubstr;

constexpr char kModel[] = "publishers/p/models/m";

template <typename Message>
Message Parse(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

// The Llama 3.1 Community License as the catalog records it.
constexpr char kLlama31[] = R"pb(
  name: "licenses/llama3.1"
  display_name: "Llama 3.1 Community License Agreement"
  category: CATEGORY_COMMUNITY
  commercial_use: COMMERCIAL_USE_CONDITIONAL
  usage_thresholds {
    metric: METRIC_MONTHLY_ACTIVE_USERS
    limit: 700000000
    consequence: CONSEQUENCE_REQUEST_LICENSE
    comparison: COMPARISON_GREATER_THAN
    clause: "... is greater than 700 million monthly active users ..."
  }
  use_restrictions { acceptable_use_policy_uri: "https://llama.meta.com/llama3_1/use-policy" }
  derivative_terms { attribution_text: "Built with Llama" required_name_prefix: "Llama" }
  sources: "https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE"
)pb";

constexpr char kApache[] = R"pb(
  name: "licenses/apache-2.0"
  osi_approved: true
  category: CATEGORY_PERMISSIVE
  commercial_use: COMMERCIAL_USE_ALLOWED
)pb";

constexpr char kCcByNc[] = R"pb(
  name: "licenses/cc-by-nc-4.0"
  category: CATEGORY_NON_COMMERCIAL
  commercial_use: COMMERCIAL_USE_PROHIBITED
  sources: "https://spdx.org/licenses/CC-BY-NC-4.0.html"
)pb";

v1::Model MakeModel(const std::string& name, const std::string& license, const std::string& base = "",
                    v1::Weights::Access access = v1::Weights::ACCESS_OPEN_DOWNLOAD) {
  v1::Model model;
  model.set_name(name);
  model.mutable_weights()->set_license(license);
  model.mutable_weights()->set_access(access);
  model.set_base_model(base);
  return model;
}

LicenseMap Licenses(const std::vector<std::string>& texts) {
  LicenseMap map;
  for (const std::string& text : texts) {
    v1::License license = Parse<v1::License>(text);
    std::string name = license.name();
    map.emplace(std::move(name), std::move(license));
  }
  return map;
}

// A profile every clause can decide on: every flag and figure known, nothing distributed.
constexpr char kKnownProfile[] =
    "monthly_active_users: 1000 annual_revenue_usd: 1000 monthly_revenue_usd: 100 commercial: true "
    "hosting: HOSTING_SELF_HOSTED train_on_outputs: false distillation: false";

v1::UsageProfile KnownProfileWithUsers(int64_t users) {
  v1::UsageProfile profile = Parse<v1::UsageProfile>(kKnownProfile);
  profile.set_monthly_active_users(users);
  return profile;
}

const v1::UsageFinding* FindTerm(const UsageCheck& check, const std::string& term, const std::string& model = kModel) {
  for (const v1::UsageFinding& f : check.findings) {
    if (f.term() == term && f.model() == model) return &f;
  }
  return nullptr;
}

std::string Dump(const UsageCheck& check) {
  std::string out = absl::StrCat("verdict ", v1::Verdict_Name(check.verdict), "\n");
  for (const auto& f : check.findings) absl::StrAppend(&out, f.ShortDebugString(), "\n");
  return out;
}

// One clause of one license: the model `publishers/p/models/m` (open-download weights) under `license`, no
// ancestors, checked against `profile`.
struct ClauseCase {
  std::string rule;     // RULES.md id
  std::string license;  // text format; name licenses/l
  std::string profile;  // text format
  std::string term;     // the finding expected
  v1::Verdict finding;  // its verdict; VERDICT_UNSPECIFIED: no finding for `term`
  std::string missing;  // its missing fact
  v1::Verdict verdict;  // of the whole check
};

TEST(UsageRulesTest, EveryClause) {
  constexpr char kKnown[] = "monthly_active_users: 1000 annual_revenue_usd: 1000 monthly_revenue_usd: 100 ";
  constexpr char kFlags[] = "train_on_outputs: false distillation: false hosting: HOSTING_SELF_HOSTED ";
  const std::string l = R"(name: "licenses/l" )";
  const std::string community = l + "category: CATEGORY_COMMUNITY commercial_use: COMMERCIAL_USE_CONDITIONAL ";
  auto mau = [](int64_t limit, const char* comparison, const char* consequence = "CONSEQUENCE_REQUEST_LICENSE") {
    return absl::StrCat("usage_thresholds { metric: METRIC_MONTHLY_ACTIVE_USERS limit: ", limit,
                        " consequence: ", consequence, " comparison: ", comparison, " clause: \"the clause\" } ");
  };
  const std::string all = absl::StrCat(kKnown, kFlags);
  const std::vector<ClauseCase> cases = {
      // U2: the catalog records only the name.
      {"U2", l + "category: CATEGORY_COMMUNITY", all + "commercial: false", "", v1::VERDICT_UNKNOWN, "license",
       v1::VERDICT_UNKNOWN},
      {"U2", l + "category: CATEGORY_PROPRIETARY", all + "commercial: true", "", v1::VERDICT_UNKNOWN, "license",
       v1::VERDICT_UNKNOWN},
      {"U2 open", kApache, all + "commercial: true", "", v1::VERDICT_UNSPECIFIED, "", v1::VERDICT_ALLOWED},
      // U3: commercial use.
      {"U3 nc", l + "category: CATEGORY_NON_COMMERCIAL commercial_use: COMMERCIAL_USE_PROHIBITED",
       all + "commercial: true", "commercial_use", v1::VERDICT_PROHIBITED, "", v1::VERDICT_PROHIBITED},
      {"U3 nc unknown", l + "category: CATEGORY_NON_COMMERCIAL commercial_use: COMMERCIAL_USE_PROHIBITED", all,
       "commercial_use", v1::VERDICT_UNKNOWN, "profile.commercial", v1::VERDICT_UNKNOWN},
      {"U3 nc no", l + "category: CATEGORY_NON_COMMERCIAL commercial_use: COMMERCIAL_USE_PROHIBITED",
       all + "commercial: false", "commercial_use", v1::VERDICT_ALLOWED, "", v1::VERDICT_ALLOWED},
      {"U3 category only", l + "category: CATEGORY_NON_COMMERCIAL", all + "commercial: true", "category",
       v1::VERDICT_PROHIBITED, "", v1::VERDICT_PROHIBITED},
      {"U3 research", l + "category: CATEGORY_RESEARCH_ONLY commercial_use: COMMERCIAL_USE_PROHIBITED",
       all + "commercial: true", "commercial_use", v1::VERDICT_PROHIBITED, "", v1::VERDICT_PROHIBITED},
      {"U3 research no", l + "category: CATEGORY_RESEARCH_ONLY commercial_use: COMMERCIAL_USE_PROHIBITED",
       all + "commercial: false", "commercial_use", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "",
       v1::VERDICT_ALLOWED_WITH_OBLIGATIONS},
      {"U3 prohibited", l + "category: CATEGORY_COMMUNITY commercial_use: COMMERCIAL_USE_PROHIBITED",
       all + "commercial: true", "commercial_use", v1::VERDICT_PROHIBITED, "", v1::VERDICT_PROHIBITED},
      {"U3 unrecorded", l + "category: CATEGORY_COMMUNITY use_restrictions { restricted_uses: \"military\" }",
       all + "commercial: true", "commercial_use", v1::VERDICT_UNKNOWN, "license.commercial_use", v1::VERDICT_UNKNOWN},
      {"U3 unrecorded, use unknown",
       l + "category: CATEGORY_RESPONSIBLE_AI derivative_terms { restrictions_propagate: true }", all, "commercial_use",
       v1::VERDICT_UNKNOWN, "profile.commercial", v1::VERDICT_UNKNOWN},
      {"U3 unrecorded, not commercial", l + "category: CATEGORY_COMMUNITY use_restrictions { restricted_uses: \"x\" }",
       all + "commercial: false", "commercial_use", v1::VERDICT_UNSPECIFIED, "", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS},
      {"U3 conditional", community, all + "commercial: true", "commercial_use", v1::VERDICT_UNSPECIFIED, "",
       v1::VERDICT_ALLOWED},
      {"U3 permissive category", l + "category: CATEGORY_PERMISSIVE", all + "commercial: true", "commercial_use",
       v1::VERDICT_UNSPECIFIED, "", v1::VERDICT_ALLOWED},
      // U4: thresholds on every metric, compared as worded.
      {"U4 above", community + mau(700, "COMPARISON_GREATER_THAN"),
       "monthly_active_users: 701 commercial: true " + std::string(kFlags), "usage_thresholds[0]",
       v1::VERDICT_LICENSE_REQUIRED, "", v1::VERDICT_LICENSE_REQUIRED},
      {"U4 equal, greater than", community + mau(700, "COMPARISON_GREATER_THAN"),
       "monthly_active_users: 700 commercial: true " + std::string(kFlags), "usage_thresholds[0]", v1::VERDICT_ALLOWED,
       "", v1::VERDICT_ALLOWED},
      {"U4 equal, unspecified reads greater than", community + mau(700, "COMPARISON_UNSPECIFIED"),
       "monthly_active_users: 700 commercial: true " + std::string(kFlags), "usage_thresholds[0]", v1::VERDICT_ALLOWED,
       "", v1::VERDICT_ALLOWED},
      {"U4 equal, at least", community + mau(700, "COMPARISON_AT_LEAST"),
       "monthly_active_users: 700 commercial: true " + std::string(kFlags), "usage_thresholds[0]",
       v1::VERDICT_LICENSE_REQUIRED, "", v1::VERDICT_LICENSE_REQUIRED},
      {"U4 below, at least", community + mau(700, "COMPARISON_AT_LEAST"),
       "monthly_active_users: 699 commercial: true " + std::string(kFlags), "usage_thresholds[0]", v1::VERDICT_ALLOWED,
       "", v1::VERDICT_ALLOWED},
      {"U4 zero users", community + mau(700, "COMPARISON_GREATER_THAN"),
       "monthly_active_users: 0 commercial: true " + std::string(kFlags), "usage_thresholds[0]", v1::VERDICT_ALLOWED,
       "", v1::VERDICT_ALLOWED},
      {"U4 unknown users", community + mau(700, "COMPARISON_GREATER_THAN"),
       "annual_revenue_usd: 5 commercial: true " + std::string(kFlags), "usage_thresholds[0]", v1::VERDICT_UNKNOWN,
       "profile.monthly_active_users", v1::VERDICT_UNKNOWN},
      {"U4 enterprise",
       community + "usage_thresholds { metric: METRIC_ANNUAL_REVENUE_USD limit: 1000000 "
                   "consequence: CONSEQUENCE_ENTERPRISE_LICENSE_REQUIRED }",
       "annual_revenue_usd: 1000001 commercial: true " + std::string(kFlags), "usage_thresholds[0]",
       v1::VERDICT_LICENSE_REQUIRED, "", v1::VERDICT_LICENSE_REQUIRED},
      {"U4 annual revenue unknown",
       community + "usage_thresholds { metric: METRIC_ANNUAL_REVENUE_USD limit: 1000000 "
                   "consequence: CONSEQUENCE_ENTERPRISE_LICENSE_REQUIRED }",
       "monthly_active_users: 5 commercial: true " + std::string(kFlags), "usage_thresholds[0]", v1::VERDICT_UNKNOWN,
       "profile.annual_revenue_usd", v1::VERDICT_UNKNOWN},
      {"U4 monthly revenue attribution",
       community + "usage_thresholds { metric: METRIC_MONTHLY_REVENUE_USD limit: 20000000 "
                   "consequence: CONSEQUENCE_ATTRIBUTION_REQUIRED }",
       "monthly_revenue_usd: 20000001 commercial: true " + std::string(kFlags), "usage_thresholds[0]",
       v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS},
      {"U4 monthly revenue unknown",
       community + "usage_thresholds { metric: METRIC_MONTHLY_REVENUE_USD limit: 20000000 "
                   "consequence: CONSEQUENCE_ATTRIBUTION_REQUIRED }",
       "commercial: true " + std::string(kFlags), "usage_thresholds[0]", v1::VERDICT_UNKNOWN,
       "profile.monthly_revenue_usd", v1::VERDICT_UNKNOWN},
      {"U4 consequence unrecorded", community + mau(700, "COMPARISON_GREATER_THAN", "CONSEQUENCE_UNSPECIFIED"),
       "monthly_active_users: 701 commercial: true " + std::string(kFlags), "usage_thresholds[0]", v1::VERDICT_UNKNOWN,
       "license.usage_thresholds[0].consequence", v1::VERDICT_UNKNOWN},
      {"U4 second threshold",
       community + mau(700, "COMPARISON_GREATER_THAN") +
           "usage_thresholds { metric: METRIC_ANNUAL_REVENUE_USD limit: 10 "
           "consequence: CONSEQUENCE_ENTERPRISE_LICENSE_REQUIRED }",
       all + "commercial: true", "usage_thresholds[1]", v1::VERDICT_LICENSE_REQUIRED, "", v1::VERDICT_LICENSE_REQUIRED},
      // U5: acceptable use policies and restricted uses.
      {"U5 uri", community + "use_restrictions { acceptable_use_policy_uri: \"https://x.example/aup\" }",
       all + "commercial: true", "use_restrictions.acceptable_use_policy_uri", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "",
       v1::VERDICT_ALLOWED_WITH_OBLIGATIONS},
      {"U5 marker", community + "use_restrictions { restricted_uses: \"acceptable-use-policy\" }",
       all + "commercial: true", "use_restrictions.restricted_uses", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "",
       v1::VERDICT_ALLOWED_WITH_OBLIGATIONS},
      // U6, U7: attribution and name prefix.
      {"U6", community + "derivative_terms { attribution_text: \"Built with X\" }", all + "commercial: true",
       "derivative_terms.attribution_text", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "",
       v1::VERDICT_ALLOWED_WITH_OBLIGATIONS},
      {"U7 wrong name", community + "derivative_terms { required_name_prefix: \"Llama\" }",
       all + "commercial: true distribute_as: \"acme-chat\"", "derivative_terms.required_name_prefix",
       v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS},
      {"U7 right name", community + "derivative_terms { required_name_prefix: \"Llama 3\" }",
       all + "commercial: true distribute_as: \"llama-3-acme-chat\"", "derivative_terms.required_name_prefix",
       v1::VERDICT_ALLOWED, "", v1::VERDICT_ALLOWED},
      {"U7 not distributed", community + "derivative_terms { required_name_prefix: \"Llama\" }",
       all + "commercial: true", "derivative_terms.required_name_prefix", v1::VERDICT_UNSPECIFIED, "",
       v1::VERDICT_ALLOWED},
      // U8: restrictions passed on.
      {"U8", community + "derivative_terms { restrictions_propagate: true }",
       all + "commercial: true distribute_as: \"x\"", "derivative_terms.restrictions_propagate",
       v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS},
      {"U8 not distributed", community + "derivative_terms { restrictions_propagate: true }", all + "commercial: true",
       "derivative_terms.restrictions_propagate", v1::VERDICT_UNSPECIFIED, "", v1::VERDICT_ALLOWED},
      // U9: outputs may not train other models; distillation trains on outputs.
      {"U9 train", community + "derivative_terms { outputs_may_not_train_models: true }",
       absl::StrCat(kKnown, "commercial: true hosting: HOSTING_SELF_HOSTED train_on_outputs: true distillation: false"),
       "derivative_terms.outputs_may_not_train_models", v1::VERDICT_PROHIBITED, "", v1::VERDICT_PROHIBITED},
      {"U9 distill", community + "derivative_terms { outputs_may_not_train_models: true }",
       absl::StrCat(kKnown, "commercial: true hosting: HOSTING_SELF_HOSTED train_on_outputs: false distillation: true"),
       "derivative_terms.outputs_may_not_train_models", v1::VERDICT_PROHIBITED, "", v1::VERDICT_PROHIBITED},
      {"U9 unknown", community + "derivative_terms { outputs_may_not_train_models: true }",
       absl::StrCat(kKnown, "commercial: true hosting: HOSTING_SELF_HOSTED distillation: false"),
       "derivative_terms.outputs_may_not_train_models", v1::VERDICT_UNKNOWN, "profile.train_on_outputs",
       v1::VERDICT_UNKNOWN},
      {"U9 distillation unknown", community + "derivative_terms { outputs_may_not_train_models: true }",
       absl::StrCat(kKnown, "commercial: true hosting: HOSTING_SELF_HOSTED train_on_outputs: false"),
       "derivative_terms.outputs_may_not_train_models", v1::VERDICT_UNKNOWN, "profile.distillation",
       v1::VERDICT_UNKNOWN},
      {"U9 no", community + "derivative_terms { outputs_may_not_train_models: true }", all + "commercial: true",
       "derivative_terms.outputs_may_not_train_models", v1::VERDICT_UNSPECIFIED, "", v1::VERDICT_ALLOWED},
      // U10: distillation counts as a derivative.
      {"U10", community + "derivative_terms { distillation_is_derivative: true }",
       absl::StrCat(kKnown, "commercial: true hosting: HOSTING_SELF_HOSTED train_on_outputs: false distillation: true"),
       "derivative_terms.distillation_is_derivative", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "",
       v1::VERDICT_ALLOWED_WITH_OBLIGATIONS},
      {"U10 unknown", community + "derivative_terms { distillation_is_derivative: true }",
       absl::StrCat(kKnown, "commercial: true hosting: HOSTING_SELF_HOSTED train_on_outputs: false"),
       "derivative_terms.distillation_is_derivative", v1::VERDICT_UNKNOWN, "profile.distillation", v1::VERDICT_UNKNOWN},
      {"U10 no", community + "derivative_terms { distillation_is_derivative: true }", all + "commercial: true",
       "derivative_terms.distillation_is_derivative", v1::VERDICT_UNSPECIFIED, "", v1::VERDICT_ALLOWED},
      // U11: remote restriction.
      {"U11", community + "remote_restriction_clause: \"may restrict usage remotely\"", all + "commercial: true",
       "remote_restriction_clause", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, "", v1::VERDICT_ALLOWED_WITH_OBLIGATIONS},
      // U12: rights withheld in a territory (all materials: the model's modality does not matter).
      {"U12 inside", community + "territorial_restrictions { territory: \"EU\" applies_to: SCOPE_ALL_MATERIALS }",
       all + "commercial: true country: \"fr\"", "territorial_restrictions[0]", v1::VERDICT_PROHIBITED, "",
       v1::VERDICT_PROHIBITED},
      {"U12 outside", community + "territorial_restrictions { territory: \"EU\" applies_to: SCOPE_ALL_MATERIALS }",
       all + "commercial: true country: \"US\"", "territorial_restrictions[0]", v1::VERDICT_ALLOWED, "",
       v1::VERDICT_ALLOWED},
      {"U12 one country", community + "territorial_restrictions { territory: \"US\" applies_to: SCOPE_ALL_MATERIALS }",
       all + "commercial: true country: \"US\"", "territorial_restrictions[0]", v1::VERDICT_PROHIBITED, "",
       v1::VERDICT_PROHIBITED},
      {"U12 unknown", community + "territorial_restrictions { territory: \"EU\" applies_to: SCOPE_ALL_MATERIALS }",
       all + "commercial: true", "territorial_restrictions[0]", v1::VERDICT_UNKNOWN, "profile.country",
       v1::VERDICT_UNKNOWN},
  };
  for (const ClauseCase& c : cases) {
    SCOPED_TRACE(c.rule);
    const v1::License license = Parse<v1::License>(c.license);
    const UsageCheck check = CheckUsage(MakeModel(kModel, license.name()), Lineage(), Licenses({c.license}),
                                        Parse<v1::UsageProfile>(c.profile));
    EXPECT_EQ(check.verdict, c.verdict) << Dump(check);
    const v1::UsageFinding* f = FindTerm(check, c.term);
    if (c.finding == v1::VERDICT_UNSPECIFIED) {
      EXPECT_EQ(f, nullptr) << Dump(check);
      continue;
    }
    ASSERT_NE(f, nullptr) << Dump(check);
    EXPECT_EQ(f->verdict(), c.finding) << Dump(check);
    EXPECT_EQ(f->missing_fact(), c.missing) << Dump(check);
    EXPECT_EQ(f->license(), license.name());
    EXPECT_FALSE(f->action().empty());
  }
}

// The Llama 3.2 policy's clause, as the catalog records it: multimodal models only, the clause quoted with its source.
TEST(UsageRulesTest, U12MultimodalScopeFollowsTheModelsModality) {
  const std::string license = R"pb(
    name: "licenses/l"
    category: CATEGORY_COMMUNITY
    commercial_use: COMMERCIAL_USE_CONDITIONAL
    territorial_restrictions {
      territory: "EU"
      applies_to: SCOPE_MULTIMODAL_MODELS
      end_users_exempt: true
      clause: "... are not being granted to you if you are ... in, the European Union."
      source: "https://example.com/use-policy"
    }
  )pb";
  v1::UsageProfile profile = Parse<v1::UsageProfile>(kKnownProfile);
  profile.set_country("DE");
  v1::Model model = MakeModel(kModel, "licenses/l");

  model.set_modality(v1::Model::MODALITY_TEXT);
  UsageCheck check = CheckUsage(model, Lineage(), Licenses({license}), profile);
  EXPECT_EQ(FindTerm(check, "territorial_restrictions[0]"), nullptr) << Dump(check);

  model.set_modality(v1::Model::MODALITY_MULTIMODAL);
  check = CheckUsage(model, Lineage(), Licenses({license}), profile);
  const v1::UsageFinding* f = FindTerm(check, "territorial_restrictions[0]");
  ASSERT_NE(f, nullptr) << Dump(check);
  EXPECT_EQ(f->verdict(), v1::VERDICT_PROHIBITED);
  EXPECT_EQ(check.verdict, v1::VERDICT_PROHIBITED);
  EXPECT_THAT(f->clause(), HasSubstr("European Union"));
  EXPECT_EQ(f->source(), "https://example.com/use-policy");
  EXPECT_THAT(f->action(), HasSubstr("end users"));

  model.clear_modality();
  check = CheckUsage(model, Lineage(), Licenses({license}), profile);
  f = FindTerm(check, "territorial_restrictions[0]");
  ASSERT_NE(f, nullptr) << Dump(check);
  EXPECT_EQ(f->verdict(), v1::VERDICT_UNKNOWN);
  EXPECT_EQ(f->missing_fact(), "model.modality");
}

TEST(UsageRulesTest, U4ThresholdFindingQuotesTheClauseAndItsSource) {
  const UsageCheck check = CheckUsage(MakeModel(kModel, "licenses/llama3.1"), Lineage(), Licenses({kLlama31}),
                                      KnownProfileWithUsers(800000000));
  EXPECT_EQ(check.verdict, v1::VERDICT_LICENSE_REQUIRED);
  ASSERT_FALSE(check.findings.empty());
  const v1::UsageFinding& first = check.findings[0];  // the most severe first
  EXPECT_EQ(first.term(), "usage_thresholds[0]");
  EXPECT_EQ(first.verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_EQ(first.clause(), "... is greater than 700 million monthly active users ...");
  EXPECT_EQ(first.source(), "https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE");
  EXPECT_THAT(first.action(), HasSubstr("800,000,000 > 700,000,000"));
  EXPECT_THAT(first.action(), HasSubstr("request a license"));
}

TEST(UsageRulesTest, U4UnknownFigureNamesTheMissingFigureAndQuotesTheClause) {
  const UsageCheck check =
      CheckUsage(MakeModel(kModel, "licenses/llama3.1"), Lineage(), Licenses({kLlama31}),
                 Parse<v1::UsageProfile>("commercial: true hosting: HOSTING_SELF_HOSTED distribute_as: \"acme-chat\""));
  EXPECT_EQ(check.verdict, v1::VERDICT_UNKNOWN);
  const v1::UsageFinding* f = FindTerm(check, "usage_thresholds[0]");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->missing_fact(), "profile.monthly_active_users");
  EXPECT_THAT(f->action(), HasSubstr("more than 700,000,000"));
  EXPECT_FALSE(f->clause().empty());
}

TEST(UsageRulesTest, LlamaBelowTheThresholdHasItsObligations) {
  const UsageCheck check =
      CheckUsage(MakeModel(kModel, "licenses/llama3.1"), Lineage(), Licenses({kLlama31}),
                 Parse<v1::UsageProfile>(std::string(kKnownProfile) + " distribute_as: \"acme-chat\""));
  EXPECT_EQ(check.verdict, v1::VERDICT_ALLOWED_WITH_OBLIGATIONS) << Dump(check);
  const v1::UsageFinding* attribution = FindTerm(check, "derivative_terms.attribution_text");
  ASSERT_NE(attribution, nullptr);
  EXPECT_THAT(attribution->action(), HasSubstr("\"Built with Llama\""));
  const v1::UsageFinding* prefix = FindTerm(check, "derivative_terms.required_name_prefix");
  ASSERT_NE(prefix, nullptr);
  EXPECT_EQ(prefix->verdict(), v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);
  EXPECT_THAT(prefix->action(), HasSubstr("\"Llama-acme-chat\""));
  const v1::UsageFinding* aup = FindTerm(check, "use_restrictions.acceptable_use_policy_uri");
  ASSERT_NE(aup, nullptr);
  EXPECT_THAT(aup->action(), HasSubstr("https://llama.meta.com/llama3_1/use-policy"));
  const v1::UsageFinding* threshold = FindTerm(check, "usage_thresholds[0]");
  ASSERT_NE(threshold, nullptr);
  EXPECT_EQ(threshold->verdict(), v1::VERDICT_ALLOWED);
  EXPECT_THAT(threshold->action(), HasSubstr("1,000 <= 700,000,000"));
}

TEST(UsageRulesTest, U1OwnLicenseMissingOrUnknown) {
  UsageCheck check = CheckUsage(MakeModel(kModel, ""), Lineage(), {}, Parse<v1::UsageProfile>(kKnownProfile));
  EXPECT_EQ(check.verdict, v1::VERDICT_UNKNOWN);
  ASSERT_NE(FindTerm(check, "weights.license"), nullptr);
  EXPECT_EQ(FindTerm(check, "weights.license")->missing_fact(), "model.weights.license");

  check = CheckUsage(MakeModel(kModel, "licenses/other"), Lineage(), {}, Parse<v1::UsageProfile>(kKnownProfile));
  EXPECT_EQ(check.verdict, v1::VERDICT_UNKNOWN);
  const v1::UsageFinding* f = FindTerm(check, "weights.license");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->missing_fact(), "license");
  EXPECT_EQ(f->license(), "licenses/other");
}

TEST(UsageRulesTest, OpenLicenseWithEveryFactKnownIsAllowedWithoutFindings) {
  const UsageCheck check = CheckUsage(MakeModel(kModel, "licenses/apache-2.0"), Lineage(), Licenses({kApache}),
                                      Parse<v1::UsageProfile>(std::string(kKnownProfile) + " distribute_as: \"x\""));
  EXPECT_EQ(check.verdict, v1::VERDICT_ALLOWED);
  EXPECT_TRUE(check.findings.empty()) << Dump(check);
}

TEST(UsageRulesTest, EmptyProfileOnAnOpenLicenseIsUnknownOnlyForTheHosting) {
  // Open-download weights under Apache-2.0: no rule needs a fact, so nothing is unknown.
  UsageCheck check = CheckUsage(MakeModel(kModel, "licenses/apache-2.0"), Lineage(), Licenses({kApache}), {});
  EXPECT_EQ(check.verdict, v1::VERDICT_ALLOWED) << Dump(check);
  // The same with API-only weights: whether it is self-hosted decides.
  check = CheckUsage(MakeModel(kModel, "licenses/apache-2.0", "", v1::Weights::ACCESS_API_ONLY), Lineage(),
                     Licenses({kApache}), {});
  EXPECT_EQ(check.verdict, v1::VERDICT_UNKNOWN);
  EXPECT_EQ(FindTerm(check, "weights.access")->missing_fact(), "profile.hosting");
}

struct AccessCase {
  std::string rule;
  v1::Weights::Access access;
  v1::Hosting hosting;
  v1::Verdict finding;  // VERDICT_UNSPECIFIED: none
  std::string missing;
};

TEST(UsageRulesTest, M1M2WeightsAccessAgainstHosting) {
  const std::vector<AccessCase> cases = {
      {"M1 closed", v1::Weights::ACCESS_CLOSED, v1::HOSTING_PROVIDER_API, v1::VERDICT_PROHIBITED, ""},
      {"M1 api self-hosted", v1::Weights::ACCESS_API_ONLY, v1::HOSTING_SELF_HOSTED, v1::VERDICT_PROHIBITED, ""},
      {"M1 api unknown hosting", v1::Weights::ACCESS_API_ONLY, v1::HOSTING_UNSPECIFIED, v1::VERDICT_UNKNOWN,
       "profile.hosting"},
      {"M1 api via api", v1::Weights::ACCESS_API_ONLY, v1::HOSTING_PROVIDER_API, v1::VERDICT_UNSPECIFIED, ""},
      {"M1 access unknown", v1::Weights::ACCESS_UNSPECIFIED, v1::HOSTING_SELF_HOSTED, v1::VERDICT_UNKNOWN,
       "model.weights.access"},
      {"M1 access unknown via api", v1::Weights::ACCESS_UNSPECIFIED, v1::HOSTING_PROVIDER_API, v1::VERDICT_UNSPECIFIED,
       ""},
      {"M2 manual approval", v1::Weights::ACCESS_GATED_MANUAL_APPROVAL, v1::HOSTING_SELF_HOSTED,
       v1::VERDICT_ALLOWED_WITH_OBLIGATIONS, ""},
      {"M2 manual approval via api", v1::Weights::ACCESS_GATED_MANUAL_APPROVAL, v1::HOSTING_PROVIDER_API,
       v1::VERDICT_UNSPECIFIED, ""},
      {"click-through", v1::Weights::ACCESS_GATED_CLICK_THROUGH, v1::HOSTING_SELF_HOSTED, v1::VERDICT_UNSPECIFIED, ""},
      {"open", v1::Weights::ACCESS_OPEN_DOWNLOAD, v1::HOSTING_SELF_HOSTED, v1::VERDICT_UNSPECIFIED, ""},
  };
  for (const AccessCase& c : cases) {
    SCOPED_TRACE(c.rule);
    v1::Model model = MakeModel(kModel, "licenses/apache-2.0", "", c.access);
    model.set_huggingface_repo("p/m");
    v1::UsageProfile profile = Parse<v1::UsageProfile>(kKnownProfile);
    profile.set_hosting(c.hosting);
    const UsageCheck check = CheckUsage(model, Lineage(), Licenses({kApache}), profile);
    const v1::UsageFinding* f = FindTerm(check, "weights.access");
    if (c.finding == v1::VERDICT_UNSPECIFIED) {
      EXPECT_EQ(f, nullptr) << Dump(check);
      EXPECT_EQ(check.verdict, v1::VERDICT_ALLOWED);
      continue;
    }
    ASSERT_NE(f, nullptr) << Dump(check);
    EXPECT_EQ(f->verdict(), c.finding);
    EXPECT_EQ(f->missing_fact(), c.missing);
    EXPECT_EQ(check.verdict, c.finding);
    if (c.access == v1::Weights::ACCESS_GATED_MANUAL_APPROVAL) {
      EXPECT_THAT(f->action(), HasSubstr("https://huggingface.co/p/m"));
    }
  }
}

// ---- Lineage ----

constexpr char kLlamaRoot[] = "publishers/meta-llama/models/llama-3.1-8b";
constexpr char kQuant[] = "publishers/q/models/llama-q4";

Lineage Chain(std::vector<v1::Model> ancestors, Lineage::End end = Lineage::End::kRoot, std::string unresolved = "") {
  Lineage lineage;
  lineage.ancestors = std::move(ancestors);
  lineage.end = end;
  lineage.unresolved = std::move(unresolved);
  return lineage;
}

TEST(UsageRulesTest, L1L2FineTuneOfAQuantizationInheritsTheThresholdFromWhereItEntered) {
  // A fine-tune labelled Apache-2.0, of a quantization under llama3.1, of Llama 3.1 8B under llama3.1.
  const v1::Model finetune = MakeModel(kModel, "licenses/apache-2.0", kQuant);
  const Lineage lineage =
      Chain({MakeModel(kQuant, "licenses/llama3.1", kLlamaRoot), MakeModel(kLlamaRoot, "licenses/llama3.1")});
  const UsageCheck check =
      CheckUsage(finetune, lineage, Licenses({kApache, kLlama31}), KnownProfileWithUsers(900000000));
  EXPECT_EQ(check.verdict, v1::VERDICT_LICENSE_REQUIRED);
  // The threshold is reported once, at the farthest ancestor carrying the license.
  const v1::UsageFinding* f = FindTerm(check, "usage_thresholds[0]", kLlamaRoot);
  ASSERT_NE(f, nullptr) << Dump(check);
  EXPECT_EQ(f->verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_EQ(f->license(), "licenses/llama3.1");
  EXPECT_EQ(FindTerm(check, "usage_thresholds[0]", kQuant), nullptr) << Dump(check);
  EXPECT_EQ(FindTerm(check, "usage_thresholds[0]", kModel), nullptr) << Dump(check);
  int thresholds = 0;
  for (const auto& finding : check.findings) thresholds += finding.term() == "usage_thresholds[0]" ? 1 : 0;
  EXPECT_EQ(thresholds, 1);
}

TEST(UsageRulesTest, L1OwnLicenseIsNotAppliedAgainForAnAncestor) {
  const v1::Model quant = MakeModel(kModel, "licenses/llama3.1", kLlamaRoot);
  const UsageCheck check = CheckUsage(quant, Chain({MakeModel(kLlamaRoot, "licenses/llama3.1")}), Licenses({kLlama31}),
                                      Parse<v1::UsageProfile>(kKnownProfile));
  EXPECT_NE(FindTerm(check, "usage_thresholds[0]", kModel), nullptr);
  EXPECT_EQ(FindTerm(check, "usage_thresholds[0]", kLlamaRoot), nullptr);
}

TEST(UsageRulesTest, L2NonCommercialBaseBindsADerivativeUnderAnOpenLicense) {
  const v1::Model derived = MakeModel(kModel, "licenses/apache-2.0", "publishers/c/models/base");
  const UsageCheck check = CheckUsage(derived, Chain({MakeModel("publishers/c/models/base", "licenses/cc-by-nc-4.0")}),
                                      Licenses({kApache, kCcByNc}), Parse<v1::UsageProfile>(kKnownProfile));
  EXPECT_EQ(check.verdict, v1::VERDICT_PROHIBITED);
  const v1::UsageFinding* f = FindTerm(check, "commercial_use", "publishers/c/models/base");
  ASSERT_NE(f, nullptr) << Dump(check);
  EXPECT_EQ(f->source(), "https://spdx.org/licenses/CC-BY-NC-4.0.html");
}

TEST(UsageRulesTest, L2PropagatingRestrictionsOfTheBaseAreInherited) {
  constexpr char kRail[] = R"pb(
    name: "licenses/rail"
    category: CATEGORY_RESPONSIBLE_AI
    commercial_use: COMMERCIAL_USE_ALLOWED
    use_restrictions { restricted_uses: "surveillance" }
    derivative_terms { restrictions_propagate: true }
  )pb";
  const v1::Model derived = MakeModel(kModel, "licenses/apache-2.0", "publishers/b/models/base");
  const UsageCheck check =
      CheckUsage(derived, Chain({MakeModel("publishers/b/models/base", "licenses/rail")}), Licenses({kApache, kRail}),
                 Parse<v1::UsageProfile>(std::string(kKnownProfile) + " distribute_as: \"acme\""));
  EXPECT_EQ(check.verdict, v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);
  EXPECT_NE(FindTerm(check, "use_restrictions.restricted_uses", "publishers/b/models/base"), nullptr);
  EXPECT_NE(FindTerm(check, "derivative_terms.restrictions_propagate", "publishers/b/models/base"), nullptr);
}

TEST(UsageRulesTest, L2OpenBaseGivesNoFindings) {
  const v1::Model derived = MakeModel(kModel, "licenses/llama3.1", "publishers/b/models/base");
  const UsageCheck check = CheckUsage(derived, Chain({MakeModel("publishers/b/models/base", "licenses/apache-2.0")}),
                                      Licenses({kApache, kLlama31}), Parse<v1::UsageProfile>(kKnownProfile));
  for (const auto& f : check.findings) EXPECT_EQ(f.model(), kModel) << Dump(check);
  EXPECT_TRUE(TermsPropagate(Parse<v1::License>(kLlama31)));
  EXPECT_FALSE(TermsPropagate(Parse<v1::License>(kApache)));
}

TEST(UsageRulesTest, L3AncestorWithoutLicenseOrWithUnknownLicenseIsUnknown) {
  const v1::Model derived = MakeModel(kModel, "licenses/apache-2.0", "publishers/b/models/base");
  UsageCheck check = CheckUsage(derived, Chain({MakeModel("publishers/b/models/base", "")}), Licenses({kApache}),
                                Parse<v1::UsageProfile>(kKnownProfile));
  EXPECT_EQ(check.verdict, v1::VERDICT_UNKNOWN);
  const v1::UsageFinding* f = FindTerm(check, "weights.license", "publishers/b/models/base");
  ASSERT_NE(f, nullptr) << Dump(check);
  EXPECT_EQ(f->missing_fact(), "model.weights.license");

  check = CheckUsage(derived, Chain({MakeModel("publishers/b/models/base", "licenses/secret")}), Licenses({kApache}),
                     Parse<v1::UsageProfile>(kKnownProfile));
  EXPECT_EQ(check.verdict, v1::VERDICT_UNKNOWN);
  f = FindTerm(check, "weights.license", "publishers/b/models/base");
  ASSERT_NE(f, nullptr) << Dump(check);
  EXPECT_EQ(f->missing_fact(), "license");
  EXPECT_EQ(f->license(), "licenses/secret");
}

TEST(UsageRulesTest, L3AncestorLicenseRecordedByNameOnlyIsUnknown) {
  constexpr char kNameOnly[] = R"pb(name: "licenses/llama3.2" category: CATEGORY_COMMUNITY)pb";
  const v1::Model derived = MakeModel(kModel, "licenses/apache-2.0", "publishers/b/models/base");
  const UsageCheck check = CheckUsage(derived, Chain({MakeModel("publishers/b/models/base", "licenses/llama3.2")}),
                                      Licenses({kApache, kNameOnly}), Parse<v1::UsageProfile>(kKnownProfile));
  EXPECT_EQ(check.verdict, v1::VERDICT_UNKNOWN);
  ASSERT_EQ(check.findings.size(), 1u) << Dump(check);
  EXPECT_EQ(check.findings[0].model(), "publishers/b/models/base");
  EXPECT_EQ(check.findings[0].missing_fact(), "license");
}

TEST(UsageRulesTest, L4UnfollowableChainIsUnknownNamingTheLastModel) {
  struct EndCase {
    Lineage::End end;
    std::string text;
  };
  for (const EndCase& c : {EndCase{Lineage::End::kMissing, "not in the registry"},
                           EndCase{Lineage::End::kCycle, "cycle"}, EndCase{Lineage::End::kTooLong, "longer than 32"}}) {
    SCOPED_TRACE(c.text);
    const v1::Model derived = MakeModel(kModel, "licenses/apache-2.0", "publishers/b/models/base");
    const UsageCheck check =
        CheckUsage(derived,
                   Chain({MakeModel("publishers/b/models/base", "licenses/apache-2.0", "publishers/b/models/x")}, c.end,
                         "publishers/b/models/x"),
                   Licenses({kApache}), Parse<v1::UsageProfile>(kKnownProfile));
    EXPECT_EQ(check.verdict, v1::VERDICT_UNKNOWN);
    const v1::UsageFinding* f = FindTerm(check, "base_model", "publishers/b/models/base");
    ASSERT_NE(f, nullptr) << Dump(check);
    EXPECT_EQ(f->missing_fact(), "model.base_model");
    EXPECT_THAT(f->action(), HasSubstr("publishers/b/models/x"));
    EXPECT_THAT(f->action(), HasSubstr(c.text));
  }
  // With no ancestor at all, the checked model is the one whose base_model could not be followed.
  const UsageCheck check = CheckUsage(MakeModel(kModel, "licenses/apache-2.0", "publishers/b/models/gone"),
                                      Chain({}, Lineage::End::kMissing, "publishers/b/models/gone"),
                                      Licenses({kApache}), Parse<v1::UsageProfile>(kKnownProfile));
  EXPECT_NE(FindTerm(check, "base_model", kModel), nullptr) << Dump(check);
}

TEST(UsageRulesTest, TermsInheritedAlongTheChainStillDecideWhenTheChainEndsEarly) {
  // The chain is cut after the Llama quantization: its threshold still applies, and the cut adds an UNKNOWN.
  const v1::Model finetune = MakeModel(kModel, "licenses/apache-2.0", kQuant);
  const UsageCheck check = CheckUsage(finetune,
                                      Chain({MakeModel(kQuant, "licenses/llama3.1", "publishers/x/models/gone")},
                                            Lineage::End::kMissing, "publishers/x/models/gone"),
                                      Licenses({kApache, kLlama31}), KnownProfileWithUsers(800000000));
  EXPECT_EQ(check.verdict, v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_NE(FindTerm(check, "usage_thresholds[0]", kQuant), nullptr);
  EXPECT_NE(FindTerm(check, "base_model", kQuant), nullptr);
}

// ---- The verdict ----

TEST(UsageRulesTest, MostSevereFindingDecidesAndComesFirst) {
  EXPECT_EQ(MoreSevere(v1::VERDICT_PROHIBITED, v1::VERDICT_LICENSE_REQUIRED), v1::VERDICT_PROHIBITED);
  EXPECT_EQ(MoreSevere(v1::VERDICT_UNKNOWN, v1::VERDICT_LICENSE_REQUIRED), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_EQ(MoreSevere(v1::VERDICT_UNKNOWN, v1::VERDICT_ALLOWED_WITH_OBLIGATIONS), v1::VERDICT_UNKNOWN);
  EXPECT_EQ(MoreSevere(v1::VERDICT_ALLOWED, v1::VERDICT_ALLOWED_WITH_OBLIGATIONS),
            v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);

  // Commercial use of a non-commercial model, self-hosted though API only, users unknown under a threshold.
  constexpr char kMixed[] = R"pb(
    name: "licenses/mixed"
    category: CATEGORY_NON_COMMERCIAL
    usage_thresholds { metric: METRIC_MONTHLY_ACTIVE_USERS limit: 10 consequence: CONSEQUENCE_REQUEST_LICENSE }
    use_restrictions { acceptable_use_policy_uri: "https://x.example/aup" }
  )pb";
  const UsageCheck check =
      CheckUsage(MakeModel(kModel, "licenses/mixed", "", v1::Weights::ACCESS_API_ONLY), Lineage(), Licenses({kMixed}),
                 Parse<v1::UsageProfile>("commercial: true hosting: HOSTING_SELF_HOSTED"));
  EXPECT_EQ(check.verdict, v1::VERDICT_PROHIBITED);
  ASSERT_EQ(check.findings.size(), 4u) << Dump(check);
  // Most severe first; rule order (M1 before U3) within one verdict.
  EXPECT_EQ(check.findings[0].term(), "weights.access");
  EXPECT_EQ(check.findings[1].term(), "category");
  EXPECT_EQ(check.findings[2].verdict(), v1::VERDICT_UNKNOWN);
  EXPECT_EQ(check.findings[3].verdict(), v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);
}

TEST(UsageRulesTest, PastThresholdComparesAsWorded) {
  v1::License::UsageThreshold t;
  t.set_limit(100);
  EXPECT_FALSE(PastThreshold(t, 100));
  EXPECT_TRUE(PastThreshold(t, 101));
  t.set_comparison(v1::License::UsageThreshold::COMPARISON_GREATER_THAN);
  EXPECT_FALSE(PastThreshold(t, 100));
  t.set_comparison(v1::License::UsageThreshold::COMPARISON_AT_LEAST);
  EXPECT_TRUE(PastThreshold(t, 100));
  EXPECT_FALSE(PastThreshold(t, 99));
}

}  // namespace
}  // namespace modelreg

// The shipped catalog (the embedded copy of schema/catalog/*.yaml) under the usage rules: the examples of
// server/domain/usage/RULES.md section 4, and every shipped threshold states how it compares.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "google/protobuf/text_format.h"
#include "server/domain/catalog/catalog.h"
#include "server/domain/usage/usage_rules.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::testing::HasSubstr;

class CatalogUsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Catalog> catalog = LoadEmbeddedCatalog();
    ASSERT_OK(catalog);
    catalog_ = *std::move(catalog);
    for (const auto& [id, license] : catalog_.licenses) licenses_[license.name()] = license;
  }

  // Checks a shipped model (it has no base_model) against a profile in text format.
  UsageCheck Check(const std::string& model, const std::string& profile) {
    for (const v1::Model& m : catalog_.models) {
      if (m.name() != model) continue;
      v1::UsageProfile parsed;
      EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(profile, &parsed)) << profile;
      return CheckUsage(m, Lineage(), licenses_, parsed);
    }
    ADD_FAILURE() << model << " is not in the catalog";
    return {};
  }

  static const v1::UsageFinding* Term(const UsageCheck& check, const std::string& term) {
    for (const v1::UsageFinding& f : check.findings) {
      if (f.term() == term) return &f;
    }
    return nullptr;
  }

  Catalog catalog_;
  LicenseMap licenses_;
};

constexpr char kUse[] =
    "commercial: true hosting: HOSTING_SELF_HOSTED distribute_as: \"acme-chat\" train_on_outputs: false "
    "distillation: false ";

TEST_F(CatalogUsageTest, Llama31AboveTheThresholdNeedsALicenseQuotingTheClause) {
  const UsageCheck check =
      Check("publishers/meta-llama/models/llama-3.1-8b", std::string(kUse) + "monthly_active_users: 800000000");
  EXPECT_EQ(check.verdict, v1::VERDICT_LICENSE_REQUIRED);
  const v1::UsageFinding* f = Term(check, "usage_thresholds[0]");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_THAT(f->clause(), HasSubstr("greater than 700 million monthly active users"));
  EXPECT_EQ(f->source(), "https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE");
}

TEST_F(CatalogUsageTest, Llama31AtExactlyTheLimitIsNotPastIt) {
  const UsageCheck check =
      Check("publishers/meta-llama/models/llama-3.1-8b", std::string(kUse) + "monthly_active_users: 700000000");
  EXPECT_EQ(check.verdict, v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);
  ASSERT_NE(Term(check, "usage_thresholds[0]"), nullptr);
  EXPECT_EQ(Term(check, "usage_thresholds[0]")->verdict(), v1::VERDICT_ALLOWED);
  ASSERT_NE(Term(check, "derivative_terms.attribution_text"), nullptr);
  ASSERT_NE(Term(check, "derivative_terms.required_name_prefix"), nullptr);
  EXPECT_THAT(Term(check, "derivative_terms.required_name_prefix")->action(), HasSubstr("\"Llama\""));
}

TEST_F(CatalogUsageTest, Llama31WithUsersUnknownIsUnknown) {
  const UsageCheck check = Check("publishers/meta-llama/models/llama-3.1-8b", kUse);
  EXPECT_EQ(check.verdict, v1::VERDICT_UNKNOWN);
  EXPECT_EQ(Term(check, "usage_thresholds[0]")->missing_fact(), "profile.monthly_active_users");
}

TEST_F(CatalogUsageTest, OtherShippedLicenses) {
  EXPECT_EQ(Check("publishers/cohereforai/models/c4ai-command-r-v01", kUse).verdict, v1::VERDICT_PROHIBITED);
  EXPECT_EQ(Check("publishers/openai/models/gpt-4o", kUse).verdict, v1::VERDICT_PROHIBITED);
  const UsageCheck llama2 = Check("publishers/meta-llama/models/llama-2-7b",
                                  "commercial: true hosting: HOSTING_SELF_HOSTED monthly_active_users: 5 "
                                  "train_on_outputs: true distillation: false");
  EXPECT_EQ(llama2.verdict, v1::VERDICT_PROHIBITED);
  ASSERT_NE(Term(llama2, "derivative_terms.outputs_may_not_train_models"), nullptr);
  const std::string sd3 = "publishers/stabilityai/models/stable-diffusion-3-medium";
  EXPECT_EQ(Check(sd3, std::string(kUse) + "annual_revenue_usd: 1000001").verdict, v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_EQ(Term(Check(sd3, std::string(kUse) + "annual_revenue_usd: 1000000"), "usage_thresholds[0]")->verdict(),
            v1::VERDICT_ALLOWED);
  EXPECT_EQ(Check("publishers/mistralai/models/mistral-7b-v0.1", std::string(kUse) + "monthly_active_users: 1").verdict,
            v1::VERDICT_ALLOWED);
}

TEST_F(CatalogUsageTest, EveryShippedThresholdStatesItsComparison) {
  int thresholds = 0;
  for (const auto& [id, license] : catalog_.licenses) {
    for (const auto& t : license.usage_thresholds()) {
      ++thresholds;
      EXPECT_NE(t.comparison(), v1::License::UsageThreshold::COMPARISON_UNSPECIFIED)
          << id << ": set `comparison` from the license text's wording (greater than / at least)";
    }
  }
  EXPECT_GE(thresholds, 5);
}

}  // namespace
}  // namespace modelreg

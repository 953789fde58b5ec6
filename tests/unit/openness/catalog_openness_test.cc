// The shipped catalog (schema/catalog/*.yaml), parsed from the embedded copy and assessed with its own licenses.
// The expected table is what server/domain/openness/RULES.md gives from the facts recorded in models.yaml; when a row
// here changes, the facts or the rules changed, and RULES.md's example table must change with it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "server/domain/catalog/catalog.h"
#include "server/domain/openness/assessment.h"
#include "tests/support/catalog_expectations.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::ExpectedCatalogAssessments;
using ::modelreg::testing::ExpectedOpenness;
using v1::OpennessFlag;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Catalog> catalog = LoadEmbeddedCatalog();
    ASSERT_OK(catalog);
    catalog_ = *std::move(catalog);
    for (const auto& [id, license] : catalog_.licenses) licenses_[license.name()] = license;
  }

  Catalog catalog_;
  LicenseMap licenses_;
};

TEST_F(CatalogTest, EveryModelAssessesAsExpected) {
  std::set<std::string> seen;
  for (const v1::Model& model : catalog_.models) {
    SCOPED_TRACE(model.name());
    seen.insert(model.name());
    auto it = ExpectedCatalogAssessments().find(model.name());
    ASSERT_NE(it, ExpectedCatalogAssessments().end()) << "add the model to the expected table";
    const ExpectedOpenness& expected = it->second;
    const v1::Openness openness = AssessOpenness(model, licenses_);
    std::string reasons;
    for (const auto& reason : openness.reasons()) reasons += "\n  " + reason.code() + ": " + reason.message();
    EXPECT_EQ(openness.level(), expected.level) << reasons;
    EXPECT_EQ(openness.mof_class(), expected.mof_class);
    std::vector<OpennessFlag> flags;
    for (int flag : openness.flags()) flags.push_back(static_cast<OpennessFlag>(flag));
    EXPECT_EQ(flags, expected.flags) << reasons;
    EXPECT_EQ(openness.osaid_candidate(), expected.osaid_candidate) << openness.osaid_note();
    EXPECT_EQ(openness.rules_version(), kRulesVersion);
  }
  EXPECT_EQ(seen.size(), ExpectedCatalogAssessments().size()) << "a model of the expected table is not shipped";
  EXPECT_GE(catalog_.models.size(), 25u);
}

TEST_F(CatalogTest, PythiaIsClassIWithTheTechnicalReportSkipped) {
  for (const v1::Model& model : catalog_.models) {
    if (model.name() != "publishers/eleutherai/models/pythia-6.9b") continue;
    const v1::Openness openness = AssessOpenness(model, licenses_);
    ASSERT_EQ(openness.mof_progress_size(), 3);
    EXPECT_EQ(openness.mof_progress(2).required(), 13);
    EXPECT_EQ(openness.mof_progress(2).met(), 13);
    return;
  }
  FAIL() << "Pythia is not shipped";
}

TEST_F(CatalogTest, EveryRequiredLicenseIsShipped) {
  const char* required[] = {"apache-2.0",
                            "mit",
                            "bsd-3-clause",
                            "bsd-2-clause",
                            "gpl-3.0",
                            "lgpl-3.0",
                            "agpl-3.0",
                            "mpl-2.0",
                            "cc0-1.0",
                            "cc-by-4.0",
                            "cc-by-sa-4.0",
                            "cdla-permissive-2.0",
                            "odc-by-1.0",
                            "odbl-1.0",
                            "openmdw-1.0",
                            "cc-by-nc-4.0",
                            "cc-by-nc-sa-4.0",
                            "openrail",
                            "bigscience-openrail-m",
                            "bigscience-bloom-rail-1.0",
                            "bigcode-openrail-m",
                            "creativeml-openrail-m",
                            "openrail++",
                            "llama2",
                            "llama3",
                            "llama3.1",
                            "llama3.2",
                            "llama3.3",
                            "gemma",
                            "qwen",
                            "qwen-research",
                            "deepseek",
                            "mrl",
                            "stabilityai-ai-community",
                            "falcon-180b-tii-license-1.0",
                            "proprietary"};
  for (const char* id : required) {
    EXPECT_EQ(licenses_.count(std::string("licenses/") + id), 1u) << id;
  }
}

TEST_F(CatalogTest, OpenLicensesAreTheMofOnes) {
  std::set<std::string> open;
  for (const auto& [name, license] : licenses_) {
    if (IsOpenLicense(license)) open.insert(name.substr(std::string("licenses/").size()));
  }
  EXPECT_EQ(open, (std::set<std::string>{"agpl-3.0", "apache-2.0", "bsd-2-clause", "bsd-3-clause", "cc-by-4.0",
                                         "cc-by-sa-4.0", "cc0-1.0", "cdla-permissive-2.0", "gpl-3.0", "lgpl-3.0", "mit",
                                         "mpl-2.0", "odbl-1.0", "odc-by-1.0", "openmdw-1.0"}));
}

TEST_F(CatalogTest, ThresholdsAreAsWritten) {
  using Threshold = v1::License::UsageThreshold;
  struct Case {
    const char* name;
    Threshold::Metric metric;
    int64_t limit;
    Threshold::Consequence consequence;
  };
  const Case cases[] = {
      {"licenses/llama2", Threshold::METRIC_MONTHLY_ACTIVE_USERS, 700000000, Threshold::CONSEQUENCE_REQUEST_LICENSE},
      {"licenses/llama3", Threshold::METRIC_MONTHLY_ACTIVE_USERS, 700000000, Threshold::CONSEQUENCE_REQUEST_LICENSE},
      {"licenses/llama3.1", Threshold::METRIC_MONTHLY_ACTIVE_USERS, 700000000, Threshold::CONSEQUENCE_REQUEST_LICENSE},
      {"licenses/qwen", Threshold::METRIC_MONTHLY_ACTIVE_USERS, 100000000, Threshold::CONSEQUENCE_REQUEST_LICENSE},
      {"licenses/stabilityai-ai-community", Threshold::METRIC_ANNUAL_REVENUE_USD, 1000000,
       Threshold::CONSEQUENCE_ENTERPRISE_LICENSE_REQUIRED},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const v1::License& license = licenses_.at(c.name);
    ASSERT_EQ(license.usage_thresholds_size(), 1);
    EXPECT_EQ(license.usage_thresholds(0).metric(), c.metric);
    EXPECT_EQ(license.usage_thresholds(0).limit(), c.limit);
    EXPECT_EQ(license.usage_thresholds(0).consequence(), c.consequence);
  }
  int with_thresholds = 0;
  for (const auto& [name, license] : licenses_) with_thresholds += HasUsageThreshold(license) ? 1 : 0;
  EXPECT_EQ(with_thresholds, 5);
}

TEST_F(CatalogTest, RecordsAreSourcedAndReferencesResolve) {
  for (const auto& [id, license] : catalog_.licenses) {
    EXPECT_GT(license.sources_size(), 0) << id;
    for (const std::string& source : license.sources()) EXPECT_EQ(source.rfind("https://", 0), 0u) << source;
  }
  for (const v1::Model& model : catalog_.models) {
    SCOPED_TRACE(model.name());
    EXPECT_GT(model.sources_size(), 0);
    for (const std::string& source : model.sources()) EXPECT_EQ(source.rfind("https://", 0), 0u) << source;
    std::vector<std::string> refs;
    if (!model.weights().license().empty()) refs.push_back(model.weights().license());
    for (const auto& component : model.components()) {
      if (!component.license().empty()) refs.push_back(component.license());
    }
    for (const auto& dataset : model.data_disclosure().datasets()) {
      if (!dataset.license().empty()) refs.push_back(dataset.license());
    }
    for (const std::string& ref : refs) EXPECT_EQ(licenses_.count(ref), 1u) << ref;
  }
}

}  // namespace
}  // namespace modelreg

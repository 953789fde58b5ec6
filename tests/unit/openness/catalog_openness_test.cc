// The shipped catalog (schema/catalog/*.yaml), parsed from the embedded copy and assessed with its own licenses.
// The expected table is what server/domain/openness/RULES.md gives from the facts recorded in models.yaml; when a row
// here changes, the facts or the rules changed, and RULES.md's example table must change with it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
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
  EXPECT_GE(catalog_.models.size(), 80u);
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
                            "proprietary",
                            "tongyi-qianwen",
                            "llama4",
                            "cc-by-nc-4.0-c4ai-aup"};
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
      {"licenses/llama3.2", Threshold::METRIC_MONTHLY_ACTIVE_USERS, 700000000, Threshold::CONSEQUENCE_REQUEST_LICENSE},
      {"licenses/llama3.3", Threshold::METRIC_MONTHLY_ACTIVE_USERS, 700000000, Threshold::CONSEQUENCE_REQUEST_LICENSE},
      {"licenses/llama4", Threshold::METRIC_MONTHLY_ACTIVE_USERS, 700000000, Threshold::CONSEQUENCE_REQUEST_LICENSE},
      {"licenses/qwen", Threshold::METRIC_MONTHLY_ACTIVE_USERS, 100000000, Threshold::CONSEQUENCE_REQUEST_LICENSE},
      {"licenses/tongyi-qianwen", Threshold::METRIC_MONTHLY_ACTIVE_USERS, 100000000,
       Threshold::CONSEQUENCE_REQUEST_LICENSE},
      {"licenses/stabilityai-ai-community", Threshold::METRIC_ANNUAL_REVENUE_USD, 1000000,
       Threshold::CONSEQUENCE_ENTERPRISE_LICENSE_REQUIRED},
      {"licenses/databricks-open-model-license", Threshold::METRIC_MONTHLY_ACTIVE_USERS, 700000000,
       Threshold::CONSEQUENCE_REQUEST_LICENSE},
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
  EXPECT_EQ(with_thresholds, 10);
}

// The Llama 3.2, 3.3 and 4 acceptable use policies withhold the rights to multimodal models from licensees in the EU;
// no other shipped license withholds rights in a territory.
TEST_F(CatalogTest, TerritorialRestrictionsAreTheLlamaEuClauses) {
  using Restriction = v1::License::TerritorialRestriction;
  std::set<std::string> restricted;
  for (const auto& [name, license] : licenses_) {
    if (license.territorial_restrictions_size() == 0) continue;
    restricted.insert(name);
    SCOPED_TRACE(name);
    ASSERT_EQ(license.territorial_restrictions_size(), 1);
    const Restriction& r = license.territorial_restrictions(0);
    EXPECT_EQ(r.territory(), "EU");
    EXPECT_EQ(r.applies_to(), Restriction::SCOPE_MULTIMODAL_MODELS);
    EXPECT_EQ(std::vector<int>(r.licensees().begin(), r.licensees().end()),
              (std::vector<int>{Restriction::LICENSEE_INDIVIDUALS_DOMICILED,
                                Restriction::LICENSEE_COMPANIES_PRINCIPAL_PLACE_OF_BUSINESS}));
    EXPECT_TRUE(r.end_users_exempt());
    EXPECT_NE(r.clause().find("principal place of business in, the European Union"), std::string::npos);
    EXPECT_EQ(r.source().rfind("https://github.com/meta-llama/llama-models/blob/main/models/", 0), 0u);
    EXPECT_EQ(WithheldTerritories(license), std::vector<std::string>{"EU"});
  }
  EXPECT_EQ(restricted, (std::set<std::string>{"licenses/llama3.2", "licenses/llama3.3", "licenses/llama4"}));
}

// The license facts the catalog audit corrected.
TEST_F(CatalogTest, CorrectedLicenseTerms) {
  const v1::License& gemma = licenses_.at("licenses/gemma");
  EXPECT_EQ(gemma.commercial_use(), v1::License::COMMERCIAL_USE_ALLOWED);
  EXPECT_NE(gemma.remote_restriction_clause().find("reserves the right to restrict (remotely or otherwise)"),
            std::string::npos);
  EXPECT_TRUE(HasAttributionRequirement(gemma));
  const v1::License& falcon = licenses_.at("licenses/falcon-180b-tii-license-1.0");
  const auto& uses = falcon.use_restrictions().restricted_uses();
  EXPECT_NE(std::find(uses.begin(), uses.end(), "hosting-use"), uses.end());
  EXPECT_EQ(falcon.commercial_use(), v1::License::COMMERCIAL_USE_CONDITIONAL);
  EXPECT_FALSE(HasUsageThreshold(falcon));
  // The 2023 Tongyi Qianwen text forbids improving other LLMs; the 2024 Qwen text does not.
  EXPECT_TRUE(licenses_.at("licenses/tongyi-qianwen").derivative_terms().outputs_may_not_train_models());
  EXPECT_FALSE(licenses_.at("licenses/qwen").derivative_terms().outputs_may_not_train_models());
  for (const char* qwen : {"licenses/qwen", "licenses/qwen-research"}) {
    EXPECT_EQ(licenses_.at(qwen).derivative_terms().attribution_text(), "Built with Qwen") << qwen;
  }
  EXPECT_EQ(licenses_.at("licenses/deepseek").commercial_use(), v1::License::COMMERCIAL_USE_ALLOWED);
  for (const char* llama : {"licenses/llama3.2", "licenses/llama3.3", "licenses/llama4"}) {
    SCOPED_TRACE(llama);
    const v1::License& l = licenses_.at(llama);
    EXPECT_EQ(l.derivative_terms().attribution_text(), "Built with Llama");
    EXPECT_EQ(l.derivative_terms().required_name_prefix(), "Llama");
    EXPECT_EQ(l.use_restrictions().acceptable_use_policy_uri().rfind("https://www.llama.com/", 0), 0u);
    EXPECT_EQ(l.commercial_use(), v1::License::COMMERCIAL_USE_CONDITIONAL);
  }
}

const v1::Model* FindModel(const Catalog& catalog, const std::string& name) {
  for (const v1::Model& model : catalog.models) {
    if (model.name() == name) return &model;
  }
  return nullptr;
}

// Release date, size and lineage: every base_model names a shipped model with a relation; counts are consistent;
// most models have a release date and a parameter count (the rest are listed as not found in SOURCES.md).
TEST_F(CatalogTest, LineageDatesAndSizes) {
  size_t dated = 0;
  size_t sized = 0;
  for (const v1::Model& model : catalog_.models) {
    SCOPED_TRACE(model.name());
    dated += model.release_date().empty() ? 0 : 1;
    sized += model.parameter_count() > 0 ? 1 : 0;
    if (model.active_parameter_count() > 0) {
      EXPECT_GT(model.parameter_count(), model.active_parameter_count());
      EXPECT_NE(model.architecture().find("mixture-of-experts"), std::string::npos) << model.architecture();
    }
    if (model.base_model().empty()) continue;
    EXPECT_NE(FindModel(catalog_, model.base_model()), nullptr) << model.base_model();
    EXPECT_NE(model.base_model_relation(), v1::Model::BASE_MODEL_RELATION_UNSPECIFIED);
    EXPECT_NE(model.base_model(), model.name());
  }
  EXPECT_GE(dated * 10, catalog_.models.size() * 9) << dated << " of " << catalog_.models.size();
  // Gemma 4 E2B and E4B publish an "effective" size only.
  EXPECT_GE(sized * 100, catalog_.models.size() * 88) << sized << " of " << catalog_.models.size();

  // A distillation into Llama 3.1 8B carries the Llama 3.1 license; the Qwen-based distills are MIT.
  const v1::Model* distill = FindModel(catalog_, "publishers/deepseek-ai/models/deepseek-r1-distill-llama-8b");
  ASSERT_NE(distill, nullptr);
  EXPECT_EQ(distill->base_model(), "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_EQ(distill->base_model_relation(), v1::Model::BASE_MODEL_RELATION_DISTILLATION);
  EXPECT_EQ(distill->weights().license(), "licenses/llama3.1");
  const v1::Model* qwen_distill = FindModel(catalog_, "publishers/deepseek-ai/models/deepseek-r1-distill-qwen-32b");
  ASSERT_NE(qwen_distill, nullptr);
  EXPECT_EQ(qwen_distill->weights().license(), "licenses/mit");
  EXPECT_EQ(FindModel(catalog_, qwen_distill->base_model())->weights().license(), "licenses/apache-2.0");

  const v1::Model* scout = FindModel(catalog_, "publishers/meta-llama/models/llama-4-scout-17b-16e-instruct");
  ASSERT_NE(scout, nullptr);
  EXPECT_EQ(scout->parameter_count(), 109000000000);
  EXPECT_EQ(scout->active_parameter_count(), 17000000000);
  EXPECT_EQ(scout->modality(), v1::Model::MODALITY_MULTIMODAL);
  EXPECT_EQ(scout->weights().access(), v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
}

// Model facts the catalog audit corrected: a gate whose kind is not documented is not called click-through; OLMo's
// Dolma is ODC-By since 2024-04-15 (the Model Openness Tool resolves it to the file's Apache-2.0).
TEST_F(CatalogTest, CorrectedModelFacts) {
  for (const char* id : {"mistralai/models/mistral-large-instruct-2407", "mistralai/models/mistral-large-instruct-2411",
                         "tiiuae/models/falcon-180b", "cohereforai/models/c4ai-command-r-v01",
                         "stabilityai/models/stable-diffusion-3-medium"}) {
    const v1::Model* model = FindModel(catalog_, std::string("publishers/") + id);
    ASSERT_NE(model, nullptr) << id;
    EXPECT_EQ(model->weights().access(), v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN) << id;
  }
  const v1::Model* olmo = FindModel(catalog_, "publishers/allenai/models/olmo-7b");
  ASSERT_NE(olmo, nullptr);
  std::string datasets_license;
  for (const v1::Component& component : olmo->components()) {
    if (component.kind() == v1::COMPONENT_KIND_DATASETS) datasets_license = component.license();
  }
  EXPECT_EQ(datasets_license, "licenses/odc-by-1.0");

  // With the components of their Model Openness Tool files, these meet 5 of Class III's 6: only a data card is missing.
  for (const char* id :
       {"deepseek-ai/models/deepseek-r1", "mistralai/models/mixtral-8x7b-v0.1", "openai/models/gpt-oss-20b"}) {
    const v1::Model* model = FindModel(catalog_, std::string("publishers/") + id);
    ASSERT_NE(model, nullptr) << id;
    const v1::Openness openness = AssessOpenness(*model, licenses_);
    ASSERT_GT(openness.mof_progress_size(), 0) << id;
    const v1::MofClassProgress& class_three = openness.mof_progress(0);
    EXPECT_EQ(class_three.mof_class(), v1::MOF_CLASS_III) << id;
    EXPECT_EQ(class_three.met(), 5) << id;
    EXPECT_EQ(class_three.required(), 6) << id;
    EXPECT_THAT(class_three.missing(), ::testing::ElementsAre(v1::COMPONENT_KIND_DATA_CARD)) << id;
  }
}

// The families people ask about are shipped.
TEST_F(CatalogTest, CurrentGenerationsAreShipped) {
  for (const char* name : {"publishers/meta-llama/models/llama-3.2-1b",
                           "publishers/meta-llama/models/llama-3.3-70b-instruct",
                           "publishers/meta-llama/models/llama-4-scout-17b-16e",
                           "publishers/meta-llama/models/llama-4-maverick-17b-128e",
                           "publishers/qwen/models/qwen3-0.6b",
                           "publishers/qwen/models/qwen3-8b",
                           "publishers/qwen/models/qwen3-235b-a22b",
                           "publishers/google/models/gemma-3-27b-it",
                           "publishers/google/models/gemma-4-31b-it",
                           "publishers/deepseek-ai/models/deepseek-v3-0324",
                           "publishers/openai/models/gpt-oss-120b",
                           "publishers/microsoft/models/phi-4",
                           "publishers/mistralai/models/mistral-small-24b-instruct-2501",
                           "publishers/allenai/models/olmo-2-1124-13b",
                           "publishers/allenai/models/olmo-2-0325-32b",
                           "publishers/huggingfacetb/models/smollm3-3b",
                           "publishers/ibm-granite/models/granite-4.0-h-small",
                           "publishers/openai/models/gpt-5",
                           "publishers/anthropic/models/claude-opus-4",
                           "publishers/google/models/gemini-2.5-pro"}) {
    EXPECT_NE(FindModel(catalog_, name), nullptr) << name;
  }
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

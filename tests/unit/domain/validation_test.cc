#include "server/domain/validation.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;

v1::Model ValidModel() {
  v1::Model model;
  model.set_name("publishers/allenai/models/olmo-2-1124-7b");
  model.set_display_name("OLMo 2 7B");
  model.set_release_date("2024-11-26");
  model.set_parameter_count(7300000000);
  model.mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
  model.mutable_weights()->set_license("licenses/apache-2.0");
  auto* component = model.add_components();
  component->set_kind(v1::COMPONENT_KIND_TRAINING_CODE);
  component->set_status(v1::Component::STATUS_RELEASED);
  component->set_license("licenses/apache-2.0");
  (*model.mutable_labels())["team"] = "research";
  model.add_sources("https://huggingface.co/allenai/OLMo-2-1124-7B");
  return model;
}

void ExpectInvalid(const v1::Model& model, const std::string& field) {
  EXPECT_THAT(ValidateModel(model, "model"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field)));
}

TEST(ValidationTest, AcceptsValidModel) { EXPECT_OK(ValidateModel(ValidModel(), "model")); }

TEST(ValidationTest, NamesTheBadField) {
  v1::Model m = ValidModel();
  m.set_display_name(std::string(kMaxShortString + 1, 'x'));
  ExpectInvalid(m, "model.display_name");

  m = ValidModel();
  m.set_release_date("2024-13-01");
  ExpectInvalid(m, "model.release_date");

  m = ValidModel();
  m.set_parameter_count(-1);
  ExpectInvalid(m, "model.parameter_count");

  m = ValidModel();
  m.mutable_weights()->set_license("apache-2.0");
  ExpectInvalid(m, "model.weights.license");

  m = ValidModel();
  m.mutable_components(0)->set_status(v1::Component::STATUS_UNSPECIFIED);
  ExpectInvalid(m, "model.components[0].status");

  m = ValidModel();
  *m.add_components() = m.components(0);
  ExpectInvalid(m, "model.components[1].kind");

  m = ValidModel();
  m.add_sources("ftp://example.com/x");
  ExpectInvalid(m, "model.sources[1]");

  m = ValidModel();
  (*m.mutable_labels())["Bad Key"] = "x";
  ExpectInvalid(m, "model.labels");

  m = ValidModel();
  m.set_base_model_relation(v1::Model::BASE_MODEL_RELATION_FINETUNE);
  ExpectInvalid(m, "model.base_model_relation");

  m = ValidModel();
  m.set_base_model(m.name());
  ExpectInvalid(m, "model.base_model");

  m = ValidModel();
  m.mutable_weights()->set_access(static_cast<v1::Weights::Access>(99));
  ExpectInvalid(m, "model.weights.access");

  m = ValidModel();
  m.set_description(std::string("a\0b", 3));
  ExpectInvalid(m, "model.description");
}

TEST(ValidationTest, ListSizeLimits) {
  v1::Model m = ValidModel();
  for (int i = 0; i < kMaxRepeated; ++i) m.add_sources("https://example.com/" + std::to_string(i));
  ExpectInvalid(m, "model.sources");
}

TEST(ValidationTest, LicenseReferencesCarryFieldPaths) {
  v1::Model m = ValidModel();
  m.mutable_data_disclosure()->add_datasets()->set_license("licenses/odc-by-1.0");
  const auto refs = LicenseReferences(m, "model");
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].first, "model.weights.license");
  EXPECT_EQ(refs[1].first, "model.components[0].license");
  EXPECT_EQ(refs[2].first, "model.data_disclosure.datasets[0].license");
  EXPECT_EQ(refs[2].second, "licenses/odc-by-1.0");
}

TEST(ValidationTest, LicenseThresholdsMustBeComplete) {
  v1::License license;
  auto* t = license.add_usage_thresholds();
  t->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  t->set_limit(0);
  EXPECT_THAT(ValidateLicense(license, "license"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("license.usage_thresholds[0].limit")));
  t->set_limit(700000000);
  EXPECT_OK(ValidateLicense(license, "license"));
  t->set_comparison(v1::License::UsageThreshold::COMPARISON_AT_LEAST);
  EXPECT_OK(ValidateLicense(license, "license"));
  t->set_comparison(static_cast<v1::License::UsageThreshold::Comparison>(9));
  EXPECT_THAT(ValidateLicense(license, "license"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("license.usage_thresholds[0].comparison")));
  t->set_comparison(v1::License::UsageThreshold::COMPARISON_GREATER_THAN);
  license.set_version_date("July 2024");
  EXPECT_THAT(ValidateLicense(license, "license"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("license.version_date")));
}

}  // namespace
}  // namespace modelreg

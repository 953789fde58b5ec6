#include "server/domain/validation.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "server/common/errors.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::AllOf;
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
  m.set_active_parameter_count(-1);
  ExpectInvalid(m, "model.active_parameter_count");

  m = ValidModel();
  m.set_active_parameter_count(m.parameter_count() + 1);
  ExpectInvalid(m, "model.active_parameter_count");

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

// Each documented limit (proto/README.md "Limits"): the limit itself passes, one more fails naming the field and
// the limit.
void ExpectAtLimitOkAndOverInvalid(const std::function<void(v1::Model&, bool over)>& set, const std::string& field,
                                   const std::string& limit_text) {
  v1::Model m = ValidModel();
  set(m, false);
  EXPECT_OK(ValidateModel(m, "model")) << field;
  m = ValidModel();
  set(m, true);
  EXPECT_THAT(ValidateModel(m, "model"),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr(field), HasSubstr(limit_text))));
}

TEST(ValidationTest, EveryModelLimitAtAndOverIt) {
  const auto n = [](size_t limit, bool over) { return limit + (over ? 1 : 0); };
  const auto repeated = static_cast<size_t>(kMaxRepeated);
  ExpectAtLimitOkAndOverInvalid(
      [&](v1::Model& m, bool over) { m.set_display_name(std::string(n(kMaxShortString, over), 'x')); },
      "model.display_name", "longer than 256 bytes");
  ExpectAtLimitOkAndOverInvalid(
      [&](v1::Model& m, bool over) { m.set_description(std::string(n(kMaxText, over), 'x')); }, "model.description",
      "longer than 8192 bytes");
  ExpectAtLimitOkAndOverInvalid(
      [&](v1::Model& m, bool over) {
        m.set_homepage_uri("https://example.com/" + std::string(n(kMaxUri, over) - 20, 'x'));
      },
      "model.homepage_uri", "longer than 2048 bytes");
  ExpectAtLimitOkAndOverInvalid(
      [&](v1::Model& m, bool over) {
        m.clear_labels();
        for (size_t i = 0; i < n(repeated, over); ++i) (*m.mutable_labels())["k" + std::to_string(i)] = "v";
      },
      "model.labels", "more than 64 entries");
  ExpectAtLimitOkAndOverInvalid(
      [&](v1::Model& m, bool over) { (*m.mutable_labels())[std::string(n(63, over), 'k')] = "v"; }, "model.labels",
      "1-63 chars");
  ExpectAtLimitOkAndOverInvalid(
      [&](v1::Model& m, bool over) { (*m.mutable_labels())["team"] = std::string(n(kMaxShortString, over), 'v'); },
      "model.labels[team]", "longer than 256 bytes");
  ExpectAtLimitOkAndOverInvalid(
      [&](v1::Model& m, bool over) {
        for (size_t i = 0; i < n(repeated, over); ++i) m.mutable_data_disclosure()->add_datasets();
      },
      "model.data_disclosure.datasets", "more than 64 entries");
}

TEST(ValidationTest, EveryLicenseLimitAtAndOverIt) {
  v1::License license;
  for (int i = 0; i < kMaxRepeated; ++i) {
    license.mutable_use_restrictions()->add_restricted_uses(std::string(kMaxShortString, 'u'));
    auto* t = license.add_usage_thresholds();
    t->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
    t->set_limit(1);
    t->set_clause(i == 0 ? std::string(kMaxText, 'c') : "c");
  }
  license.mutable_derivative_terms()->set_attribution_text(std::string(kMaxText, 'a'));
  EXPECT_OK(ValidateLicense(license, "license"));

  v1::License over = license;
  over.mutable_use_restrictions()->add_restricted_uses("one more");
  EXPECT_THAT(ValidateLicense(over, "license"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("license.use_restrictions.restricted_uses"), HasSubstr("more than 64"))));
  over = license;
  *over.add_usage_thresholds() = license.usage_thresholds(0);
  EXPECT_THAT(ValidateLicense(over, "license"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("license.usage_thresholds"), HasSubstr("more than 64"))));
  over = license;
  over.mutable_usage_thresholds(3)->set_clause(std::string(kMaxText + 1, 'c'));
  EXPECT_THAT(ValidateLicense(over, "license"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("license.usage_thresholds[3].clause")));
}

// Every field within its own limit, the record as a whole over kMaxRecordBytes: INVALID_ARGUMENT naming the limit.
TEST(ValidationTest, RecordSizeLimit) {
  v1::Model m = ValidModel();
  m.set_description(std::string(kMaxText, 'd'));
  for (int i = 1; i < kMaxRepeated; ++i)
    m.add_sources("https://example.com/" + std::string(kMaxUri - 20, static_cast<char>('a' + i % 26)));
  EXPECT_OK(ValidateModel(m, "model"));
  EXPECT_LT(m.ByteSizeLong(), kMaxRecordBytes);
  EXPECT_OK(CheckRecordSize(m, "model"));
  for (int i = 0; i < kMaxRepeated; ++i) {
    auto* d = m.mutable_data_disclosure()->add_datasets();
    d->set_display_name(std::string(kMaxShortString, 'n'));
    d->set_uri("https://example.com/" + std::string(kMaxUri - 20, 'u'));
  }
  for (int i = 0; i < kMaxRepeated - 1; ++i) (*m.mutable_labels())["k" + std::to_string(i)] = std::string(256, 'v');
  EXPECT_OK(ValidateModel(m, "model"));
  ASSERT_GT(m.ByteSizeLong(), kMaxRecordBytes);
  const absl::Status status = CheckRecordSize(m, "requests[2].model");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("requests[2].model: the record is "),
                                     HasSubstr("over the maximum record size of 262144 bytes"))));
  EXPECT_EQ(ErrorReason(status), "RECORD_TOO_LARGE");

  v1::License license;
  license.set_remote_restriction_clause(std::string(kMaxText, 'r'));
  for (int i = 0; i < kMaxRepeated; ++i) {
    auto* t = license.add_usage_thresholds();
    t->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
    t->set_limit(1);
    t->set_clause(std::string(kMaxText, 'c'));
  }
  EXPECT_THAT(ValidateLicense(license, "license"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("license: the record is ")));
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

TEST(ValidationTest, ActiveParametersOfAMixtureOfExperts) {
  v1::Model m = ValidModel();
  m.set_parameter_count(109000000000);
  m.set_active_parameter_count(17000000000);
  EXPECT_OK(ValidateModel(m, "model"));
  m.set_parameter_count(0);  // total unknown: the active count alone is accepted
  EXPECT_OK(ValidateModel(m, "model"));
}

v1::License LicenseWithTerritorialRestriction() {
  v1::License license;
  auto* r = license.add_territorial_restrictions();
  r->set_territory("EU");
  r->set_applies_to(v1::License::TerritorialRestriction::SCOPE_MULTIMODAL_MODELS);
  r->add_licensees(v1::License::TerritorialRestriction::LICENSEE_INDIVIDUALS_DOMICILED);
  r->set_end_users_exempt(true);
  r->set_clause("With respect to any multimodal models included in Llama 3.2, ...");
  r->set_source("https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/USE_POLICY.md");
  return license;
}

void ExpectLicenseInvalid(const v1::License& license, const std::string& field) {
  EXPECT_THAT(ValidateLicense(license, "license"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field)));
}

TEST(ValidationTest, TerritorialRestrictionsAreChecked) {
  EXPECT_OK(ValidateLicense(LicenseWithTerritorialRestriction(), "license"));

  for (const char* bad : {"", "eu", "E", "EUR", "E1"}) {
    v1::License license = LicenseWithTerritorialRestriction();
    license.mutable_territorial_restrictions(0)->set_territory(bad);
    ExpectLicenseInvalid(license, "license.territorial_restrictions[0].territory");
  }
  v1::License license = LicenseWithTerritorialRestriction();
  license.mutable_territorial_restrictions(0)->set_applies_to(v1::License::TerritorialRestriction::SCOPE_UNSPECIFIED);
  ExpectLicenseInvalid(license, "license.territorial_restrictions[0].applies_to");

  license = LicenseWithTerritorialRestriction();
  license.mutable_territorial_restrictions(0)->set_applies_to(
      static_cast<v1::License::TerritorialRestriction::Scope>(42));
  ExpectLicenseInvalid(license, "license.territorial_restrictions[0].applies_to");

  license = LicenseWithTerritorialRestriction();
  license.mutable_territorial_restrictions(0)->add_licensees(v1::License::TerritorialRestriction::LICENSEE_UNSPECIFIED);
  ExpectLicenseInvalid(license, "license.territorial_restrictions[0].licensees[1]");

  license = LicenseWithTerritorialRestriction();
  license.mutable_territorial_restrictions(0)->set_source("file:///etc/passwd");
  ExpectLicenseInvalid(license, "license.territorial_restrictions[0].source");

  license = LicenseWithTerritorialRestriction();
  license.mutable_territorial_restrictions(0)->set_clause(std::string(kMaxText + 1, 'x'));
  ExpectLicenseInvalid(license, "license.territorial_restrictions[0].clause");

  license = LicenseWithTerritorialRestriction();
  for (int i = 0; i < kMaxRepeated; ++i) *license.add_territorial_restrictions() = license.territorial_restrictions(0);
  ExpectLicenseInvalid(license, "license.territorial_restrictions");
}

TEST(ReadTimeTest, ValidTimesPassAndFutureOnesOnlyWhereTheyMustBePast) {
  google::protobuf::Timestamp now;
  now.set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  now.set_nanos(500000000);
  EXPECT_OK(CheckPastReadTime(now, now)) << "now itself is not the future";
  google::protobuf::Timestamp later = now;
  later.set_nanos(500001000);
  EXPECT_THAT(CheckPastReadTime(later, now),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("read_time"), HasSubstr("future"))));
  EXPECT_OK(CheckReadTime(later));
  google::protobuf::Timestamp invalid;
  invalid.set_nanos(-1);
  EXPECT_THAT(CheckReadTime(invalid), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("read_time")));
  invalid.set_nanos(0);
  invalid.set_seconds(253402300800);  // 10000-01-01
  EXPECT_THAT(CheckPastReadTime(invalid, now), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("read_time")));
}

}  // namespace
}  // namespace modelreg

#include "client/cli/importers/mof.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/cli/importers/import_rules.h"
#include "tests/support/status_matchers.h"
#include "tests/unit/client/test_data.h"

namespace modelreg::cli {
namespace {

using ::modelreg::cli::testing::ShippedLicenses;
using ::modelreg::cli::testing::TestData;
using ::modelreg::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// Imports `text` as the CLI does against a registry holding the shipped catalog's licenses.
absl::StatusOr<ImportResult> Mof(absl::string_view text, const std::string& name = "") {
  ImportLicenses licenses(ShippedLicenses());
  return ImportMof(text, ImportOptions{name, "test-file"}, &licenses);
}

absl::StatusOr<ImportResult> Import(const std::string& file, const std::string& name = "") {
  return Mof(TestData("mof/" + file), name);
}

const v1::Component* Find(const v1::Model& model, v1::ComponentKind kind) {
  for (const v1::Component& c : model.components()) {
    if (c.kind() == kind) return &c;
  }
  return nullptr;
}

TEST(Mof, ComponentLicensesFallBackToDistribution) {
  absl::StatusOr<ImportResult> result = Import("component_licenses.yml");
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.name(), "publishers/examplelabs/models/example-lm-1b");  // from the Hugging Face URL
  EXPECT_EQ(m.huggingface_repo(), "ExampleLabs/Example-LM-1B");
  EXPECT_EQ(m.display_name(), "Example-LM-1B");
  EXPECT_EQ(m.version(), "1B");
  EXPECT_TRUE(m.release_date().empty());
  EXPECT_EQ(m.modality(), v1::Model::MODALITY_TEXT);
  EXPECT_EQ(m.architecture(), "transformer decoder");
  EXPECT_EQ(m.treatment(), v1::Model::TREATMENT_PRE_TRAINED);
  EXPECT_EQ(m.homepage_uri(), "https://github.com/example-labs/example-lm");
  ASSERT_EQ(m.components_size(), 6);
  for (const v1::Component& c : m.components()) EXPECT_EQ(c.status(), v1::Component::STATUS_RELEASED);

  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_MODEL_ARCHITECTURE)->license(), "licenses/apache-2.0");
  const v1::Component* training = Find(m, v1::COMPONENT_KIND_TRAINING_CODE);
  EXPECT_EQ(training->license(), "licenses/mit");
  EXPECT_EQ(training->uri(), "https://github.com/example-labs/example-lm/tree/main/train");
  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_DATASETS)->license(), "licenses/odc-by-1.0");
  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_RESEARCH_PAPER)->license(), "licenses/cc-by-4.0");
  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_MODEL_CARD)->license(), "licenses/apache-2.0");
  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL)->license(), "licenses/apache-2.0");
  EXPECT_EQ(m.weights().license(), "licenses/apache-2.0");
  EXPECT_EQ(m.weights().access(), v1::Weights::ACCESS_UNSPECIFIED);
  EXPECT_THAT(result->warnings, Contains(HasSubstr("weights.access")));
  EXPECT_THAT(result->warnings, Contains(HasSubstr("release.date")));
}

TEST(Mof, NameOptionWins) {
  absl::StatusOr<ImportResult> result = Import("component_licenses.yml", "publishers/example-labs/models/lm-1b");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.name(), "publishers/example-labs/models/lm-1b");
}

TEST(Mof, ReleaseWideLicensesByContentType) {
  absl::StatusOr<ImportResult> result = Import("release_wide_licenses.yml");
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  // No Hugging Face URL: producer / release name.
  EXPECT_EQ(m.name(), "publishers/example-imaging-co/models/example-vision-2");
  EXPECT_EQ(m.modality(), v1::Model::MODALITY_IMAGE);
  EXPECT_EQ(m.treatment(), v1::Model::TREATMENT_UNSPECIFIED);
  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_INFERENCE_CODE)->license(), "licenses/apache-2.0");                   // code
  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL)->license(), "licenses/cdla-permissive-2.0");  // data
  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_TECHNICAL_REPORT)->license(), "licenses/cc-by-4.0");                  // document
  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_EVALUATION_CODE)->license(), "licenses/bsd-3-clause");                // its own
  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_MODEL_METADATA)->license(), "licenses/cdla-permissive-2.0");          // data
  EXPECT_EQ(m.weights().license(), "licenses/cdla-permissive-2.0");
}

TEST(Mof, LegacyFormat) {
  absl::StatusOr<ImportResult> result = Import("legacy_format.yml");
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.name(), "publishers/old-example/models/old-example-7b");
  const v1::Component* architecture = Find(m, v1::COMPONENT_KIND_MODEL_ARCHITECTURE);
  EXPECT_EQ(architecture->license(), "licenses/apache-2.0");
  EXPECT_EQ(architecture->uri(), "https://github.com/old-example/model");
  const v1::Component* data_card = Find(m, v1::COMPONENT_KIND_DATA_CARD);
  EXPECT_EQ(data_card->status(), v1::Component::STATUS_RELEASED);
  EXPECT_TRUE(data_card->license().empty());
  EXPECT_EQ(Find(m, v1::COMPONENT_KIND_MODEL_METADATA)->status(), v1::Component::STATUS_NOT_RELEASED);
  EXPECT_EQ(m.weights().license(), "licenses/apache-2.0");
  EXPECT_THAT(result->warnings, Contains(HasSubstr("the license of component 'Data card' is left unknown")));
}

TEST(Mof, UnlicensedComponentHasNoLicense) {
  const std::string text = R"(framework: {name: 'Model Openness Framework', version: '1.0', date: '2024-12-15'}
release:
  name: X
  producer: P
  license: {}
  components:
    - {name: 'Training code', license: unlicensed}
)";
  absl::StatusOr<ImportResult> result = Mof(text);
  ASSERT_OK(result);
  ASSERT_EQ(result->model.components_size(), 1);
  EXPECT_TRUE(result->model.components(0).license().empty());
  EXPECT_TRUE(result->model.weights().license().empty());
  EXPECT_THAT(result->warnings, Contains(HasSubstr("'Model parameters (Final)' is not listed")));
}

// A bad fact is dropped with a warning naming the line and the field; the rest of the file imports.
void ExpectWarning(const absl::StatusOr<ImportResult>& result, const std::string& line, const std::string& field) {
  ASSERT_OK(result);
  EXPECT_THAT(result->warnings, Contains(AllOf(HasSubstr(line), HasSubstr(field))));
}

TEST(Mof, UnknownComponentIsDroppedWithAWarning) {
  absl::StatusOr<ImportResult> result = Import("malformed.yml");
  ExpectWarning(result, "line 19", "release.components[2].name");
  EXPECT_THAT(result->warnings, Contains(HasSubstr("Secret sauce")));
  EXPECT_EQ(result->model.components_size(), 2);
}

TEST(Mof, NotAMofFile) {
  EXPECT_THAT(Import("not_mof.yml"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'framework'")));
  EXPECT_THAT(Mof("a: [1, 2"),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("line "), HasSubstr("malformed YAML"))));
  EXPECT_THAT(Mof(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Mof, OtherMalformedFieldsAreDroppedWithWarnings) {
  const std::string header = "framework: {name: 'Model Openness Framework', version: '1.0', date: '2024-12-15'}\n";
  ExpectWarning(Mof(header + "release:\n  name: x\n  producer: p\n  components: {a: b}\n"), "line 5",
                "release.components");
  ExpectWarning(Mof(header + "release:\n  name: x\n  producer: p\n  treatment: distilled\n"), "line 5",
                "release.treatment");
  ExpectWarning(Mof(header + "release:\n  name: x\n  producer: p\n  components:\n    - {name: Datasets}\n"
                             "    - {name: Datasets}\n"),
                "line 7", "listed again");
}

TEST(Mof, ALicenseNoLicenseAnswersToBecomesAnUnverifiedLicense) {
  const std::string header = "framework: {name: 'Model Openness Framework', version: '1.0', date: '2024-12-15'}\n";
  absl::StatusOr<ImportResult> result =
      Mof(header + "release:\n  name: x\n  producer: p\n  license:\n    code: {name: 'GPL (v3)'}\n");
  ASSERT_OK(result);
  ASSERT_EQ(result->new_licenses.size(), 1u);
  EXPECT_EQ(result->new_licenses[0].name(), "licenses/gpl-v3");
  EXPECT_THAT(result->warnings, Contains(HasSubstr("GPL (v3)")));
}

TEST(Mof, AnotherFrameworkIsAnError) {
  EXPECT_THAT(Mof("framework: {name: Other}\nrelease: {name: x}\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("framework.name")));
}

TEST(Mof, AllSeventeenComponentNamesAreKnown) {
  std::string text =
      "framework: {name: 'Model Openness Framework', version: '1.0', date: '2024-12-15'}\n"
      "release:\n  name: x\n  producer: p\n  license: {distribution: {name: MIT}}\n  components:\n";
  for (const char* name :
       {"Model architecture", "Model parameters (Final)", "Model card", "Data card", "Technical report",
        "Evaluation results", "Sample model outputs", "Training code", "Inference code", "Evaluation code",
        "Evaluation data", "Supporting libraries and tools", "Datasets", "Data preprocessing code",
        "Model parameters (Intermediate)", "Research paper", "Model metadata"}) {
    text += std::string("    - name: '") + name + "'\n";
  }
  absl::StatusOr<ImportResult> result = Mof(text);
  ASSERT_OK(result);
  EXPECT_EQ(result->model.components_size(), 17);
  EXPECT_THAT(result->warnings, Not(Contains(HasSubstr("is not listed"))));
}

}  // namespace
}  // namespace modelreg::cli

#include "client/cli/importers/hf_card.h"

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
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

// Imports `text` as the CLI does against a registry holding the shipped catalog's licenses.
absl::StatusOr<ImportResult> Card(absl::string_view text, const std::string& name = "") {
  ImportLicenses licenses(ShippedLicenses());
  return ImportHfCard(text, ImportOptions{name, "test-file"}, &licenses);
}

absl::StatusOr<ImportResult> Import(const std::string& file, const std::string& name = "ExampleOrg/Example-Chat-7B") {
  return Card(TestData("hf_cards/" + file), name);
}

TEST(HfCard, OpenFinetune) {
  absl::StatusOr<ImportResult> result = Import("open_finetune.md");
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.name(), "publishers/exampleorg/models/example-chat-7b");
  EXPECT_EQ(m.huggingface_repo(), "ExampleOrg/Example-Chat-7B");
  EXPECT_EQ(m.display_name(), "Example Chat 7B");
  EXPECT_EQ(m.weights().license(), "licenses/apache-2.0");
  EXPECT_EQ(m.weights().access(), v1::Weights::ACCESS_OPEN_DOWNLOAD);
  EXPECT_EQ(m.weights().download_uri(), "https://huggingface.co/ExampleOrg/Example-Chat-7B");
  EXPECT_EQ(m.base_model(), "publishers/exampleorg/models/example-base-7b");
  EXPECT_EQ(m.base_model_relation(), v1::Model::BASE_MODEL_RELATION_FINETUNE);
  EXPECT_EQ(m.modality(), v1::Model::MODALITY_TEXT);
  EXPECT_EQ(m.data_disclosure().level(), v1::DataDisclosure::LEVEL_LISTED);
  ASSERT_EQ(m.data_disclosure().datasets_size(), 2);
  EXPECT_EQ(m.data_disclosure().datasets(0).display_name(), "example-org/instruct-mix-v1");
  EXPECT_EQ(m.data_disclosure().datasets(0).uri(), "https://huggingface.co/datasets/example-org/instruct-mix-v1");
  EXPECT_EQ(m.data_disclosure().datasets(1).uri(), "https://huggingface.co/datasets/HuggingFaceH4/ultrachat_200k");
  EXPECT_TRUE(m.data_disclosure().datasets(0).license().empty());
  EXPECT_THAT(m.labels(), Contains(Pair("hf-tag/chat", "true")));
  EXPECT_THAT(m.labels(), Contains(Pair("hf-tag/instruct", "true")));
  EXPECT_THAT(m.labels(), Contains(Pair("hf-library", "transformers")));
  EXPECT_THAT(m.sources(), Contains("https://huggingface.co/ExampleOrg/Example-Chat-7B"));
  EXPECT_THAT(result->warnings, IsEmpty());
}

TEST(HfCard, FullNameDoesNotSetRepo) {
  absl::StatusOr<ImportResult> result = Import("open_finetune.md", "publishers/example/models/chat");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.name(), "publishers/example/models/chat");
  EXPECT_TRUE(result->model.huggingface_repo().empty());
  EXPECT_TRUE(result->model.weights().download_uri().empty());
}

TEST(HfCard, GatedAuto) {
  absl::StatusOr<ImportResult> result = Import("gated_auto.md");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_GATED_CLICK_THROUGH);
  EXPECT_EQ(result->model.weights().license(), "licenses/gemma");
}

TEST(HfCard, GatedTrueLeavesTheApprovalKindUnknown) {
  absl::StatusOr<ImportResult> result = Card("---\ngated: true\n---\n", "a/b");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN);
}

TEST(HfCard, TheModelAsItsOwnBaseIsDropped) {
  absl::StatusOr<ImportResult> result = Card("---\nbase_model: Org/Model\n---\n", "org/model");
  ASSERT_OK(result);
  EXPECT_TRUE(result->model.base_model().empty());
  EXPECT_THAT(result->warnings, Contains(HasSubstr("'Org/Model' is the model itself; ignored")));
}

TEST(HfCard, GatedManual) {
  absl::StatusOr<ImportResult> result = Import("gated_manual.md", "meta-llama/Llama-3.1-8B");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.name(), "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  EXPECT_EQ(result->model.weights().license(), "licenses/llama3.1");
  EXPECT_THAT(result->model.labels(), Contains(Pair("hf-tag/llama-3", "true")));
}

TEST(HfCard, GatePromptWithoutGatedIsGatedWithApprovalKindUnknown) {
  absl::StatusOr<ImportResult> result = Import("gate_prompt_only.md");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN);
  EXPECT_THAT(result->warnings, Contains(HasSubstr("extra_gated")));
}

TEST(HfCard, LicenseOtherUsesLicenseName) {
  absl::StatusOr<ImportResult> result = Import("license_other.md", "ExampleOrg/Example-VL-72B-AWQ");
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.weights().license(), "licenses/qwen");
  EXPECT_THAT(m.sources(), Contains("https://huggingface.co/ExampleOrg/Example-VL-72B-AWQ/blob/main/LICENSE"));
  EXPECT_EQ(m.base_model(), "publishers/exampleorg/models/example-vl-72b");
  EXPECT_EQ(m.base_model_relation(), v1::Model::BASE_MODEL_RELATION_QUANTIZED);
  EXPECT_EQ(m.modality(), v1::Model::MODALITY_MULTIMODAL);
  EXPECT_THAT(result->warnings, IsEmpty());
}

TEST(HfCard, RelativeLicenseLinkWithoutRepoIsReported) {
  absl::StatusOr<ImportResult> result = Import("license_other.md", "publishers/exampleorg/models/vl");
  ASSERT_OK(result);
  EXPECT_THAT(result->warnings, ElementsAre(HasSubstr("license_link 'LICENSE'")));
}

TEST(HfCard, LicenseOtherWithoutNameIsLeftEmpty) {
  absl::StatusOr<ImportResult> result = Card("---\nlicense: other\n---\n", "a/b");
  ASSERT_OK(result);
  EXPECT_TRUE(result->model.weights().license().empty());
  EXPECT_THAT(result->warnings, ElementsAre(HasSubstr("license: other without license_name")));
}

TEST(HfCard, MergeKeepsFirstBaseModelAndWarns) {
  absl::StatusOr<ImportResult> result = Import("merge.md");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.base_model(), "publishers/exampleorg/models/alpha-7b");
  EXPECT_EQ(result->model.base_model_relation(), v1::Model::BASE_MODEL_RELATION_MERGE);
  EXPECT_EQ(result->model.weights().license(), "licenses/mit");
  EXPECT_THAT(result->warnings, ElementsAre(AllOf(HasSubstr("3 models"), HasSubstr("(a merge)"),
                                                  HasSubstr("publishers/another-org/models/beta-7b"),
                                                  HasSubstr("publishers/third/models/gamma-7b-instruct"))));
}

TEST(HfCard, UnknownLicenseIsNeverInvented) {
  absl::StatusOr<ImportResult> result = Import("unknown_license.md");
  ASSERT_OK(result);
  EXPECT_TRUE(result->model.weights().license().empty());
  EXPECT_EQ(result->model.modality(), v1::Model::MODALITY_IMAGE);
  EXPECT_THAT(result->warnings, ElementsAre(HasSubstr("no license")));
}

TEST(HfCard, MissingLicenseIsReported) {
  absl::StatusOr<ImportResult> result = Card("---\npipeline_tag: fill-mask\n---\nbody\n", "a/b");
  ASSERT_OK(result);
  EXPECT_TRUE(result->model.weights().license().empty());
  EXPECT_THAT(result->warnings, ElementsAre(HasSubstr("no license")));
}

TEST(HfCard, EmptyFrontMatterIsAllowed) {
  absl::StatusOr<ImportResult> result = Card("---\n---\n# Title\n", "a/b");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.display_name(), "Title");
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_OPEN_DOWNLOAD);
}

// A card that states no gate takes the access the import was told (--default-access): open unless told otherwise,
// or left unknown. A card that states its gate, or has gate fields, keeps what it says.
TEST(HfCard, ACardThatStatesNoGateTakesTheDefaultAccess) {
  ImportLicenses licenses(ShippedLicenses());
  ImportOptions options;
  options.name = "a/b";
  options.unstated_access = v1::Weights::ACCESS_UNSPECIFIED;
  const auto access = [&](absl::string_view card) {
    absl::StatusOr<ImportResult> result = ImportHfCard(card, options, &licenses);
    EXPECT_OK(result);
    return result.ok() ? result->model.weights().access() : v1::Weights::ACCESS_CLOSED;
  };
  EXPECT_EQ(access("---\nlicense: mit\n---\n# T\n"), v1::Weights::ACCESS_UNSPECIFIED);
  options.unstated_access = v1::Weights::ACCESS_GATED_MANUAL_APPROVAL;
  EXPECT_EQ(access("---\nlicense: mit\n---\n# T\n"), v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  EXPECT_EQ(access("---\ngated: auto\n---\n# T\n"), v1::Weights::ACCESS_GATED_CLICK_THROUGH);
  EXPECT_EQ(access("---\ngated: false\n---\n# T\n"), v1::Weights::ACCESS_OPEN_DOWNLOAD);
  EXPECT_EQ(access("---\nextra_gated_prompt: Accept the license.\n---\n# T\n"),
            v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN);
  // A `gated` that is a list says nothing usable: unknown, whatever the default.
  EXPECT_EQ(access("---\ngated: [auto]\n---\n# T\n"), v1::Weights::ACCESS_UNSPECIFIED);
}

TEST(HfCard, WindowsLineEndings) {
  absl::StatusOr<ImportResult> result = Card("---\r\nlicense: mit\r\ngated: manual\r\n---\r\n# T\r\n", "a/b");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.weights().license(), "licenses/mit");
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
}

TEST(HfCard, NameIsRequired) {
  EXPECT_THAT(Card(TestData("hf_cards/open_finetune.md")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--name")));
  EXPECT_THAT(Card(TestData("hf_cards/open_finetune.md"), "no-slash"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(HfCard, NoFrontMatterIsAnError) {
  EXPECT_THAT(Import("no_front_matter.md"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                     AllOf(HasSubstr("line 1"), HasSubstr("no YAML front matter"))));
  EXPECT_THAT(Import("unclosed.md"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("never closed")));
}

TEST(HfCard, MalformedYamlNamesTheFileLine) {
  EXPECT_THAT(Import("malformed_yaml.md"),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("line "), HasSubstr("malformed YAML"))));
}

// A field with a bad value is one bad fact, not a bad file: the fact is dropped with a warning naming the line and
// the field, and the rest of the card imports.
void ExpectDroppedWithWarning(const absl::StatusOr<ImportResult>& result, const std::string& line,
                              const std::string& field) {
  ASSERT_OK(result);
  EXPECT_THAT(result->warnings, Contains(AllOf(HasSubstr(line), HasSubstr(field))));
}

TEST(HfCard, BadFieldIsDroppedWithAWarningNamingLineAndField) {
  absl::StatusOr<ImportResult> result = Import("bad_gated.md");
  ExpectDroppedWithWarning(result, "line 4", "'gated'");
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_UNSPECIFIED);
  EXPECT_EQ(result->model.weights().license(), "licenses/apache-2.0");
}

TEST(HfCard, OtherMalformedFieldsAreDroppedWithWarnings) {
  absl::StatusOr<ImportResult> result = Card("---\nbase_model_relation: copy\nbase_model: a/b\n---\n", "a/b");
  ExpectDroppedWithWarning(result, "line 2", "base_model_relation");
  result = Card("---\nbase_model: not-a-repo\n---\n", "a/b");
  ExpectDroppedWithWarning(result, "line 2", "base_model");
  EXPECT_TRUE(result->model.base_model().empty());
  result = Card("---\nlicense: mit\ndatasets:\n  a: b\n---\n", "a/b");
  ExpectDroppedWithWarning(result, "line 4", "datasets");
  EXPECT_EQ(result->model.weights().license(), "licenses/mit");
}

TEST(HfCard, ALicenseNoLicenseAnswersToBecomesAnUnverifiedLicense) {
  absl::StatusOr<ImportResult> result = Card("---\nlicense: Apache (v2)\n---\n", "a/b");
  ASSERT_OK(result);
  ASSERT_EQ(result->new_licenses.size(), 1u);
  EXPECT_EQ(result->new_licenses[0].name(), "licenses/apache-v2");
  EXPECT_THAT(result->new_licenses[0].labels(), Contains(Pair("modelreg.io/unverified", HasSubstr("test-file"))));
  EXPECT_EQ(result->model.weights().license(), "licenses/apache-v2");
  EXPECT_THAT(result->warnings, Contains(HasSubstr("Apache (v2)")));
}

TEST(HfCard, NotAModelCardIsAnError) {
  EXPECT_THAT(Card("---\n- just\n- a list\n---\n", "a/b"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace modelreg::cli

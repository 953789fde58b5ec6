#include "client/cli/importers/hf_card.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"
#include "tests/unit/client/test_data.h"

namespace modelreg::cli {
namespace {

using ::modelreg::cli::testing::TestData;
using ::modelreg::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

absl::StatusOr<ImportResult> Import(const std::string& file, const std::string& name = "ExampleOrg/Example-Chat-7B") {
  return ImportHfCard(TestData("hf_cards/" + file), ImportOptions{name});
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

TEST(HfCard, GatedManual) {
  absl::StatusOr<ImportResult> result = Import("gated_manual.md", "meta-llama/Llama-3.1-8B");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.name(), "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  EXPECT_EQ(result->model.weights().license(), "licenses/llama3.1");
  EXPECT_THAT(result->model.labels(), Contains(Pair("hf-tag/llama-3", "true")));
}

TEST(HfCard, GatePromptWithoutGatedLeavesAccessUnknown) {
  absl::StatusOr<ImportResult> result = Import("gate_prompt_only.md");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_UNSPECIFIED);
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
  absl::StatusOr<ImportResult> result = ImportHfCard("---\nlicense: other\n---\n", ImportOptions{"a/b"});
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
  absl::StatusOr<ImportResult> result = ImportHfCard("---\npipeline_tag: fill-mask\n---\nbody\n", ImportOptions{"a/b"});
  ASSERT_OK(result);
  EXPECT_TRUE(result->model.weights().license().empty());
  EXPECT_THAT(result->warnings, ElementsAre(HasSubstr("no license")));
}

TEST(HfCard, EmptyFrontMatterIsAllowed) {
  absl::StatusOr<ImportResult> result = ImportHfCard("---\n---\n# Title\n", ImportOptions{"a/b"});
  ASSERT_OK(result);
  EXPECT_EQ(result->model.display_name(), "Title");
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_OPEN_DOWNLOAD);
}

TEST(HfCard, WindowsLineEndings) {
  absl::StatusOr<ImportResult> result =
      ImportHfCard("---\r\nlicense: mit\r\ngated: manual\r\n---\r\n# T\r\n", ImportOptions{"a/b"});
  ASSERT_OK(result);
  EXPECT_EQ(result->model.weights().license(), "licenses/mit");
  EXPECT_EQ(result->model.weights().access(), v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
}

TEST(HfCard, NameIsRequired) {
  EXPECT_THAT(ImportHfCard(TestData("hf_cards/open_finetune.md"), ImportOptions{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--name")));
  EXPECT_THAT(ImportHfCard(TestData("hf_cards/open_finetune.md"), ImportOptions{"no-slash"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
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

TEST(HfCard, BadFieldNamesLineAndField) {
  EXPECT_THAT(Import("bad_gated.md"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 4"), HasSubstr("'gated'"), HasSubstr("sometimes"))));
}

TEST(HfCard, OtherMalformedFields) {
  EXPECT_THAT(
      ImportHfCard("---\nbase_model_relation: copy\nbase_model: a/b\n---\n", ImportOptions{"a/b"}),
      StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("line 2"), HasSubstr("base_model_relation"))));
  EXPECT_THAT(ImportHfCard("---\nbase_model: not-a-repo\n---\n", ImportOptions{"a/b"}),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("line 2"), HasSubstr("base_model"))));
  EXPECT_THAT(ImportHfCard("---\nlicense: mit\ndatasets:\n  a: b\n---\n", ImportOptions{"a/b"}),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("line 4"), HasSubstr("datasets"))));
  EXPECT_THAT(ImportHfCard("---\nlicense: Apache (v2)\n---\n", ImportOptions{"a/b"}),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("line 2"), HasSubstr("license"))));
  EXPECT_THAT(ImportHfCard("---\n- just\n- a list\n---\n", ImportOptions{"a/b"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace modelreg::cli

// The mapping of Hub model infos (importers/hf_hub.h), over the sample listing tests/data/hf_hub/listing.jsonl, one
// test per field variant; no server.
#include "client/cli/importers/hf_hub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/cli/importers/import_rules.h"
#include "tests/support/status_matchers.h"
#include "tests/unit/client/test_data.h"

namespace modelreg::cli {
namespace {

using ::modelreg::cli::testing::ShippedLicenses;
using ::modelreg::cli::testing::TestData;
using ::modelreg::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;

// Line `n` (1-based) of the sample listing.
std::string Line(int n) {
  static const std::vector<std::string> lines = absl::StrSplit(TestData("hf_hub/listing.jsonl"), '\n');
  return lines.at(static_cast<size_t>(n - 1));
}

absl::StatusOr<ImportResult> Import(const std::string& json, ImportLicenses* licenses = nullptr) {
  ImportLicenses shipped(ShippedLicenses());
  return ImportHfHubModel(json, ImportOptions{"", "listing.jsonl line 1"}, licenses != nullptr ? licenses : &shipped);
}

TEST(HfHub, OpenModelWithEveryField) {
  absl::StatusOr<ImportResult> result = Import(Line(1));
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.name(), "publishers/exampleorg/models/example-base-7b");
  EXPECT_EQ(m.huggingface_repo(), "ExampleOrg/Example-Base-7B");
  EXPECT_EQ(m.weights().access(), v1::Weights::ACCESS_OPEN_DOWNLOAD);
  EXPECT_EQ(m.weights().license(), "licenses/apache-2.0");
  EXPECT_EQ(m.weights().download_uri(), "https://huggingface.co/ExampleOrg/Example-Base-7B");
  EXPECT_EQ(m.modality(), v1::Model::MODALITY_TEXT);
  EXPECT_EQ(m.parameter_count(), 7241732096);
  EXPECT_EQ(m.release_date(), "2024-03-05");
  EXPECT_THAT(m.labels(),
              Contains(Pair("modelreg.io/unverified", HasSubstr("release_date: the Hugging Face "
                                                                "repository's creation date (createdAt)"))));
  EXPECT_THAT(m.labels(), Contains(Pair("hf-library", "transformers")));
  EXPECT_THAT(m.labels(), Contains(Pair("hf-pipeline-tag", "text-generation")));
  EXPECT_THAT(m.labels(), Contains(Pair("hf-tag/llama", "true")));
  // Tags mapped to fields are not labels too.
  EXPECT_THAT(m.labels(), Not(Contains(Key(HasSubstr("license")))));
  EXPECT_THAT(m.labels(), Not(Contains(Key(HasSubstr("dataset")))));
  ASSERT_EQ(m.data_disclosure().datasets_size(), 1);
  EXPECT_EQ(m.data_disclosure().datasets(0).uri(), "https://huggingface.co/datasets/example-org/pretrain-mix");
  EXPECT_EQ(m.data_disclosure().level(), v1::DataDisclosure::LEVEL_LISTED);
  EXPECT_TRUE(m.base_model().empty());
  EXPECT_EQ(m.treatment(), v1::Model::TREATMENT_UNSPECIFIED);  // not in a listing: unknown
  EXPECT_THAT(result->warnings, IsEmpty());
}

TEST(HfHub, GatedAutoFinetuneLicenseFromTag) {
  absl::StatusOr<ImportResult> result = Import(Line(2));
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.weights().access(), v1::Weights::ACCESS_GATED_CLICK_THROUGH);
  EXPECT_EQ(m.weights().license(), "licenses/mit");  // only the `license:mit` tag says it
  EXPECT_EQ(m.base_model(), "publishers/exampleorg/models/example-base-7b");
  EXPECT_EQ(m.base_model_relation(), v1::Model::BASE_MODEL_RELATION_FINETUNE);
}

TEST(HfHub, GatedManualAdapterLicenseNameAlias) {
  absl::StatusOr<ImportResult> result = Import(Line(3));
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.weights().access(), v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  // license: other, license_name "Llama 3.1 Community License": an alias of the catalog's llama3.1.
  EXPECT_EQ(m.weights().license(), "licenses/llama3.1");
  EXPECT_THAT(m.sources(), Contains("https://huggingface.co/acme/llama-lora/blob/main/LICENSE"));
  EXPECT_EQ(m.base_model(), "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_EQ(m.base_model_relation(), v1::Model::BASE_MODEL_RELATION_ADAPTER);
  EXPECT_EQ(m.modality(), v1::Model::MODALITY_UNSPECIFIED);  // no pipeline_tag
  EXPECT_EQ(m.parameter_count(), 0);                         // no safetensors
}

TEST(HfHub, QuantizedPackedWeightsLeaveParameterCountUnknown) {
  absl::StatusOr<ImportResult> result = Import(Line(4));
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.base_model_relation(), v1::Model::BASE_MODEL_RELATION_QUANTIZED);
  EXPECT_EQ(m.base_model(), "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_EQ(m.weights().license(), "licenses/llama3.1");
  EXPECT_EQ(m.parameter_count(), 0);
  EXPECT_THAT(result->warnings, Contains(HasSubstr("I32 tensors (packed quantized weights)")));
}

TEST(HfHub, MergeKeepsTheFirstBaseModel) {
  absl::StatusOr<ImportResult> result = Import(Line(5));
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.base_model(), "publishers/exampleorg/models/example-chat-7b");
  EXPECT_EQ(m.base_model_relation(), v1::Model::BASE_MODEL_RELATION_MERGE);
  EXPECT_EQ(m.modality(), v1::Model::MODALITY_MULTIMODAL);
  EXPECT_EQ(m.weights().license(), "licenses/cc-by-nc-4.0");
  EXPECT_EQ(m.release_date(), "2025-01-15");
  EXPECT_THAT(result->warnings, Contains(HasSubstr("(a merge); keeping the first")));
}

TEST(HfHub, UnknownLicenseBecomesUnverifiedLicense) {
  ImportLicenses licenses(ShippedLicenses());
  absl::StatusOr<ImportResult> result = Import(Line(6), &licenses);
  ASSERT_OK(result);
  EXPECT_EQ(result->model.weights().license(), "licenses/acme-research-license");
  ASSERT_EQ(result->new_licenses.size(), 1u);
  EXPECT_THAT(result->new_licenses[0].labels(), Contains(Pair("modelreg.io/unverified", HasSubstr("line 1"))));
  EXPECT_EQ(result->model.modality(), v1::Model::MODALITY_UNSPECIFIED);  // tabular: no modality value
  EXPECT_THAT(result->warnings, Contains(HasSubstr("has no modality value")));
  // A second model naming it reuses it.
  absl::StatusOr<ImportResult> again = Import(Line(6), &licenses);
  ASSERT_OK(again);
  EXPECT_EQ(again->model.weights().license(), "licenses/acme-research-license");
  EXPECT_EQ(licenses.created().size(), 1u);
}

TEST(HfHub, MalformedLineIsInvalidArgument) {
  EXPECT_THAT(Import(Line(7)), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not JSON")));
}

TEST(HfHub, MissingFieldsLeaveFactsUnknown) {
  absl::StatusOr<ImportResult> result = Import(Line(8));
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.name(), "publishers/bare/models/minimal");
  EXPECT_EQ(m.weights().access(), v1::Weights::ACCESS_UNSPECIFIED);
  EXPECT_TRUE(m.weights().license().empty());
  EXPECT_TRUE(m.release_date().empty());
  EXPECT_EQ(m.parameter_count(), 0);
  EXPECT_THAT(m.labels(), IsEmpty());
  EXPECT_THAT(result->warnings, Contains(HasSubstr("no 'gated' field")));
}

TEST(HfHub, EntriesThatCannotBeModels) {
  EXPECT_THAT(Import(Line(10)), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no 'id'")));
  EXPECT_THAT(Import(Line(11)), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1-63")));
  EXPECT_THAT(Import(Line(12)), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("JSON object")));
  EXPECT_THAT(Import("{\"id\": 42}"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(HfHub, OddValuesAreDroppedWithWarnings) {
  absl::StatusOr<ImportResult> result = Import(Line(13));
  ASSERT_OK(result);
  const v1::Model& m = result->model;
  EXPECT_EQ(m.weights().access(), v1::Weights::ACCESS_UNSPECIFIED);
  EXPECT_TRUE(m.weights().license().empty());
  EXPECT_TRUE(m.release_date().empty());
  EXPECT_EQ(m.parameter_count(), 0);
  EXPECT_THAT(result->warnings, Contains(HasSubstr("'sometimes' is not one of false, auto, manual")));
  EXPECT_THAT(result->warnings, Contains(HasSubstr("license 'unknown' names no license")));
  EXPECT_THAT(result->warnings, Contains(HasSubstr("createdAt 'last tuesday'")));
  EXPECT_THAT(result->warnings, Contains(HasSubstr("safetensors.total is not a positive whole number")));
}

TEST(HfHub, LicenseNameAliasAndSingleDataset) {
  absl::StatusOr<ImportResult> result = Import(Line(14));
  ASSERT_OK(result);
  EXPECT_EQ(result->model.weights().license(), "licenses/cc-by-4.0");  // "CC BY 4.0"
  EXPECT_EQ(result->model.modality(), v1::Model::MODALITY_AUDIO);
  ASSERT_EQ(result->model.data_disclosure().datasets_size(), 1);
  EXPECT_EQ(result->model.data_disclosure().datasets(0).display_name(), "acme/one-dataset");
}

TEST(HfHub, GatedTrueAndPrivate) {
  absl::StatusOr<ImportResult> gated = Import(R"({"id":"a/b","gated":true})");
  ASSERT_OK(gated);
  EXPECT_EQ(gated->model.weights().access(), v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN);
  absl::StatusOr<ImportResult> hidden = Import(R"({"id":"a/b","gated":false,"private":true})");
  ASSERT_OK(hidden);
  EXPECT_EQ(hidden->model.weights().access(), v1::Weights::ACCESS_UNSPECIFIED);
}

TEST(HfHub, QuantizedWithoutDtypesLeavesParameterCountUnknown) {
  absl::StatusOr<ImportResult> result = Import(
      R"({"id":"a/q","tags":["base_model:quantized:x/y"],"cardData":{"base_model":"x/y"},"safetensors":{"total":5}})");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.base_model_relation(), v1::Model::BASE_MODEL_RELATION_QUANTIZED);
  EXPECT_EQ(result->model.parameter_count(), 0);
}

TEST(HfHub, ALicenseNameTheServerWouldRefuseIsLeftUnknown) {
  ImportLicenses licenses(ShippedLicenses());
  absl::StatusOr<ImportResult> result =
      Import(R"({"id":"a/b","cardData":{"license":"other","license_name":"Acme Research\nLicense v1"}})", &licenses);
  ASSERT_OK(result);
  EXPECT_TRUE(result->model.weights().license().empty());
  EXPECT_THAT(result->new_licenses, IsEmpty());
  EXPECT_THAT(licenses.created(), IsEmpty());
  EXPECT_THAT(result->warnings, Contains(HasSubstr("cannot name a new license (license.display_name: contains "
                                                   "control characters); the license is left unknown")));
}

TEST(HfHub, TheModelAsItsOwnBaseIsDropped) {
  for (const char* json : {R"({"id":"Org/Model","cardData":{"base_model":"org/model"}})",
                           R"({"id":"a/g","tags":["base_model:finetune:a/g"]})"}) {
    absl::StatusOr<ImportResult> result = Import(json);
    ASSERT_OK(result);
    EXPECT_TRUE(result->model.base_model().empty()) << json;
    EXPECT_EQ(result->model.base_model_relation(), v1::Model::BASE_MODEL_RELATION_UNSPECIFIED) << json;
    EXPECT_THAT(result->warnings, Contains(HasSubstr("is the model itself; ignored"))) << json;
  }
}

TEST(HfHub, OnlyHubDatasetIdsAreDatasets) {
  absl::StatusOr<ImportResult> result = Import(
      R"({"id":"a/d","cardData":{"datasets":["https://huggingface.co/datasets/allenai/c4","squad","./data/train.json",)"
      R"("https://example.org/data.zip","a--b/c","owner/name/extra"]}})");
  ASSERT_OK(result);
  const v1::DataDisclosure& disclosure = result->model.data_disclosure();
  ASSERT_EQ(disclosure.datasets_size(), 2);
  EXPECT_EQ(disclosure.datasets(0).display_name(), "allenai/c4");
  EXPECT_EQ(disclosure.datasets(0).uri(), "https://huggingface.co/datasets/allenai/c4");
  EXPECT_EQ(disclosure.datasets(1).display_name(), "squad");
  EXPECT_EQ(disclosure.level(), v1::DataDisclosure::LEVEL_LISTED);
  for (const char* dropped : {"./data/train.json", "https://example.org/data.zip", "a--b/c", "owner/name/extra"}) {
    EXPECT_THAT(result->warnings, Contains(HasSubstr(absl::StrCat("'", dropped, "' is not a dataset id"))));
  }
}

TEST(HfHub, SixtyFourBitIntegerBuffersCountAsParameters) {
  absl::StatusOr<ImportResult> result =
      Import(R"({"id":"google-bert/bert-base-uncased","safetensors":{"parameters":{"F32":110106428,"I64":512},)"
             R"("total":110106940}})");
  ASSERT_OK(result);
  EXPECT_EQ(result->model.parameter_count(), 110106940);
}

TEST(HfHub, ALabelValueTheServerWouldRefuseIsDropped) {
  absl::StatusOr<ImportResult> result =
      Import(R"({"id":"a/l","library_name":"trans\u0007formers","pipeline_tag":"text-generation"})");
  ASSERT_OK(result);
  EXPECT_THAT(result->model.labels(), Not(Contains(Key("hf-library"))));
  EXPECT_THAT(result->model.labels(), Contains(Pair("hf-pipeline-tag", "text-generation")));
  EXPECT_THAT(result->warnings, Contains(HasSubstr("label hf-library: contains control characters; not recorded")));
}

}  // namespace
}  // namespace modelreg::cli

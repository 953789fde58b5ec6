#include "client/cli/importers/hf_fields.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/domain/names.h"
#include "server/domain/validation.h"

namespace modelreg::cli {
namespace {

// Pipeline tags that name a task without a modality value, as opposed to a tag the Hub does not define.
bool IsKnownTagWithoutModality(absl::string_view tag) {
  static constexpr absl::string_view kTags[] = {"tabular-classification",
                                                "tabular-regression",
                                                "tabular-to-text",
                                                "time-series-forecasting",
                                                "reinforcement-learning",
                                                "robotics",
                                                "graph-ml",
                                                "text-to-3d",
                                                "image-to-3d",
                                                "other"};
  return std::find(std::begin(kTags), std::end(kTags), tag) != std::end(kTags);
}

// Label key for a tag: lowercase, characters outside `a-z0-9-_./` replaced by `-`.
std::string TagLabelKey(absl::string_view tag) {
  std::string key = absl::StrCat("hf-tag/", absl::AsciiStrToLower(tag));
  for (char& c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '/';
    if (!ok) c = '-';
  }
  return key;
}

// Sets the label `key` to `value`, unless the server would refuse it as a label value (too long, control
// characters); then a warning says it is not recorded.
void SetTextLabel(const std::string& key, const std::string& value, ImportResult* result) {
  if (absl::Status valid = CheckLabelValue(key, value); !valid.ok()) {
    result->warnings.push_back(absl::StrCat("label ", valid.message(), "; not recorded"));
    return;
  }
  (*result->model.mutable_labels())[key] = value;
}

// True for a Hub repository id as huggingface_hub's validate_repo_id accepts it: `name` or `namespace/name`, each of
// letters, digits, `_`, `-` and `.`, beginning and ending with a letter, digit or `_`, with no `--` or `..`, at most 96
// characters in all.
bool IsHubRepoId(absl::string_view id) {
  if (id.empty() || id.size() > 96 || absl::StrContains(id, "--") || absl::StrContains(id, "..")) return false;
  const std::vector<absl::string_view> parts = absl::StrSplit(id, '/');
  if (parts.size() > 2) return false;
  auto word = [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (absl::string_view part : parts) {
    if (part.empty() || !word(part.front()) || !word(part.back())) return false;
    for (char c : part) {
      if (!word(c) && c != '-' && c != '.') return false;
    }
  }
  return true;
}

}  // namespace

// Every Hugging Face pipeline tag (huggingface.js packages/tasks/src/pipelines.ts, PIPELINE_DATA) and its modality.
// Tags of the Hub's "nlp" group are text, "audio" audio, "multimodal" multimodal, "cv" image, or video for the video
// tasks. Tags whose input or output has no Model.Modality value (tabular data, time series, reinforcement learning
// and robotics, graphs, 3-D assets, "other") map to none: modality stays unknown, with a warning, and the tag is kept
// in the `hf-pipeline-tag` label. client/README.md has the table.
v1::Model::Modality ModalityOfPipelineTag(absl::string_view tag) {
  using M = v1::Model;
  static constexpr std::pair<absl::string_view, v1::Model::Modality> kTags[] = {
      // nlp
      {"text-classification", M::MODALITY_TEXT},
      {"token-classification", M::MODALITY_TEXT},
      {"table-question-answering", M::MODALITY_TEXT},
      {"question-answering", M::MODALITY_TEXT},
      {"zero-shot-classification", M::MODALITY_TEXT},
      {"translation", M::MODALITY_TEXT},
      {"summarization", M::MODALITY_TEXT},
      {"feature-extraction", M::MODALITY_TEXT},
      {"text-generation", M::MODALITY_TEXT},
      {"text2text-generation", M::MODALITY_TEXT},  // older name, still on many cards
      {"fill-mask", M::MODALITY_TEXT},
      {"sentence-similarity", M::MODALITY_TEXT},
      {"table-to-text", M::MODALITY_TEXT},
      {"multiple-choice", M::MODALITY_TEXT},
      {"text-ranking", M::MODALITY_TEXT},
      {"text-retrieval", M::MODALITY_TEXT},
      // audio
      {"text-to-speech", M::MODALITY_AUDIO},
      {"text-to-audio", M::MODALITY_AUDIO},
      {"automatic-speech-recognition", M::MODALITY_AUDIO},
      {"audio-to-audio", M::MODALITY_AUDIO},
      {"audio-classification", M::MODALITY_AUDIO},
      {"voice-activity-detection", M::MODALITY_AUDIO},
      // cv: images
      {"depth-estimation", M::MODALITY_IMAGE},
      {"image-classification", M::MODALITY_IMAGE},
      {"object-detection", M::MODALITY_IMAGE},
      {"image-segmentation", M::MODALITY_IMAGE},
      {"text-to-image", M::MODALITY_IMAGE},
      {"image-to-image", M::MODALITY_IMAGE},
      {"unconditional-image-generation", M::MODALITY_IMAGE},
      {"zero-shot-image-classification", M::MODALITY_IMAGE},
      {"mask-generation", M::MODALITY_IMAGE},
      {"zero-shot-object-detection", M::MODALITY_IMAGE},
      {"image-feature-extraction", M::MODALITY_IMAGE},
      {"keypoint-detection", M::MODALITY_IMAGE},
      // cv: video
      {"image-to-video", M::MODALITY_VIDEO},
      {"video-classification", M::MODALITY_VIDEO},
      {"text-to-video", M::MODALITY_VIDEO},
      {"video-to-video", M::MODALITY_VIDEO},
      // multimodal (and image-to-text, which the Hub files under cv: image in, text out)
      {"image-to-text", M::MODALITY_MULTIMODAL},
      {"audio-text-to-text", M::MODALITY_MULTIMODAL},
      {"image-text-to-text", M::MODALITY_MULTIMODAL},
      {"image-text-to-image", M::MODALITY_MULTIMODAL},
      {"image-text-to-video", M::MODALITY_MULTIMODAL},
      {"visual-question-answering", M::MODALITY_MULTIMODAL},
      {"document-question-answering", M::MODALITY_MULTIMODAL},
      {"video-text-to-text", M::MODALITY_MULTIMODAL},
      {"visual-document-retrieval", M::MODALITY_MULTIMODAL},
      {"any-to-any", M::MODALITY_MULTIMODAL},
      // no modality: tabular-classification, tabular-regression, tabular-to-text, time-series-forecasting,
      // reinforcement-learning, robotics, graph-ml, text-to-3d, image-to-3d, other
  };
  for (const auto& [name, modality] : kTags) {
    if (name == tag) return modality;
  }
  return M::MODALITY_UNSPECIFIED;
}

void MapPipelineTag(absl::string_view pipeline_tag, ImportResult* result) {
  const std::string tag = absl::AsciiStrToLower(absl::StripAsciiWhitespace(pipeline_tag));
  if (tag.empty()) return;
  v1::Model& model = result->model;
  model.set_modality(ModalityOfPipelineTag(tag));
  if (model.modality() == v1::Model::MODALITY_UNSPECIFIED) {
    result->warnings.push_back(absl::StrCat("pipeline_tag '", tag.substr(0, 60), "' ",
                                            IsKnownTagWithoutModality(tag)
                                                ? "has no modality value (tabular, time series, RL, graph, 3-D, other)"
                                                : "is not a Hugging Face pipeline tag",
                                            "; modality is left unknown"));
  }
  SetTextLabel("hf-pipeline-tag", tag.substr(0, kMaxShortString), result);
}

void MapLibraryName(absl::string_view library_name, ImportResult* result) {
  const absl::string_view library = absl::StripAsciiWhitespace(library_name);
  if (!library.empty()) SetTextLabel("hf-library", std::string(library), result);
}

bool AddTagLabel(absl::string_view tag, ImportResult* result) {
  v1::Model& model = result->model;
  const std::string key = TagLabelKey(absl::StripAsciiWhitespace(tag));
  if (key.size() > 63 || key == "hf-tag/") {
    result->warnings.push_back(absl::StrCat("tag '", tag.substr(0, 80), "' does not fit a label key; not recorded"));
    return true;
  }
  if (model.labels_size() >= 64 && model.labels().count(key) == 0) {
    result->warnings.push_back("more than 64 labels; the remaining tags are not recorded");
    return false;
  }
  (*model.mutable_labels())[key] = "true";
  return true;
}

void MapHfLicense(const std::string& license, const std::string& license_name, const std::string& license_link,
                  const std::string& hf_repo, const ImportOptions& options, ImportLicenses* licenses,
                  ImportResult* result) {
  v1::Model& model = result->model;
  std::string written;
  std::string field;
  if (absl::EqualsIgnoreCase(license, "other")) {
    if (license_name.empty()) {
      result->warnings.push_back(
          "license: other without license_name; weights.license is left empty (see license_link for the terms)");
    } else {
      written = license_name;
      field = "license_name";
    }
  } else {
    written = license;
    field = "license";
  }
  if (!field.empty()) {
    switch (ClassifyLicenseText(written)) {
      case LicenseText::kName:
        model.mutable_weights()->set_license(licenses->Resolve(written, field, options, result));
        break;
      case LicenseText::kNone:
      case LicenseText::kUnknown:
        result->warnings.push_back(written.empty()
                                       ? "no license is given (license is missing); weights.license is left empty"
                                       : absl::StrCat("license '", written.substr(0, 80),
                                                      "' names no license; weights.license is left empty"));
        break;
      case LicenseText::kNotIncluded:
      case LicenseText::kLink:
        result->warnings.push_back(absl::StrCat(field, " '", written.substr(0, 120),
                                                "' is not a license name; weights.license is left empty"));
        break;
    }
  }

  if (!license_link.empty()) {
    std::string url;
    if (absl::StartsWith(license_link, "http://") || absl::StartsWith(license_link, "https://")) {
      url = license_link;
    } else if (!hf_repo.empty()) {
      url = absl::StrCat(kHuggingFaceHub, hf_repo, "/blob/main/", absl::StripPrefix(license_link, "./"));
    } else {
      result->warnings.push_back(absl::StrCat("license_link '", license_link.substr(0, 120),
                                              "' is relative to a repository the name does not give; not recorded"));
    }
    if (!url.empty() && IsHttpUrl(url)) {
      model.add_sources(url);
    } else if (!url.empty()) {
      result->warnings.push_back(
          absl::StrCat("license_link '", license_link.substr(0, 120), "' is not an http(s) URL; not recorded"));
    }
  }
}

v1::Model::BaseModelRelation BaseModelRelationOf(absl::string_view relation) {
  const std::string r = absl::AsciiStrToLower(absl::StripAsciiWhitespace(relation));
  if (r == "adapter") return v1::Model::BASE_MODEL_RELATION_ADAPTER;
  if (r == "merge") return v1::Model::BASE_MODEL_RELATION_MERGE;
  if (r == "quantized") return v1::Model::BASE_MODEL_RELATION_QUANTIZED;
  if (r == "finetune") return v1::Model::BASE_MODEL_RELATION_FINETUNE;
  return v1::Model::BASE_MODEL_RELATION_UNSPECIFIED;
}

std::string BaseModelNameOf(absl::string_view id) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(id);
  absl::StatusOr<ModelName> name = ParseModelShorthand(trimmed);
  if (!name.ok() || absl::StartsWith(absl::AsciiStrToLower(trimmed), "publishers/")) return "";
  return name->name();
}

void SetBaseModels(const std::vector<std::string>& names, bool relation_given, ImportResult* result) {
  v1::Model& model = result->model;
  if (names.empty()) {
    if (relation_given) result->warnings.push_back("base_model_relation is set but no usable base_model");
    return;
  }
  model.set_base_model(names.front());
  if (names.size() > 1) {
    result->warnings.push_back(
        absl::StrCat("base_model lists ", names.size(), " models",
                     model.base_model_relation() == v1::Model::BASE_MODEL_RELATION_MERGE ? " (a merge)" : "",
                     "; keeping the first, ", names.front(),
                     "; not recorded: ", absl::StrJoin(names.begin() + 1, names.end(), ", ")));
  }
}

bool AddHubDataset(absl::string_view id, ImportResult* result) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(id);
  absl::ConsumePrefix(&trimmed, absl::StrCat(kHuggingFaceHub, "datasets/"));
  absl::ConsumeSuffix(&trimmed, "/");
  if (!IsHubRepoId(trimmed)) return false;
  const std::string uri = absl::StrCat(kHuggingFaceHub, "datasets/", trimmed);
  v1::DataDisclosure* disclosure = result->model.mutable_data_disclosure();
  if (disclosure->datasets_size() >= 64) return false;
  v1::Dataset* dataset = disclosure->add_datasets();
  dataset->set_display_name(std::string(trimmed));
  dataset->set_uri(uri);
  disclosure->set_level(v1::DataDisclosure::LEVEL_LISTED);
  return true;
}

}  // namespace modelreg::cli

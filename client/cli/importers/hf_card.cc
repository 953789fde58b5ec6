#include "client/cli/importers/hf_card.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/cli/importers/yaml_fields.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

using yaml_fields::Document;
using yaml_fields::FieldError;
using yaml_fields::FieldNote;
using yaml_fields::LenientString;

constexpr absl::string_view kHub = "https://huggingface.co/";

struct FrontMatter {
  std::string yaml;
  std::string body;
  int first_line = 0;  // lines before the YAML text (the opening `---`)
};

absl::StatusOr<FrontMatter> SplitFrontMatter(absl::string_view card) {
  absl::ConsumePrefix(&card, "\xEF\xBB\xBF");  // UTF-8 byte order mark
  std::vector<absl::string_view> lines = absl::StrSplit(card, '\n');
  for (absl::string_view& line : lines) absl::ConsumeSuffix(&line, "\r");  // CRLF files
  auto is_fence = [](absl::string_view line) { return absl::StripTrailingAsciiWhitespace(line) == "---"; };
  if (lines.empty() || !is_fence(lines[0])) {
    return absl::InvalidArgumentError(
        "line 1: the model card has no YAML front matter: a Hugging Face card starts with a line '---', then the "
        "metadata (license, base_model, datasets, ...), then another '---'");
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    if (is_fence(lines[i])) {
      FrontMatter fm;
      fm.yaml = absl::StrJoin(lines.begin() + 1, lines.begin() + static_cast<std::ptrdiff_t>(i), "\n");
      fm.body = absl::StrJoin(lines.begin() + static_cast<std::ptrdiff_t>(i) + 1, lines.end(), "\n");
      fm.first_line = 1;
      return fm;
    }
  }
  return absl::InvalidArgumentError("line 1: the front matter opened by '---' is never closed by another '---'");
}

// A scalar or a list of scalars, as a list; anything else is ignored with a warning.
std::vector<std::pair<std::string, YAML::Node>> StringList(const Document& doc, const YAML::Node& node,
                                                           absl::string_view path, ImportResult* result) {
  std::vector<std::pair<std::string, YAML::Node>> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (node.IsScalar()) {
    out.emplace_back(node.Scalar(), node);
    return out;
  }
  if (!node.IsSequence()) {
    result->warnings.push_back(FieldNote(doc, node, path, "expected a string or a list of strings; ignored"));
    return out;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    if (!item.IsScalar()) {
      result->warnings.push_back(
          FieldNote(doc, item, absl::StrCat(path, "[", i, "]"), "expected a string, found a list or map; ignored"));
      continue;
    }
    out.emplace_back(item.Scalar(), item);
  }
  return out;
}

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

std::string Text(const Document& doc, const YAML::Node& node, absl::string_view path, ImportResult* result) {
  return std::string(absl::StripAsciiWhitespace(LenientString(doc, node, path, &result->warnings)));
}

void MapLicense(const Document& doc, const YAML::Node& root, const std::string& hf_repo, const ImportOptions& options,
                ImportLicenses* licenses, ImportResult* result) {
  v1::Model& model = result->model;
  const auto listed = StringList(doc, root["license"], "license", result);
  if (listed.size() > 1) {
    result->warnings.push_back(
        absl::StrCat("the card lists ", listed.size(), " licenses; using the first, '", listed.front().first, "'"));
  }
  const std::string license = listed.empty() ? "" : std::string(absl::StripAsciiWhitespace(listed.front().first));
  const std::string license_name = Text(doc, root["license_name"], "license_name", result);
  const std::string license_link = Text(doc, root["license_link"], "license_link", result);

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
                                       ? "the card gives no license (license is missing); weights.license is left empty"
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
      url = absl::StrCat(kHub, hf_repo, "/blob/main/", absl::StripPrefix(license_link, "./"));
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

void MapBaseModel(const Document& doc, const YAML::Node& root, ImportResult* result) {
  v1::Model& model = result->model;
  const std::string relation = Text(doc, root["base_model_relation"], "base_model_relation", result);
  if (!relation.empty()) {
    const std::string r = absl::AsciiStrToLower(relation);
    if (r == "adapter") {
      model.set_base_model_relation(v1::Model::BASE_MODEL_RELATION_ADAPTER);
    } else if (r == "merge") {
      model.set_base_model_relation(v1::Model::BASE_MODEL_RELATION_MERGE);
    } else if (r == "quantized") {
      model.set_base_model_relation(v1::Model::BASE_MODEL_RELATION_QUANTIZED);
    } else if (r == "finetune") {
      model.set_base_model_relation(v1::Model::BASE_MODEL_RELATION_FINETUNE);
    } else {
      result->warnings.push_back(FieldNote(
          doc, root["base_model_relation"], "base_model_relation",
          absl::StrCat("'", relation.substr(0, 60), "' is not one of adapter, merge, quantized, finetune; ignored")));
    }
  }

  const auto listed = StringList(doc, root["base_model"], "base_model", result);
  std::vector<std::string> names;
  for (size_t i = 0; i < listed.size(); ++i) {
    const auto& [id, node] = listed[i];
    absl::StatusOr<ModelName> name = ParseModelShorthand(id);
    if (!name.ok() || absl::StartsWith(absl::AsciiStrToLower(id), "publishers/")) {
      result->warnings.push_back(
          FieldNote(doc, node, listed.size() > 1 ? absl::StrCat("base_model[", i, "]") : "base_model",
                    absl::StrCat("'", id.substr(0, 120), "' is not a Hugging Face model id (owner/repo); ignored")));
      continue;
    }
    names.push_back(name->name());
  }
  if (names.empty()) {
    if (!relation.empty()) result->warnings.push_back("base_model_relation is set but no usable base_model");
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

void MapDatasets(const Document& doc, const YAML::Node& root, ImportResult* result) {
  const auto listed = StringList(doc, root["datasets"], "datasets", result);
  v1::DataDisclosure disclosure;
  for (const auto& [id, node] : listed) {
    const std::string trimmed(absl::StripAsciiWhitespace(id));
    const std::string uri = absl::StrCat(kHub, "datasets/", trimmed);
    if (trimmed.empty() || trimmed.size() > 256 || !IsHttpUrl(uri)) {
      result->warnings.push_back(FieldNote(
          doc, node, "datasets", absl::StrCat("'", trimmed.substr(0, 120), "' is not a dataset id; ignored")));
      continue;
    }
    v1::Dataset* dataset = disclosure.add_datasets();
    dataset->set_display_name(trimmed);
    dataset->set_uri(uri);
  }
  if (disclosure.datasets_size() == 0) return;
  disclosure.set_level(v1::DataDisclosure::LEVEL_LISTED);
  *result->model.mutable_data_disclosure() = std::move(disclosure);
}

bool HasGateFields(const YAML::Node& root) {
  for (const auto& entry : root) {
    if (entry.first.IsScalar() && absl::StartsWith(entry.first.Scalar(), "extra_gated_")) return true;
  }
  return false;
}

void MapGated(const Document& doc, const YAML::Node& root, ImportResult* result) {
  const std::string value = Text(doc, root["gated"], "gated", result);
  v1::Weights* weights = result->model.mutable_weights();
  const std::string v = absl::AsciiStrToLower(value);
  const bool gate_fields = HasGateFields(root);
  if (v == "auto" || v == "true") {
    weights->set_access(v1::Weights::ACCESS_GATED_CLICK_THROUGH);
  } else if (v == "manual") {
    weights->set_access(v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  } else if (v.empty() && gate_fields) {
    weights->set_access(v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN);
    result->warnings.push_back(
        "the card has extra_gated_* fields but no 'gated' value: the repository is gated (downloadable after a "
        "request), but not whether approval is automatic or manual; weights.access is GATED_APPROVAL_UNKNOWN");
  } else if (v.empty() || v == "false") {
    weights->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    if (gate_fields) {
      result->warnings.push_back(
          "gated: false, but the card has extra_gated_* fields; weights.access is OPEN_DOWNLOAD");
    }
  } else {
    result->warnings.push_back(FieldNote(doc, root["gated"], "gated",
                                         absl::StrCat("'", value.substr(0, 40),
                                                      "' is not one of auto, manual, true, false; weights.access is "
                                                      "left unknown")));
  }
}

void MapTags(const Document& doc, const YAML::Node& root, ImportResult* result) {
  v1::Model& model = result->model;
  const std::string pipeline_tag = absl::AsciiStrToLower(Text(doc, root["pipeline_tag"], "pipeline_tag", result));
  if (!pipeline_tag.empty()) {
    model.set_modality(ModalityOfPipelineTag(pipeline_tag));
    if (model.modality() == v1::Model::MODALITY_UNSPECIFIED) {
      result->warnings.push_back(
          absl::StrCat("pipeline_tag '", pipeline_tag.substr(0, 60), "' ",
                       IsKnownTagWithoutModality(pipeline_tag)
                           ? "has no modality value (tabular, time series, RL, graph, 3-D, other)"
                           : "is not a Hugging Face pipeline tag",
                       "; modality is left unknown"));
    }
    const std::string value = pipeline_tag.substr(0, 256);
    model.mutable_labels()->insert({"hf-pipeline-tag", value});
  }
  const std::string library = Text(doc, root["library_name"], "library_name", result);
  if (!library.empty() && library.size() <= 256) model.mutable_labels()->insert({"hf-library", library});

  for (const auto& tag : StringList(doc, root["tags"], "tags", result)) {
    const std::string key = TagLabelKey(absl::StripAsciiWhitespace(tag.first));
    if (key.size() > 63 || key == "hf-tag/") {
      result->warnings.push_back(
          absl::StrCat("tag '", tag.first.substr(0, 80), "' does not fit a label key; not recorded"));
      continue;
    }
    if (model.labels_size() >= 64) {
      result->warnings.push_back("more than 64 labels; the remaining tags are not recorded");
      break;
    }
    (*model.mutable_labels())[key] = "true";
  }
}

// The first Markdown `# ` heading of the card body, if any.
std::string FirstHeading(absl::string_view body) {
  for (absl::string_view line : absl::StrSplit(body, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (absl::ConsumePrefix(&line, "# ")) return std::string(absl::StripAsciiWhitespace(line));
  }
  return "";
}

}  // namespace

absl::StatusOr<ImportResult> ImportHfCard(absl::string_view card, const ImportOptions& options,
                                          ImportLicenses* licenses) {
  if (options.name.empty()) {
    return absl::InvalidArgumentError(
        "a model card does not say which repository it belongs to: give --name publishers/PUBLISHER/models/MODEL or "
        "--name OWNER/REPO");
  }
  MODELREG_ASSIGN_OR_RETURN(ModelName name, ParseModelShorthand(options.name));

  MODELREG_ASSIGN_OR_RETURN(FrontMatter fm, SplitFrontMatter(card));
  MODELREG_ASSIGN_OR_RETURN(Document doc, yaml_fields::Parse(fm.yaml, fm.first_line, "the card's front matter"));
  const YAML::Node root = doc.root;
  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    return FieldError(doc, root, "(front matter)", "expected a map of metadata fields");
  }

  ImportResult result;
  v1::Model& model = result.model;
  model.set_name(name.name());
  std::string hf_repo;
  const std::string typed(absl::StripAsciiWhitespace(options.name));
  if (!absl::StartsWith(absl::AsciiStrToLower(typed), "publishers/")) {
    hf_repo = typed;
    model.set_huggingface_repo(hf_repo);
    model.mutable_weights()->set_download_uri(absl::StrCat(kHub, hf_repo));
    model.add_sources(absl::StrCat(kHub, hf_repo));
  }
  const std::string heading = FirstHeading(fm.body);
  if (heading.size() <= 256) model.set_display_name(heading);

  const YAML::Node empty_map(YAML::NodeType::Map);
  const YAML::Node& fields = root.IsMap() ? root : empty_map;
  MapLicense(doc, fields, hf_repo, options, licenses, &result);
  MapBaseModel(doc, fields, &result);
  MapDatasets(doc, fields, &result);
  MapGated(doc, fields, &result);
  MapTags(doc, fields, &result);
  return result;
}

}  // namespace modelreg::cli

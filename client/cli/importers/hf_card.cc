#include "client/cli/importers/hf_card.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/cli/importers/license_source.h"
#include "client/cli/importers/yaml_fields.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

using yaml_fields::Document;
using yaml_fields::FieldError;
using yaml_fields::OptionalString;

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

// A scalar or a list of scalars, as a list.
absl::StatusOr<std::vector<std::pair<std::string, YAML::Node>>> StringList(const Document& doc, const YAML::Node& node,
                                                                           absl::string_view path) {
  std::vector<std::pair<std::string, YAML::Node>> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (node.IsScalar()) {
    out.emplace_back(node.Scalar(), node);
    return out;
  }
  if (!node.IsSequence()) return FieldError(doc, node, path, "expected a string or a list of strings");
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    if (!item.IsScalar()) {
      return FieldError(doc, item, absl::StrCat(path, "[", i, "]"), "expected a string, found a list or map");
    }
    out.emplace_back(item.Scalar(), item);
  }
  return out;
}

v1::Model::Modality ModalityOfPipelineTag(absl::string_view tag) {
  static constexpr std::pair<absl::string_view, v1::Model::Modality> kTags[] = {
      {"text-generation", v1::Model::MODALITY_TEXT},
      {"text2text-generation", v1::Model::MODALITY_TEXT},
      {"fill-mask", v1::Model::MODALITY_TEXT},
      {"text-classification", v1::Model::MODALITY_TEXT},
      {"token-classification", v1::Model::MODALITY_TEXT},
      {"question-answering", v1::Model::MODALITY_TEXT},
      {"summarization", v1::Model::MODALITY_TEXT},
      {"translation", v1::Model::MODALITY_TEXT},
      {"sentence-similarity", v1::Model::MODALITY_TEXT},
      {"feature-extraction", v1::Model::MODALITY_TEXT},
      {"zero-shot-classification", v1::Model::MODALITY_TEXT},
      {"text-to-image", v1::Model::MODALITY_IMAGE},
      {"image-to-image", v1::Model::MODALITY_IMAGE},
      {"image-classification", v1::Model::MODALITY_IMAGE},
      {"image-segmentation", v1::Model::MODALITY_IMAGE},
      {"object-detection", v1::Model::MODALITY_IMAGE},
      {"unconditional-image-generation", v1::Model::MODALITY_IMAGE},
      {"depth-estimation", v1::Model::MODALITY_IMAGE},
      {"automatic-speech-recognition", v1::Model::MODALITY_AUDIO},
      {"text-to-speech", v1::Model::MODALITY_AUDIO},
      {"text-to-audio", v1::Model::MODALITY_AUDIO},
      {"audio-classification", v1::Model::MODALITY_AUDIO},
      {"audio-to-audio", v1::Model::MODALITY_AUDIO},
      {"text-to-video", v1::Model::MODALITY_VIDEO},
      {"image-to-video", v1::Model::MODALITY_VIDEO},
      {"video-classification", v1::Model::MODALITY_VIDEO},
      {"image-text-to-text", v1::Model::MODALITY_MULTIMODAL},
      {"image-to-text", v1::Model::MODALITY_MULTIMODAL},
      {"visual-question-answering", v1::Model::MODALITY_MULTIMODAL},
      {"document-question-answering", v1::Model::MODALITY_MULTIMODAL},
      {"any-to-any", v1::Model::MODALITY_MULTIMODAL},
      {"audio-text-to-text", v1::Model::MODALITY_MULTIMODAL},
      {"video-text-to-text", v1::Model::MODALITY_MULTIMODAL},
  };
  for (const auto& [name, modality] : kTags) {
    if (name == tag) return modality;
  }
  return v1::Model::MODALITY_UNSPECIFIED;
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

absl::Status MapLicense(const Document& doc, const YAML::Node& root, const std::string& hf_repo, ImportResult* result) {
  v1::Model& model = result->model;
  const YAML::Node license_node = root["license"];
  MODELREG_ASSIGN_OR_RETURN(auto licenses, StringList(doc, license_node, "license"));
  if (licenses.size() > 1) {
    result->warnings.push_back(
        absl::StrCat("the card lists ", licenses.size(), " licenses; using the first, '", licenses.front().first, "'"));
  }
  const std::string license = licenses.empty() ? "" : absl::AsciiStrToLower(licenses.front().first);

  MODELREG_ASSIGN_OR_RETURN(std::string license_name, OptionalString(doc, root["license_name"], "license_name"));
  MODELREG_ASSIGN_OR_RETURN(std::string license_link, OptionalString(doc, root["license_link"], "license_link"));

  std::string id_source;
  const YAML::Node* id_node = nullptr;
  const YAML::Node license_name_node = root["license_name"];
  if (license.empty() || license == "unknown") {
    result->warnings.push_back(
        "the card gives no license (license is missing or 'unknown'); weights.license is left empty");
  } else if (license == "other") {
    if (license_name.empty()) {
      result->warnings.push_back(
          "license: other without license_name; weights.license is left empty (see license_link for the terms)");
    } else {
      id_source = license_name;
      id_node = &license_name_node;
    }
  } else {
    id_source = license;
    id_node = &licenses.front().second;
  }
  if (!id_source.empty()) {
    const std::string name = LicenseNameFromSource(id_source);
    if (name.empty()) {
      result->warnings.push_back(
          absl::StrCat("license '", id_source, "' names no license; weights.license is left empty"));
    } else if (LicenseIdOf(name).empty()) {
      return FieldError(doc, *id_node, id_node == &license_name_node ? "license_name" : "license",
                        absl::StrCat("'", id_source, "' is not a license id (a-z, 0-9, '-', '.', '_', '+')"));
    } else {
      model.mutable_weights()->set_license(name);
    }
  }

  if (!license_link.empty()) {
    if (absl::StartsWith(license_link, "http://") || absl::StartsWith(license_link, "https://")) {
      model.add_sources(license_link);
    } else if (!hf_repo.empty()) {
      model.add_sources(absl::StrCat(kHub, hf_repo, "/blob/main/", absl::StripPrefix(license_link, "./")));
    } else {
      result->warnings.push_back(absl::StrCat("license_link '", license_link,
                                              "' is relative to a repository the name does not give; not recorded"));
    }
  }
  return absl::OkStatus();
}

absl::Status MapBaseModel(const Document& doc, const YAML::Node& root, ImportResult* result) {
  v1::Model& model = result->model;
  MODELREG_ASSIGN_OR_RETURN(std::string relation,
                            OptionalString(doc, root["base_model_relation"], "base_model_relation"));
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
      return FieldError(doc, root["base_model_relation"], "base_model_relation",
                        absl::StrCat("'", relation, "' is not one of adapter, merge, quantized, finetune"));
    }
  }

  MODELREG_ASSIGN_OR_RETURN(auto bases, StringList(doc, root["base_model"], "base_model"));
  if (bases.empty()) {
    if (!relation.empty()) result->warnings.push_back("base_model_relation is set but base_model is not");
    return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < bases.size(); ++i) {
    const auto& [id, node] = bases[i];
    absl::StatusOr<ModelName> name = ParseModelShorthand(id);
    if (!name.ok() || absl::StartsWith(absl::AsciiStrToLower(id), "publishers/")) {
      return FieldError(doc, node, bases.size() > 1 ? absl::StrCat("base_model[", i, "]") : "base_model",
                        absl::StrCat("'", id, "' is not a Hugging Face model id (owner/repo)"));
    }
    names.push_back(name->name());
  }
  model.set_base_model(names.front());
  if (names.size() > 1) {
    result->warnings.push_back(
        absl::StrCat("base_model lists ", names.size(), " models",
                     model.base_model_relation() == v1::Model::BASE_MODEL_RELATION_MERGE ? " (a merge)" : "",
                     "; keeping the first, ", names.front(),
                     "; not recorded: ", absl::StrJoin(names.begin() + 1, names.end(), ", ")));
  }
  return absl::OkStatus();
}

absl::Status MapDatasets(const Document& doc, const YAML::Node& root, ImportResult* result) {
  MODELREG_ASSIGN_OR_RETURN(auto datasets, StringList(doc, root["datasets"], "datasets"));
  if (datasets.empty()) return absl::OkStatus();
  v1::DataDisclosure* disclosure = result->model.mutable_data_disclosure();
  disclosure->set_level(v1::DataDisclosure::LEVEL_LISTED);
  for (const auto& [id, node] : datasets) {
    const std::string trimmed(absl::StripAsciiWhitespace(id));
    if (trimmed.empty()) return FieldError(doc, node, "datasets", "empty dataset id");
    v1::Dataset* dataset = disclosure->add_datasets();
    dataset->set_display_name(trimmed);
    dataset->set_uri(absl::StrCat(kHub, "datasets/", trimmed));
  }
  return absl::OkStatus();
}

absl::Status MapGated(const Document& doc, const YAML::Node& root, ImportResult* result) {
  const YAML::Node gated = root["gated"];
  MODELREG_ASSIGN_OR_RETURN(std::string value, OptionalString(doc, gated, "gated"));
  v1::Weights* weights = result->model.mutable_weights();
  const std::string v = absl::AsciiStrToLower(value);
  if (v.empty() || v == "false") {
    const bool gate_prompt = root["extra_gated_prompt"].IsDefined() || root["extra_gated_fields"].IsDefined();
    if (v.empty() && gate_prompt) {
      result->warnings.push_back(
          "the card has extra_gated_* fields but no 'gated' value: the repository is gated, but not whether approval "
          "is automatic or manual; weights.access is left unknown");
      weights->set_access(v1::Weights::ACCESS_UNSPECIFIED);
    } else {
      weights->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    }
  } else if (v == "auto" || v == "true") {
    weights->set_access(v1::Weights::ACCESS_GATED_CLICK_THROUGH);
  } else if (v == "manual") {
    weights->set_access(v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  } else {
    return FieldError(doc, gated, "gated", absl::StrCat("'", value, "' is not one of auto, manual, true, false"));
  }
  return absl::OkStatus();
}

absl::Status MapTags(const Document& doc, const YAML::Node& root, ImportResult* result) {
  v1::Model& model = result->model;
  MODELREG_ASSIGN_OR_RETURN(std::string pipeline_tag, OptionalString(doc, root["pipeline_tag"], "pipeline_tag"));
  if (!pipeline_tag.empty()) {
    model.set_modality(ModalityOfPipelineTag(absl::AsciiStrToLower(pipeline_tag)));
    if (model.modality() == v1::Model::MODALITY_UNSPECIFIED) {
      result->warnings.push_back(absl::StrCat("pipeline_tag '", pipeline_tag, "' maps to no modality"));
    }
    model.mutable_labels()->insert({"hf-pipeline-tag", absl::AsciiStrToLower(pipeline_tag)});
  }
  MODELREG_ASSIGN_OR_RETURN(std::string library, OptionalString(doc, root["library_name"], "library_name"));
  if (!library.empty()) model.mutable_labels()->insert({"hf-library", library});

  MODELREG_ASSIGN_OR_RETURN(auto tags, StringList(doc, root["tags"], "tags"));
  for (const auto& tag : tags) {
    const std::string key = TagLabelKey(absl::StripAsciiWhitespace(tag.first));
    if (key.size() > 63 || key == "hf-tag/") {
      result->warnings.push_back(absl::StrCat("tag '", tag.first, "' does not fit a label key; not recorded"));
      continue;
    }
    (*model.mutable_labels())[key] = "true";
  }
  return absl::OkStatus();
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

absl::StatusOr<ImportResult> ImportHfCard(absl::string_view card, const ImportOptions& options) {
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
  model.set_display_name(FirstHeading(fm.body));

  const YAML::Node empty_map(YAML::NodeType::Map);
  const YAML::Node& fields = root.IsMap() ? root : empty_map;
  MODELREG_RETURN_IF_ERROR(MapLicense(doc, fields, hf_repo, &result));
  MODELREG_RETURN_IF_ERROR(MapBaseModel(doc, fields, &result));
  MODELREG_RETURN_IF_ERROR(MapDatasets(doc, fields, &result));
  MODELREG_RETURN_IF_ERROR(MapGated(doc, fields, &result));
  MODELREG_RETURN_IF_ERROR(MapTags(doc, fields, &result));
  return result;
}

}  // namespace modelreg::cli

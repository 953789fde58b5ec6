#include "client/cli/importers/mof.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
using yaml_fields::OptionalString;

constexpr size_t kMaxShortString = 256;

enum class ContentType { kCode, kData, kDocument };

struct ComponentInfo {
  absl::string_view name;  // as the Model Openness Tool writes it
  v1::ComponentKind kind;
  ContentType type;
};

constexpr ComponentInfo kComponents[] = {
    {"Model architecture", v1::COMPONENT_KIND_MODEL_ARCHITECTURE, ContentType::kCode},
    {"Model parameters (Final)", v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL, ContentType::kData},
    {"Model card", v1::COMPONENT_KIND_MODEL_CARD, ContentType::kDocument},
    {"Data card", v1::COMPONENT_KIND_DATA_CARD, ContentType::kDocument},
    {"Technical report", v1::COMPONENT_KIND_TECHNICAL_REPORT, ContentType::kDocument},
    {"Evaluation results", v1::COMPONENT_KIND_EVALUATION_RESULTS, ContentType::kDocument},
    {"Sample model outputs", v1::COMPONENT_KIND_SAMPLE_MODEL_OUTPUTS, ContentType::kDocument},
    {"Training code", v1::COMPONENT_KIND_TRAINING_CODE, ContentType::kCode},
    {"Inference code", v1::COMPONENT_KIND_INFERENCE_CODE, ContentType::kCode},
    {"Evaluation code", v1::COMPONENT_KIND_EVALUATION_CODE, ContentType::kCode},
    {"Evaluation data", v1::COMPONENT_KIND_EVALUATION_DATA, ContentType::kData},
    {"Supporting libraries and tools", v1::COMPONENT_KIND_SUPPORTING_LIBRARIES, ContentType::kCode},
    {"Datasets", v1::COMPONENT_KIND_DATASETS, ContentType::kData},
    {"Data preprocessing code", v1::COMPONENT_KIND_DATA_PREPROCESSING_CODE, ContentType::kCode},
    {"Model parameters (Intermediate)", v1::COMPONENT_KIND_MODEL_PARAMETERS_INTERMEDIATE, ContentType::kData},
    {"Research paper", v1::COMPONENT_KIND_RESEARCH_PAPER, ContentType::kDocument},
    {"Model metadata", v1::COMPONENT_KIND_MODEL_METADATA, ContentType::kData},
};

const ComponentInfo* FindComponent(absl::string_view name) {
  for (const ComponentInfo& info : kComponents) {
    if (absl::EqualsIgnoreCase(info.name, absl::StripAsciiWhitespace(name))) return &info;
  }
  return nullptr;
}

// Reads the file's facts into `result`, with the line of each problem in its warning.
class Reader {
 public:
  Reader(const Document& doc, const ImportOptions& options, ImportLicenses* licenses, ImportResult* result)
      : doc_(doc), options_(options), licenses_(licenses), result_(result) {}

  void MapRelease(const YAML::Node& release);
  absl::Status MapName(const YAML::Node& release);
  void MapComponents(const YAML::Node& release);

 private:
  void Warn(std::string warning) { result_->warnings.push_back(std::move(warning)); }
  std::string Text(const YAML::Node& node, absl::string_view path) {
    return std::string(absl::StripAsciiWhitespace(LenientString(doc_, node, path, &result_->warnings)));
  }
  // `value` when it fits a short string field (256 bytes, no control characters); else "" and a warning.
  std::string Short(const std::string& value, const YAML::Node& node, absl::string_view path);
  // `value` when it is an http(s) URL; else "" and a warning (not for an empty value).
  std::string Url(const std::string& value, const YAML::Node& node, absl::string_view path);
  void MapHuggingFace(const YAML::Node& release);

  // A license value as the file writes it at `path` (a scalar, or a map with `name`), and where it is.
  struct Written {
    bool present = false;  // the key is there and not null
    std::string text;
    YAML::Node node;
    std::string path;
  };
  Written LicenseValue(const YAML::Node& node, const std::string& path);
  // A release-wide license: whether the file names one (a non-empty value stops the fallback to the next, as in
  // the tool), and its canonical name ("" for none or unknown).
  struct ReleaseWide {
    bool present = false;
    std::string license;
  };
  ReleaseWide ReleaseLicense(const YAML::Node& licenses, const char* key);

  const Document& doc_;
  const ImportOptions& options_;
  ImportLicenses* licenses_;
  ImportResult* result_;
  std::string hf_repo_;
};

std::string Reader::Short(const std::string& value, const YAML::Node& node, absl::string_view path) {
  const bool control = std::any_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
  if (value.size() > kMaxShortString || control) {
    Warn(FieldNote(doc_, node, path,
                   control ? "contains control characters; not recorded" : "longer than 256 bytes; not recorded"));
    return "";
  }
  return value;
}

std::string Reader::Url(const std::string& value, const YAML::Node& node, absl::string_view path) {
  if (value.empty()) return "";
  if (!IsHttpUrl(value)) {
    Warn(FieldNote(doc_, node, path, absl::StrCat("'", value.substr(0, 120), "' is not an http(s) URL; not recorded")));
    return "";
  }
  return value;
}

v1::Model::Modality ModalityOfType(absl::string_view type) {
  if (type == "language") return v1::Model::MODALITY_TEXT;
  if (type == "code") return v1::Model::MODALITY_CODE;
  if (type == "vision" || type == "image") return v1::Model::MODALITY_IMAGE;
  if (type == "audio") return v1::Model::MODALITY_AUDIO;
  if (type == "video") return v1::Model::MODALITY_VIDEO;
  if (type == "multimodal") return v1::Model::MODALITY_MULTIMODAL;
  return v1::Model::MODALITY_UNSPECIFIED;
}

bool IsHfId(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  if (parts.size() != 2) return false;
  for (absl::string_view part : parts) {
    if (part.empty() || part.size() > 96) return false;
    for (char c : part) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
    }
  }
  return true;
}

// `owner/repo` of a Hugging Face model: a URL https://huggingface.co/owner/repo[/...] (not a dataset, Space,
// collection or other site page), or a bare `owner/repo`; anything after the first whitespace is ignored (files
// write "https://huggingface.co/x/y · Hugging Face"). "" when it is neither.
std::string HfRepoOf(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  value = value.substr(0, value.find_first_of(" \t"));
  if (IsHfId(value)) return std::string(value);
  if (!absl::ConsumePrefix(&value, "https://huggingface.co/") &&
      !absl::ConsumePrefix(&value, "http://huggingface.co/") &&
      !absl::ConsumePrefix(&value, "https://www.huggingface.co/")) {
    return "";
  }
  std::vector<absl::string_view> parts = absl::StrSplit(value, absl::ByAnyChar("/?#"), absl::SkipEmpty());
  static constexpr absl::string_view kNotModels[] = {"datasets", "spaces",        "collections", "papers", "blog",
                                                     "docs",     "organizations", "models",      "api",    "tasks"};
  if (parts.size() < 2 || std::find(std::begin(kNotModels), std::end(kNotModels), parts[0]) != std::end(kNotModels)) {
    return "";
  }
  const std::string repo = absl::StrCat(parts[0], "/", parts[1]);
  return IsHfId(repo) ? repo : "";
}

void Reader::MapHuggingFace(const YAML::Node& release) {
  v1::Model& model = result_->model;
  const std::string huggingface = Text(release["huggingface"], "release.huggingface");
  if (huggingface.empty()) return;
  hf_repo_ = HfRepoOf(huggingface);
  if (hf_repo_.empty()) {
    Warn(FieldNote(doc_, release["huggingface"], "release.huggingface",
                   absl::StrCat("'", huggingface.substr(0, 120), "' names no Hugging Face model; not recorded")));
    return;
  }
  const std::string url = absl::StrCat("https://huggingface.co/", hf_repo_);
  model.set_huggingface_repo(hf_repo_);
  model.mutable_weights()->set_download_uri(url);
  model.add_sources(url);
}

void Reader::MapRelease(const YAML::Node& release) {
  v1::Model& model = result_->model;
  const std::string name = Text(release["name"], "release.name");
  if (name.empty()) {
    Warn(FieldNote(doc_, release["name"].IsDefined() ? release["name"] : release, "release.name",
                   "missing or empty: the model has no display name"));
  }
  model.set_display_name(Short(name, release["name"], "release.name"));
  model.set_version(Short(Text(release["version"], "release.version"), release["version"], "release.version"));

  const std::string date = Text(release["date"], "release.date");
  if (!date.empty()) {
    Warn(absl::StrCat("release.date (", date.substr(0, 40),
                      ") is not imported as release_date: Model Openness Tool files record the date of the "
                      "evaluation there, not the model's release"));
  }

  const std::string type = Text(release["type"], "release.type");
  if (!type.empty()) {
    model.set_modality(ModalityOfType(absl::AsciiStrToLower(type)));
    if (model.modality() == v1::Model::MODALITY_UNSPECIFIED) {
      Warn(FieldNote(doc_, release["type"], "release.type",
                     absl::StrCat("'", type.substr(0, 60), "' maps to no modality (modality left unknown)")));
    }
  }

  const std::string architecture = Text(release["architecture"], "release.architecture");
  if (!architecture.empty() && architecture != "undisclosed") {
    model.set_architecture(Short(architecture, release["architecture"], "release.architecture"));
  }

  const std::string treatment = Text(release["treatment"], "release.treatment");
  const std::string t = absl::AsciiStrToLower(treatment);
  if (t == "pre-trained") {
    model.set_treatment(v1::Model::TREATMENT_PRE_TRAINED);
  } else if (t == "instruct fine-tuned") {
    model.set_treatment(v1::Model::TREATMENT_INSTRUCT);
  } else if (t == "chat fine-tuned") {
    model.set_treatment(v1::Model::TREATMENT_CHAT);
  } else if (!t.empty()) {
    Warn(FieldNote(doc_, release["treatment"], "release.treatment",
                   absl::StrCat("'", treatment.substr(0, 60),
                                "' is not one of pre-trained, instruct fine-tuned, chat fine-tuned (left unknown)")));
  }

  const std::string origin = Text(release["origin"], "release.origin");
  if (!origin.empty() && origin != name) {
    Warn(absl::StrCat("release.origin '", origin.substr(0, 120),
                      "' is not set as base_model: the file does not name its publisher"));
  }

  MapHuggingFace(release);
  for (const char* key : {"repository", "github"}) {
    const std::string path = absl::StrCat("release.", key);
    const std::string repo = Url(Text(release[key], path), release[key], path);
    if (!repo.empty()) {
      if (model.homepage_uri().empty()) model.set_homepage_uri(repo);
      model.add_sources(repo);
    }
  }
}

absl::Status Reader::MapName(const YAML::Node& release) {
  v1::Model& model = result_->model;
  std::string full_name = options_.name;
  std::string how;
  if (full_name.empty() && !hf_repo_.empty()) {
    const std::vector<std::string> parts = absl::StrSplit(hf_repo_, '/');
    full_name = absl::StrCat(IdSlug(parts[0]), "/", IdSlug(parts[1]));
    how = absl::StrCat("the Hugging Face repository ", hf_repo_);
  }
  const std::string producer = IdSlug(Text(release["producer"], "release.producer"));
  if (full_name.empty()) {
    std::string model_id = IdSlug(model.display_name());
    how = "producer and release name";
    if (model_id.empty()) {
      // The file's name without its directory and extension.
      absl::string_view stem = options_.source;
      stem = stem.substr(stem.find_last_of('/') == absl::string_view::npos ? 0 : stem.find_last_of('/') + 1);
      stem = stem.substr(0, stem.find_last_of('.'));
      model_id = IdSlug(stem);
      how = "producer and file name";
    }
    if (!model_id.empty()) full_name = absl::StrCat(producer.empty() ? "unknown-publisher" : producer, "/", model_id);
    if (producer.empty() && !model_id.empty()) {
      Warn("release.producer is missing: the model is filed under publishers/unknown-publisher (give --name)");
    }
  }
  if (full_name.empty()) {
    return absl::InvalidArgumentError(
        "the file names neither a Hugging Face repository nor a release name: give --name "
        "publishers/PUBLISHER/models/MODEL");
  }
  absl::StatusOr<ModelName> parsed = ParseModelShorthand(full_name);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(parsed.status().message(), options_.name.empty() ? " (derived from the file; give --name)" : ""));
  }
  model.set_name(parsed->name());
  if (options_.name.empty()) Warn(absl::StrCat("named ", model.name(), " after ", how, " (--name overrides it)"));
  return absl::OkStatus();
}

Reader::Written Reader::LicenseValue(const YAML::Node& node, const std::string& path) {
  // Nodes are copied, never assigned: yaml-cpp's Node assignment writes through to the node referred to (and throws
  // on a missing one).
  if (!node.IsDefined() || node.IsNull()) return Written{false, "", node, path};
  if (node.IsMap()) {
    const YAML::Node name = node["name"];
    if (!name.IsDefined() || name.IsNull()) return Written{false, "", name, path + ".name"};
    return Written{true, Text(name, path + ".name"), name, path + ".name"};
  }
  return Written{true, Text(node, path), node, path};
}

Reader::ReleaseWide Reader::ReleaseLicense(const YAML::Node& licenses, const char* key) {
  ReleaseWide wide;
  if (!licenses.IsDefined() || !licenses.IsMap()) return wide;
  const Written written = LicenseValue(licenses[key], absl::StrCat("release.license.", key));
  if (!written.present || written.text.empty()) return wide;
  wide.present = true;
  switch (ClassifyLicenseText(written.text)) {
    case LicenseText::kNone:
    case LicenseText::kNotIncluded:
      break;
    case LicenseText::kUnknown:
    case LicenseText::kLink:
      Warn(FieldNote(doc_, written.node, written.path,
                     absl::StrCat("'", written.text.substr(0, 120), "' names no license; left unknown")));
      break;
    case LicenseText::kName:
      wide.license = licenses_->Resolve(written.text, written.path, options_, result_);
      break;
  }
  return wide;
}

void Reader::MapComponents(const YAML::Node& release) {
  v1::Model& model = result_->model;
  const YAML::Node licenses = release["license"];
  if (licenses.IsDefined() && !licenses.IsNull() && !licenses.IsMap()) {
    Warn(FieldNote(doc_, licenses, "release.license", "expected a map of distribution, code, data, document; ignored"));
  }
  // Release-wide licenses: distribution, code, data, document.
  const ReleaseWide distribution = ReleaseLicense(licenses, "distribution");
  const std::map<ContentType, ReleaseWide> typed = {{ContentType::kCode, ReleaseLicense(licenses, "code")},
                                                    {ContentType::kData, ReleaseLicense(licenses, "data")},
                                                    {ContentType::kDocument, ReleaseLicense(licenses, "document")}};

  const YAML::Node components = release["components"];
  if (!components.IsDefined() || components.IsNull()) {
    Warn("the release lists no components");
    return;
  }
  if (!components.IsSequence()) {
    Warn(FieldNote(doc_, components, "release.components", "expected a list; no component is imported"));
    return;
  }

  // By kind, in the order first listed; a later listing of a kind replaces the earlier one (as the tool reads it).
  std::vector<v1::ComponentKind> order;
  std::map<v1::ComponentKind, v1::Component> by_kind;
  for (size_t i = 0; i < components.size(); ++i) {
    const YAML::Node item = components[i];
    const std::string path = absl::StrCat("release.components[", i, "]");
    if (!item.IsMap()) {
      Warn(FieldNote(doc_, item, path, "expected a map with name, description, license; ignored"));
      continue;
    }
    const std::string name = Text(item["name"], path + ".name");
    const ComponentInfo* info = FindComponent(name);
    if (info == nullptr) {
      Warn(FieldNote(doc_, item["name"].IsDefined() ? item["name"] : item, path + ".name",
                     name.empty() ? "missing component name; ignored"
                                  : absl::StrCat("'", name.substr(0, 80),
                                                 "' is not a Model Openness Framework component; ignored")));
      continue;
    }
    if (by_kind.count(info->kind) > 0) {
      Warn(FieldNote(doc_, item["name"], path + ".name",
                     absl::StrCat("component '", info->name, "' is listed again; this later listing counts")));
    } else {
      order.push_back(info->kind);
    }

    v1::Component component;
    component.set_kind(info->kind);
    component.set_status(v1::Component::STATUS_RELEASED);
    // Own license: `license` (current files) or `license_name` (older files), when present and not null.
    const char* license_key = item["license"].IsDefined() ? "license" : "license_name";
    const Written own = LicenseValue(item[license_key], absl::StrCat(path, ".", license_key));
    std::string license;
    if (own.present) {
      switch (ClassifyLicenseText(own.text)) {
        case LicenseText::kNotIncluded:
          component.set_status(v1::Component::STATUS_NOT_RELEASED);
          break;
        case LicenseText::kNone:
          Warn(absl::StrCat("component '", info->name, "' is released without a license (unlicensed)"));
          break;
        case LicenseText::kUnknown:
        case LicenseText::kLink:
          Warn(FieldNote(doc_, own.node, own.path,
                         absl::StrCat("'", own.text.substr(0, 120), "' names no license; the license of component '",
                                      info->name, "' is left unknown")));
          break;
        case LicenseText::kName:
          license = licenses_->Resolve(own.text, own.path, options_, result_);
          break;
      }
    } else {
      license = typed.at(info->type).present ? typed.at(info->type).license : distribution.license;
      if (license.empty()) {
        Warn(absl::StrCat("component '", info->name, "' has no license (unlicensed)"));
      }
    }
    component.set_license(license);
    if (component.status() == v1::Component::STATUS_RELEASED) {
      for (const char* key : {"component_path", "location"}) {
        const std::string at = absl::StrCat(path, ".", key);
        const std::string uri = Url(Text(item[key], at), item[key], at);
        if (!uri.empty() && component.uri().empty()) component.set_uri(uri);
      }
    } else {
      component.clear_license();
    }
    by_kind[info->kind] = component;
  }

  for (v1::ComponentKind kind : order) *model.add_components() = by_kind[kind];
  auto final_params = by_kind.find(v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL);
  if (final_params == by_kind.end()) {
    Warn("'Model parameters (Final)' is not listed: the weights license is left empty");
  } else {
    model.mutable_weights()->set_license(final_params->second.license());
  }
  Warn(
      "a MOF file does not say how the weights are obtained (open download, gated, API only): weights.access is "
      "left unknown; set it with `modelreg models update`");
}

}  // namespace

absl::StatusOr<ImportResult> ImportMof(absl::string_view text, const ImportOptions& options, ImportLicenses* licenses) {
  MODELREG_ASSIGN_OR_RETURN(Document doc, yaml_fields::Parse(text, 0, "the MOF file"));
  const YAML::Node root = doc.root;
  if (!root.IsMap()) {
    return FieldError(doc, root, "(document)", "expected a map with 'framework' and 'release'");
  }
  const YAML::Node framework = root["framework"];
  if (!framework.IsDefined() || !framework.IsMap()) {
    return FieldError(doc, framework.IsDefined() ? framework : root, "framework",
                      "missing or not a map: not a Model Openness Framework model file");
  }
  MODELREG_ASSIGN_OR_RETURN(std::string framework_name, OptionalString(doc, framework["name"], "framework.name"));
  if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(framework_name), "Model Openness Framework")) {
    return FieldError(doc, framework["name"].IsDefined() ? framework["name"] : framework, "framework.name",
                      absl::StrCat("expected 'Model Openness Framework', found '", framework_name.substr(0, 80), "'"));
  }
  const YAML::Node release = root["release"];
  if (!release.IsDefined() || !release.IsMap()) {
    return FieldError(doc, release.IsDefined() ? release : root, "release", "missing or not a map");
  }

  ImportResult result;
  Reader reader(doc, options, licenses, &result);
  const std::string framework_version =
      yaml_fields::LenientString(doc, framework["version"], "framework.version", &result.warnings);
  if (framework_version != "1.0") {
    result.warnings.push_back(absl::StrCat("framework.version is '", framework_version.substr(0, 40),
                                           "'; the components are read as MOF 1.0 defines them"));
  }
  reader.MapRelease(release);
  MODELREG_RETURN_IF_ERROR(reader.MapName(release));
  reader.MapComponents(release);
  return result;
}

}  // namespace modelreg::cli

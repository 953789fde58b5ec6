#include "client/cli/importers/mof.h"

#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

// A license value: a scalar, or a map with `name` (the release-wide form).
absl::StatusOr<std::string> LicenseValue(const Document& doc, const YAML::Node& node, absl::string_view path) {
  if (node.IsDefined() && node.IsMap()) return OptionalString(doc, node["name"], absl::StrCat(path, ".name"));
  return OptionalString(doc, node, path);
}

// A resolved license: its resource name ("" for none) and where it came from (for messages).
struct License {
  std::string name;
  YAML::Node node;
  std::string path;
};

absl::StatusOr<License> ToLicense(const Document& doc, const YAML::Node& node, const std::string& path,
                                  const std::string& value) {
  License license{LicenseNameFromSource(value), node, path};
  if (!license.name.empty() && LicenseIdOf(license.name).empty()) {
    return FieldError(doc, node, path,
                      absl::StrCat("'", value, "' cannot be read as a license id (a-z, 0-9, '-', '.', '_', '+')"));
  }
  return license;
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

// Lowercase, runs of characters outside `a-z0-9-._` become one `-`; no `-._` at either end.
std::string Slug(absl::string_view text) {
  std::string out;
  for (char c : absl::AsciiStrToLower(absl::StripAsciiWhitespace(text))) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (ok) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  const size_t end = out.find_last_not_of("-._");
  const size_t begin = out.find_first_not_of("-._");
  return begin == std::string::npos ? "" : out.substr(begin, end - begin + 1);
}

// `owner/repo` from https://huggingface.co/owner/repo[/...]; "" if `url` is not such a URL.
std::string HfRepoOfUrl(absl::string_view url) {
  if (!absl::ConsumePrefix(&url, "https://huggingface.co/") && !absl::ConsumePrefix(&url, "http://huggingface.co/")) {
    return "";
  }
  std::vector<absl::string_view> parts = absl::StrSplit(url, '/', absl::SkipEmpty());
  if (parts.size() < 2 || parts[0] == "datasets" || parts[0] == "spaces") return "";
  return absl::StrCat(parts[0], "/", parts[1]);
}

absl::Status MapRelease(const Document& doc, const YAML::Node& release, const ImportOptions& options,
                        ImportResult* result) {
  v1::Model& model = result->model;
  auto field = [&](const char* key) { return OptionalString(doc, release[key], absl::StrCat("release.", key)); };

  MODELREG_ASSIGN_OR_RETURN(std::string name, field("name"));
  if (absl::StripAsciiWhitespace(name).empty()) {
    return FieldError(doc, release["name"].IsDefined() ? release["name"] : release, "release.name",
                      "missing or empty: the release must be named");
  }
  model.set_display_name(std::string(absl::StripAsciiWhitespace(name)));

  MODELREG_ASSIGN_OR_RETURN(std::string version, field("version"));
  model.set_version(version);

  MODELREG_ASSIGN_OR_RETURN(std::string date, field("date"));
  if (!date.empty()) {
    result->warnings.push_back(absl::StrCat("release.date (", date,
                                            ") is not imported as release_date: Model Openness Tool files record the "
                                            "date of the evaluation there, not the model's release"));
  }

  MODELREG_ASSIGN_OR_RETURN(std::string type, field("type"));
  if (!type.empty()) {
    model.set_modality(ModalityOfType(absl::AsciiStrToLower(type)));
    if (model.modality() == v1::Model::MODALITY_UNSPECIFIED) {
      result->warnings.push_back(absl::StrCat("release.type '", type, "' maps to no modality"));
    }
  }

  MODELREG_ASSIGN_OR_RETURN(std::string architecture, field("architecture"));
  if (!architecture.empty() && architecture != "undisclosed") model.set_architecture(architecture);

  MODELREG_ASSIGN_OR_RETURN(std::string treatment, field("treatment"));
  const std::string t = absl::AsciiStrToLower(treatment);
  if (t == "pre-trained") {
    model.set_treatment(v1::Model::TREATMENT_PRE_TRAINED);
  } else if (t == "instruct fine-tuned") {
    model.set_treatment(v1::Model::TREATMENT_INSTRUCT);
  } else if (t == "chat fine-tuned") {
    model.set_treatment(v1::Model::TREATMENT_CHAT);
  } else if (!t.empty()) {
    return FieldError(
        doc, release["treatment"], "release.treatment",
        absl::StrCat("'", treatment, "' is not one of pre-trained, instruct fine-tuned, chat fine-tuned"));
  }

  MODELREG_ASSIGN_OR_RETURN(std::string origin, field("origin"));
  if (!origin.empty() && origin != name) {
    result->warnings.push_back(
        absl::StrCat("release.origin '", origin, "' is not set as base_model: the file does not name its publisher"));
  }

  MODELREG_ASSIGN_OR_RETURN(std::string producer, field("producer"));
  MODELREG_ASSIGN_OR_RETURN(std::string huggingface, field("huggingface"));
  const std::string hf_repo = HfRepoOfUrl(huggingface);
  if (!hf_repo.empty()) {
    model.set_huggingface_repo(hf_repo);
    model.mutable_weights()->set_download_uri(huggingface);
    model.add_sources(huggingface);
  } else if (!huggingface.empty()) {
    result->warnings.push_back(
        absl::StrCat("release.huggingface '", huggingface, "' is not a huggingface.co model URL; not recorded"));
  }
  for (const char* key : {"repository", "github"}) {
    MODELREG_ASSIGN_OR_RETURN(std::string repo, field(key));
    if (!repo.empty()) {
      if (model.homepage_uri().empty()) model.set_homepage_uri(repo);
      model.add_sources(repo);
    }
  }

  // The name: --name, else the Hugging Face repository, else producer/release name.
  std::string full_name = options.name;
  if (full_name.empty()) full_name = hf_repo;
  if (full_name.empty() && !Slug(producer).empty()) full_name = absl::StrCat(Slug(producer), "/", Slug(name));
  if (full_name.empty()) {
    return absl::InvalidArgumentError(
        "the file names neither a Hugging Face repository nor a producer: give --name "
        "publishers/PUBLISHER/models/MODEL");
  }
  absl::StatusOr<ModelName> parsed = ParseModelShorthand(full_name);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(parsed.status().message(), options.name.empty() ? " (derived from the file; give --name)" : ""));
  }
  model.set_name(parsed->name());
  return absl::OkStatus();
}

absl::Status MapComponents(const Document& doc, const YAML::Node& release, ImportResult* result) {
  v1::Model& model = result->model;
  const YAML::Node licenses = release["license"];
  MODELREG_RETURN_IF_ERROR(yaml_fields::CheckMapOrAbsent(doc, licenses, "release.license"));

  // Release-wide licenses: distribution, code, data, document.
  auto release_license = [&](const char* key) -> absl::StatusOr<License> {
    const std::string path = absl::StrCat("release.license.", key);
    if (!licenses.IsDefined() || !licenses.IsMap()) return License{"", YAML::Node(), path};
    const YAML::Node node = licenses[key];
    MODELREG_RETURN_IF_ERROR(yaml_fields::CheckMapOrAbsent(doc, node, path));
    MODELREG_ASSIGN_OR_RETURN(std::string value, LicenseValue(doc, node, path));
    return ToLicense(doc, node, path + ".name", value);
  };
  MODELREG_ASSIGN_OR_RETURN(License distribution, release_license("distribution"));
  MODELREG_ASSIGN_OR_RETURN(License code, release_license("code"));
  MODELREG_ASSIGN_OR_RETURN(License data, release_license("data"));
  MODELREG_ASSIGN_OR_RETURN(License document, release_license("document"));

  const YAML::Node components = release["components"];
  if (!components.IsDefined() || components.IsNull()) {
    result->warnings.push_back("the release lists no components");
    return absl::OkStatus();
  }
  if (!components.IsSequence()) return FieldError(doc, components, "release.components", "expected a list");

  std::set<v1::ComponentKind> seen;
  for (size_t i = 0; i < components.size(); ++i) {
    const YAML::Node item = components[i];
    const std::string path = absl::StrCat("release.components[", i, "]");
    if (!item.IsMap()) return FieldError(doc, item, path, "expected a map with name, description, license");
    MODELREG_ASSIGN_OR_RETURN(std::string name, OptionalString(doc, item["name"], path + ".name"));
    const ComponentInfo* info = FindComponent(name);
    if (info == nullptr) {
      return FieldError(doc, item["name"].IsDefined() ? item["name"] : item, path + ".name",
                        name.empty() ? "missing component name"
                                     : absl::StrCat("'", name, "' is not a Model Openness Framework component"));
    }
    if (!seen.insert(info->kind).second) {
      return FieldError(doc, item["name"], path + ".name", absl::StrCat("component '", name, "' is listed twice"));
    }

    // Own license: `license` (current files) or `license_name` (older files).
    const char* license_key = item["license"].IsDefined() ? "license" : "license_name";
    const YAML::Node own_node = item[license_key];
    MODELREG_ASSIGN_OR_RETURN(std::string own_value, LicenseValue(doc, own_node, path + "." + license_key));

    v1::Component* component = model.add_components();
    component->set_kind(info->kind);
    component->set_status(v1::Component::STATUS_RELEASED);
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(own_value), "Component not included")) {
      component->set_status(v1::Component::STATUS_NOT_RELEASED);
      continue;
    }
    MODELREG_ASSIGN_OR_RETURN(License own, ToLicense(doc, own_node, path + "." + license_key, own_value));
    const License* typed = info->type == ContentType::kCode   ? &code
                           : info->type == ContentType::kData ? &data
                                                              : &document;
    const License& resolved = !own.name.empty() ? own : !typed->name.empty() ? *typed : distribution;
    component->set_license(resolved.name);
    if (resolved.name.empty()) {
      result->warnings.push_back(absl::StrCat("component '", info->name, "' has no license (unlicensed)"));
    }

    for (const char* key : {"component_path", "location"}) {
      MODELREG_ASSIGN_OR_RETURN(std::string uri, OptionalString(doc, item[key], absl::StrCat(path, ".", key)));
      if (!uri.empty() && component->uri().empty()) component->set_uri(uri);
    }
    if (info->kind == v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL) model.mutable_weights()->set_license(resolved.name);
  }

  if (seen.count(v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL) == 0) {
    result->warnings.push_back("'Model parameters (Final)' is not listed: the weights license is left empty");
  }
  result->warnings.push_back(
      "a MOF file does not say how the weights are obtained (open download, gated, API only): weights.access is left "
      "unknown; set it with `modelreg models update`");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImportResult> ImportMof(absl::string_view text, const ImportOptions& options) {
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
  if (framework_name != "Model Openness Framework") {
    return FieldError(doc, framework["name"].IsDefined() ? framework["name"] : framework, "framework.name",
                      absl::StrCat("expected 'Model Openness Framework', found '", framework_name, "'"));
  }
  MODELREG_ASSIGN_OR_RETURN(std::string framework_version,
                            OptionalString(doc, framework["version"], "framework.version"));

  const YAML::Node release = root["release"];
  if (!release.IsDefined() || !release.IsMap()) {
    return FieldError(doc, release.IsDefined() ? release : root, "release", "missing or not a map");
  }

  ImportResult result;
  if (framework_version != "1.0") {
    result.warnings.push_back(absl::StrCat("framework.version is '", framework_version,
                                           "'; the components are read as MOF 1.0 defines them"));
  }
  MODELREG_RETURN_IF_ERROR(MapRelease(doc, release, options, &result));
  MODELREG_RETURN_IF_ERROR(MapComponents(doc, release, &result));
  return result;
}

}  // namespace modelreg::cli

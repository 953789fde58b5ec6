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

  absl::StatusOr<std::string> name = field("name");
  if (!name.ok()) return name.status();
  if (absl::StripAsciiWhitespace(*name).empty()) {
    return FieldError(doc, release["name"].IsDefined() ? release["name"] : release, "release.name",
                      "missing or empty: the release must be named");
  }
  model.set_display_name(std::string(absl::StripAsciiWhitespace(*name)));

  absl::StatusOr<std::string> version = field("version");
  if (!version.ok()) return version.status();
  model.set_version(*version);

  absl::StatusOr<std::string> date = field("date");
  if (!date.ok()) return date.status();
  if (!date->empty()) {
    result->warnings.push_back(absl::StrCat("release.date (", *date,
                                            ") is not imported as release_date: Model Openness Tool files record the "
                                            "date of the evaluation there, not the model's release"));
  }

  absl::StatusOr<std::string> type = field("type");
  if (!type.ok()) return type.status();
  if (!type->empty()) {
    model.set_modality(ModalityOfType(absl::AsciiStrToLower(*type)));
    if (model.modality() == v1::Model::MODALITY_UNSPECIFIED) {
      result->warnings.push_back(absl::StrCat("release.type '", *type, "' maps to no modality"));
    }
  }

  absl::StatusOr<std::string> architecture = field("architecture");
  if (!architecture.ok()) return architecture.status();
  if (!architecture->empty() && *architecture != "undisclosed") model.set_architecture(*architecture);

  absl::StatusOr<std::string> treatment = field("treatment");
  if (!treatment.ok()) return treatment.status();
  const std::string t = absl::AsciiStrToLower(*treatment);
  if (t == "pre-trained") {
    model.set_treatment(v1::Model::TREATMENT_PRE_TRAINED);
  } else if (t == "instruct fine-tuned") {
    model.set_treatment(v1::Model::TREATMENT_INSTRUCT);
  } else if (t == "chat fine-tuned") {
    model.set_treatment(v1::Model::TREATMENT_CHAT);
  } else if (!t.empty()) {
    return FieldError(
        doc, release["treatment"], "release.treatment",
        absl::StrCat("'", *treatment, "' is not one of pre-trained, instruct fine-tuned, chat fine-tuned"));
  }

  absl::StatusOr<std::string> origin = field("origin");
  if (!origin.ok()) return origin.status();
  if (!origin->empty() && *origin != *name) {
    result->warnings.push_back(
        absl::StrCat("release.origin '", *origin, "' is not set as base_model: the file does not name its publisher"));
  }

  absl::StatusOr<std::string> producer = field("producer");
  if (!producer.ok()) return producer.status();
  absl::StatusOr<std::string> huggingface = field("huggingface");
  if (!huggingface.ok()) return huggingface.status();
  const std::string hf_repo = HfRepoOfUrl(*huggingface);
  if (!hf_repo.empty()) {
    model.set_huggingface_repo(hf_repo);
    model.mutable_weights()->set_download_uri(*huggingface);
    model.add_sources(*huggingface);
  } else if (!huggingface->empty()) {
    result->warnings.push_back(
        absl::StrCat("release.huggingface '", *huggingface, "' is not a huggingface.co model URL; not recorded"));
  }
  for (const char* key : {"repository", "github"}) {
    absl::StatusOr<std::string> repo = field(key);
    if (!repo.ok()) return repo.status();
    if (!repo->empty()) {
      if (model.homepage_uri().empty()) model.set_homepage_uri(*repo);
      model.add_sources(*repo);
    }
  }

  // The name: --name, else the Hugging Face repository, else producer/release name.
  std::string full_name = options.name;
  if (full_name.empty()) full_name = hf_repo;
  if (full_name.empty() && !Slug(*producer).empty()) full_name = absl::StrCat(Slug(*producer), "/", Slug(*name));
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
  if (absl::Status s = yaml_fields::CheckMapOrAbsent(doc, licenses, "release.license"); !s.ok()) return s;

  // Release-wide licenses: distribution, code, data, document.
  auto release_license = [&](const char* key) -> absl::StatusOr<License> {
    const std::string path = absl::StrCat("release.license.", key);
    if (!licenses.IsDefined() || !licenses.IsMap()) return License{"", YAML::Node(), path};
    const YAML::Node node = licenses[key];
    if (absl::Status s = yaml_fields::CheckMapOrAbsent(doc, node, path); !s.ok()) return s;
    absl::StatusOr<std::string> value = LicenseValue(doc, node, path);
    if (!value.ok()) return value.status();
    return ToLicense(doc, node, path + ".name", *value);
  };
  absl::StatusOr<License> distribution = release_license("distribution");
  if (!distribution.ok()) return distribution.status();
  absl::StatusOr<License> code = release_license("code");
  if (!code.ok()) return code.status();
  absl::StatusOr<License> data = release_license("data");
  if (!data.ok()) return data.status();
  absl::StatusOr<License> document = release_license("document");
  if (!document.ok()) return document.status();

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
    absl::StatusOr<std::string> name = OptionalString(doc, item["name"], path + ".name");
    if (!name.ok()) return name.status();
    const ComponentInfo* info = FindComponent(*name);
    if (info == nullptr) {
      return FieldError(doc, item["name"].IsDefined() ? item["name"] : item, path + ".name",
                        name->empty() ? "missing component name"
                                      : absl::StrCat("'", *name, "' is not a Model Openness Framework component"));
    }
    if (!seen.insert(info->kind).second) {
      return FieldError(doc, item["name"], path + ".name", absl::StrCat("component '", *name, "' is listed twice"));
    }

    // Own license: `license` (current files) or `license_name` (older files).
    const char* license_key = item["license"].IsDefined() ? "license" : "license_name";
    const YAML::Node own_node = item[license_key];
    absl::StatusOr<std::string> own_value = LicenseValue(doc, own_node, path + "." + license_key);
    if (!own_value.ok()) return own_value.status();

    v1::Component* component = model.add_components();
    component->set_kind(info->kind);
    component->set_status(v1::Component::STATUS_RELEASED);
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(*own_value), "Component not included")) {
      component->set_status(v1::Component::STATUS_NOT_RELEASED);
      continue;
    }
    absl::StatusOr<License> own = ToLicense(doc, own_node, path + "." + license_key, *own_value);
    if (!own.ok()) return own.status();
    const License* typed = info->type == ContentType::kCode   ? &*code
                           : info->type == ContentType::kData ? &*data
                                                              : &*document;
    const License& resolved = !own->name.empty() ? *own : !typed->name.empty() ? *typed : *distribution;
    component->set_license(resolved.name);
    if (resolved.name.empty()) {
      result->warnings.push_back(absl::StrCat("component '", info->name, "' has no license (unlicensed)"));
    }

    for (const char* key : {"component_path", "location"}) {
      absl::StatusOr<std::string> uri = OptionalString(doc, item[key], absl::StrCat(path, ".", key));
      if (!uri.ok()) return uri.status();
      if (!uri->empty() && component->uri().empty()) component->set_uri(*uri);
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
  absl::StatusOr<Document> doc = yaml_fields::Parse(text, 0, "the MOF file");
  if (!doc.ok()) return doc.status();
  const YAML::Node root = doc->root;
  if (!root.IsMap()) {
    return FieldError(*doc, root, "(document)", "expected a map with 'framework' and 'release'");
  }
  const YAML::Node framework = root["framework"];
  if (!framework.IsDefined() || !framework.IsMap()) {
    return FieldError(*doc, framework.IsDefined() ? framework : root, "framework",
                      "missing or not a map: not a Model Openness Framework model file");
  }
  absl::StatusOr<std::string> framework_name = OptionalString(*doc, framework["name"], "framework.name");
  if (!framework_name.ok()) return framework_name.status();
  if (*framework_name != "Model Openness Framework") {
    return FieldError(*doc, framework["name"].IsDefined() ? framework["name"] : framework, "framework.name",
                      absl::StrCat("expected 'Model Openness Framework', found '", *framework_name, "'"));
  }
  absl::StatusOr<std::string> framework_version = OptionalString(*doc, framework["version"], "framework.version");
  if (!framework_version.ok()) return framework_version.status();

  const YAML::Node release = root["release"];
  if (!release.IsDefined() || !release.IsMap()) {
    return FieldError(*doc, release.IsDefined() ? release : root, "release", "missing or not a map");
  }

  ImportResult result;
  if (*framework_version != "1.0") {
    result.warnings.push_back(absl::StrCat("framework.version is '", *framework_version,
                                           "'; the components are read as MOF 1.0 defines them"));
  }
  if (absl::Status s = MapRelease(*doc, release, options, &result); !s.ok()) return s;
  if (absl::Status s = MapComponents(*doc, release, &result); !s.ok()) return s;
  return result;
}

}  // namespace modelreg::cli

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
#include "client/cli/importers/hf_fields.h"
#include "client/cli/importers/yaml_fields.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

using yaml_fields::Document;
using yaml_fields::FieldError;
using yaml_fields::FieldNote;
using yaml_fields::LenientString;

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

std::string Text(const Document& doc, const YAML::Node& node, absl::string_view path, ImportResult* result) {
  return std::string(absl::StripAsciiWhitespace(LenientString(doc, node, path, &result->warnings)));
}

void MapLicense(const Document& doc, const YAML::Node& root, const std::string& hf_repo, const ImportOptions& options,
                ImportLicenses* licenses, ImportResult* result) {
  const auto listed = StringList(doc, root["license"], "license", result);
  if (listed.size() > 1) {
    result->warnings.push_back(
        absl::StrCat("the card lists ", listed.size(), " licenses; using the first, '", listed.front().first, "'"));
  }
  const std::string license = listed.empty() ? "" : std::string(absl::StripAsciiWhitespace(listed.front().first));
  MapHfLicense(license, Text(doc, root["license_name"], "license_name", result),
               Text(doc, root["license_link"], "license_link", result), hf_repo, options, licenses, result);
}

void MapBaseModel(const Document& doc, const YAML::Node& root, ImportResult* result) {
  const std::string relation = Text(doc, root["base_model_relation"], "base_model_relation", result);
  if (!relation.empty()) {
    result->model.set_base_model_relation(BaseModelRelationOf(relation));
    if (result->model.base_model_relation() == v1::Model::BASE_MODEL_RELATION_UNSPECIFIED) {
      result->warnings.push_back(FieldNote(
          doc, root["base_model_relation"], "base_model_relation",
          absl::StrCat("'", relation.substr(0, 60), "' is not one of adapter, merge, quantized, finetune; ignored")));
    }
  }

  const auto listed = StringList(doc, root["base_model"], "base_model", result);
  std::vector<std::string> names;
  for (size_t i = 0; i < listed.size(); ++i) {
    const auto& [id, node] = listed[i];
    const std::string path = listed.size() > 1 ? absl::StrCat("base_model[", i, "]") : "base_model";
    std::string name = BaseModelNameOf(id);
    if (name.empty()) {
      result->warnings.push_back(
          FieldNote(doc, node, path,
                    absl::StrCat("'", id.substr(0, 120), "' is not a Hugging Face model id (owner/repo); ignored")));
      continue;
    }
    if (name == result->model.name()) {
      result->warnings.push_back(
          FieldNote(doc, node, path, absl::StrCat("'", id.substr(0, 120), "' is the model itself; ignored")));
      continue;
    }
    names.push_back(std::move(name));
  }
  SetBaseModels(names, !relation.empty(), result);
}

void MapDatasets(const Document& doc, const YAML::Node& root, ImportResult* result) {
  for (const auto& [id, node] : StringList(doc, root["datasets"], "datasets", result)) {
    if (!AddHubDataset(id, result)) {
      result->warnings.push_back(FieldNote(doc, node, "datasets",
                                           absl::StrCat("'", std::string(absl::StripAsciiWhitespace(id)).substr(0, 120),
                                                        "' is not a dataset id; ignored")));
    }
  }
}

bool HasGateFields(const YAML::Node& root) {
  for (const auto& entry : root) {
    if (entry.first.IsScalar() && absl::StartsWith(entry.first.Scalar(), "extra_gated_")) return true;
  }
  return false;
}

void MapGated(const Document& doc, const YAML::Node& root, v1::Weights::Access unstated, ImportResult* result) {
  const YAML::Node gated = root["gated"];
  const std::string value = Text(doc, gated, "gated", result);
  // A list or map (reported by Text) says something about a gate, but not what: the access stays unknown.
  if (gated.IsDefined() && !gated.IsNull() && !gated.IsScalar()) return;
  v1::Weights* weights = result->model.mutable_weights();
  const std::string v = absl::AsciiStrToLower(value);
  const bool gate_fields = HasGateFields(root);
  if (v == "auto") {
    weights->set_access(v1::Weights::ACCESS_GATED_CLICK_THROUGH);
  } else if (v == "manual") {
    weights->set_access(v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  } else if (v == "true") {
    // As in a Hub listing: gated, but not whether requests are approved automatically or by hand.
    weights->set_access(v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN);
  } else if (v.empty() && gate_fields) {
    weights->set_access(v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN);
    result->warnings.push_back(
        "the card has extra_gated_* fields but no 'gated' value: the repository is gated (downloadable after a "
        "request), but not whether approval is automatic or manual; weights.access is GATED_APPROVAL_UNKNOWN");
  } else if (v == "false") {
    weights->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    if (gate_fields) {
      result->warnings.push_back(
          "gated: false, but the card has extra_gated_* fields; weights.access is OPEN_DOWNLOAD");
    }
  } else if (v.empty()) {
    weights->set_access(unstated);  // the card states no gate: what the import was told (--default-access)
  } else {
    result->warnings.push_back(FieldNote(doc, gated, "gated",
                                         absl::StrCat("'", value.substr(0, 40),
                                                      "' is not one of auto, manual, true, false; weights.access is "
                                                      "left unknown")));
  }
}

void MapTags(const Document& doc, const YAML::Node& root, ImportResult* result) {
  MapPipelineTag(Text(doc, root["pipeline_tag"], "pipeline_tag", result), result);
  MapLibraryName(Text(doc, root["library_name"], "library_name", result), result);
  for (const auto& tag : StringList(doc, root["tags"], "tags", result)) {
    if (!AddTagLabel(tag.first, result)) break;
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
    model.mutable_weights()->set_download_uri(absl::StrCat(kHuggingFaceHub, hf_repo));
    model.add_sources(absl::StrCat(kHuggingFaceHub, hf_repo));
  }
  const std::string heading = FirstHeading(fm.body);
  if (heading.size() <= 256) model.set_display_name(heading);

  const YAML::Node empty_map(YAML::NodeType::Map);
  const YAML::Node& fields = root.IsMap() ? root : empty_map;
  MapLicense(doc, fields, hf_repo, options, licenses, &result);
  MapBaseModel(doc, fields, &result);
  MapDatasets(doc, fields, &result);
  MapGated(doc, fields, options.unstated_access, &result);
  MapTags(doc, fields, &result);
  return result;
}

}  // namespace modelreg::cli

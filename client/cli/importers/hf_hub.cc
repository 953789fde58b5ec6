#include "client/cli/importers/hf_hub.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "client/cli/importers/hf_fields.h"
#include "client/cli/importers/json_value.h"
#include "google/protobuf/struct.pb.h"
#include "server/domain/licenses/license_names.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

const Value* Field(const Struct& object, const char* key) {
  auto it = object.fields().find(key);
  return it == object.fields().end() ? nullptr : &it->second;
}

const Struct* Object(const Struct& object, const char* key) {
  const Value* value = Field(object, key);
  return value != nullptr && value->has_struct_value() ? &value->struct_value() : nullptr;
}

// A string field, trimmed; "" when absent or null; a warning when it is another type.
std::string Text(const Struct& object, const char* key, absl::string_view path, ImportResult* result) {
  const Value* value = Field(object, key);
  if (value == nullptr || value->has_null_value()) return "";
  if (value->kind_case() != Value::kStringValue) {
    result->warnings.push_back(absl::StrCat(path, ": expected a string; ignored"));
    return "";
  }
  return std::string(absl::StripAsciiWhitespace(value->string_value()));
}

// A string or a list of strings, as a list; other items are dropped with a warning.
std::vector<std::string> TextList(const Struct& object, const char* key, absl::string_view path, ImportResult* result) {
  std::vector<std::string> out;
  const Value* value = Field(object, key);
  if (value == nullptr || value->has_null_value()) return out;
  if (value->kind_case() == Value::kStringValue) {
    out.push_back(value->string_value());
    return out;
  }
  if (!value->has_list_value()) {
    result->warnings.push_back(absl::StrCat(path, ": expected a string or a list of strings; ignored"));
    return out;
  }
  for (int i = 0; i < value->list_value().values_size(); ++i) {
    const Value& item = value->list_value().values(i);
    if (item.kind_case() != Value::kStringValue) {
      result->warnings.push_back(absl::StrCat(path, "[", i, "]: expected a string; ignored"));
      continue;
    }
    out.push_back(item.string_value());
  }
  return out;
}

void MapAccess(const Struct& info, ImportResult* result) {
  v1::Weights* weights = result->model.mutable_weights();
  const Value* gated = Field(info, "gated");
  const Value* is_private = Field(info, "private");
  if (is_private != nullptr && is_private->kind_case() == Value::kBoolValue && is_private->bool_value()) {
    result->warnings.push_back(
        "private: true: who may download the weights is unknown; weights.access is left unknown");
    return;
  }
  if (gated == nullptr || gated->has_null_value()) {
    result->warnings.push_back("no 'gated' field; weights.access is left unknown");
    return;
  }
  if (gated->kind_case() == Value::kBoolValue) {
    if (gated->bool_value()) {
      weights->set_access(v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN);
      result->warnings.push_back(
          "gated: true does not say whether approval is automatic or manual; weights.access is GATED_APPROVAL_UNKNOWN");
    } else {
      weights->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    }
    return;
  }
  const std::string value =
      gated->kind_case() == Value::kStringValue ? absl::AsciiStrToLower(gated->string_value()) : "";
  if (value == "auto") {
    weights->set_access(v1::Weights::ACCESS_GATED_CLICK_THROUGH);
  } else if (value == "manual") {
    weights->set_access(v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  } else {
    result->warnings.push_back(absl::StrCat("gated: '", value.substr(0, 40),
                                            "' is not one of false, auto, manual; weights.access is left unknown"));
  }
}

// The tags, split into the `license:…` values, the base models of `base_model:…` (id -> relation, "" when the tag
// gives none, in tag order), and the rest.
struct Tags {
  std::vector<std::string> licenses;
  std::vector<std::pair<std::string, std::string>> base_models;
  std::vector<std::string> other;
};

Tags SplitTags(const std::vector<std::string>& tags) {
  Tags out;
  for (const std::string& tag : tags) {
    absl::string_view rest = tag;
    if (absl::ConsumePrefix(&rest, "license:")) {
      out.licenses.emplace_back(rest);
    } else if (absl::ConsumePrefix(&rest, "base_model:")) {
      // `base_model:{id}` or `base_model:{relation}:{id}`; an id has no `:`.
      std::string relation;
      const size_t colon = rest.find(':');
      if (colon != absl::string_view::npos) {
        relation = std::string(rest.substr(0, colon));
        rest.remove_prefix(colon + 1);
      }
      out.base_models.emplace_back(std::string(rest), relation);
    } else if (!absl::StartsWith(tag, "dataset:")) {  // datasets come from cardData.datasets
      out.other.push_back(tag);
    }
  }
  return out;
}

void MapLicense(const Struct& card, const Tags& tags, const std::string& hf_repo, const ImportOptions& options,
                ImportLicenses* licenses, ImportResult* result) {
  std::vector<std::string> listed = TextList(card, "license", "cardData.license", result);
  if (listed.empty()) listed = tags.licenses;
  if (listed.size() > 1) {
    result->warnings.push_back(
        absl::StrCat("the model lists ", listed.size(), " licenses; using the first, '", listed.front(), "'"));
  }
  const std::string license = listed.empty() ? "" : std::string(absl::StripAsciiWhitespace(listed.front()));
  MapHfLicense(license, Text(card, "license_name", "cardData.license_name", result),
               Text(card, "license_link", "cardData.license_link", result), hf_repo, options, licenses, result);
}

void MapBaseModel(const Struct& card, const Tags& tags, ImportResult* result) {
  std::vector<std::string> ids = TextList(card, "base_model", "cardData.base_model", result);
  if (ids.empty()) {
    for (const auto& [id, relation] : tags.base_models) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  std::vector<std::string> names;
  for (const std::string& id : ids) {
    std::string name = BaseModelNameOf(id);
    if (name.empty()) {
      result->warnings.push_back(
          absl::StrCat("base model '", id.substr(0, 120), "' is not a Hugging Face model id (owner/repo); ignored"));
      continue;
    }
    if (name == result->model.name()) {
      result->warnings.push_back(absl::StrCat("base model '", id.substr(0, 120), "' is the model itself; ignored"));
      continue;
    }
    names.push_back(std::move(name));
  }
  std::string relation = Text(card, "base_model_relation", "cardData.base_model_relation", result);
  if (relation.empty() && !names.empty()) {
    for (const auto& [id, tag_relation] : tags.base_models) {
      if (!tag_relation.empty() && BaseModelNameOf(id) == names.front()) {
        relation = tag_relation;
        break;
      }
    }
  }
  if (!relation.empty() && !names.empty()) {
    result->model.set_base_model_relation(BaseModelRelationOf(relation));
    if (result->model.base_model_relation() == v1::Model::BASE_MODEL_RELATION_UNSPECIFIED) {
      result->warnings.push_back(absl::StrCat("base model relation '", relation.substr(0, 60),
                                              "' is not one of adapter, merge, quantized, finetune; ignored"));
    }
  }
  SetBaseModels(names, !relation.empty(), result);
}

// `createdAt` ("2024-07-18T08:56:00.000Z"): its date.
void MapCreatedAt(const Struct& info, ImportResult* result) {
  const std::string created = Text(info, "createdAt", "createdAt", result);
  if (created.empty()) return;
  absl::CivilDay day;
  if (created.size() < 10 || !absl::ParseCivilTime(created.substr(0, 10), &day) ||
      (created.size() > 10 && created[10] != 'T')) {
    result->warnings.push_back(
        absl::StrCat("createdAt '", created.substr(0, 40), "' is not an RFC 3339 time; release_date is left unknown"));
    return;
  }
  result->model.set_release_date(absl::FormatCivilTime(day));
  (*result->model.mutable_labels())[std::string(kUnverifiedLabel)] =
      "release_date: the Hugging Face repository's creation date (createdAt), not a documented release date";
}

// True for a safetensors dtype whose elements may not be one parameter each: quantizers pack several 2-8 bit values
// into 8-32 bit integers (GPTQ and AWQ into I32, bitsandbytes' 4 bit into U8). 64-bit integers and booleans hold
// buffers such as position ids and masks, counted by the Hub's total as they are.
bool PackedDtype(absl::string_view dtype) {
  return (absl::StartsWith(dtype, "I") || absl::StartsWith(dtype, "U")) && dtype != "I64" && dtype != "U64";
}

void MapParameterCount(const Struct& info, ImportResult* result) {
  const Struct* safetensors = Object(info, "safetensors");
  if (safetensors == nullptr) return;
  const Value* total = Field(*safetensors, "total");
  if (total == nullptr || total->kind_case() != Value::kNumberValue) return;
  const double count = total->number_value();
  if (!(count >= 1 && count < 1e15 && std::floor(count) == count)) {
    result->warnings.push_back("safetensors.total is not a positive whole number; parameter_count is left unknown");
    return;
  }
  const Struct* by_dtype = Object(*safetensors, "parameters");
  if (by_dtype != nullptr) {
    for (const auto& [dtype, n] : by_dtype->fields()) {
      if (PackedDtype(dtype)) {
        result->warnings.push_back(absl::StrCat("safetensors holds ", dtype.substr(0, 16),
                                                " tensors (packed quantized weights): their element count is not "
                                                "the parameter count; parameter_count is left unknown"));
        return;
      }
    }
  } else if (result->model.base_model_relation() == v1::Model::BASE_MODEL_RELATION_QUANTIZED) {
    result->warnings.push_back(
        "a quantized model without safetensors.parameters: safetensors.total may count packed values; "
        "parameter_count is left unknown");
    return;
  }
  result->model.set_parameter_count(static_cast<int64_t>(count));
}

}  // namespace

absl::StatusOr<ImportResult> ImportHfHubModel(absl::string_view json, const ImportOptions& options,
                                              ImportLicenses* licenses) {
  absl::StatusOr<Value> parsed = ParseJsonValue(json);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->has_struct_value()) return absl::InvalidArgumentError("a model info is a JSON object, {...}");
  const Struct& info = parsed->struct_value();

  ImportResult result;
  std::string id = Text(info, "id", "id", &result);
  if (id.empty()) id = Text(info, "modelId", "modelId", &result);
  if (id.empty()) return absl::InvalidArgumentError("the model info has no 'id' (owner/repo)");
  absl::StatusOr<ModelName> name = ParseModelShorthand(id);
  if (!name.ok() || absl::StartsWith(absl::AsciiStrToLower(id), "publishers/")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "id '", id.substr(0, 120),
        "' is not a model id the registry can hold: ", name.ok() ? "not owner/repo" : name.status().message()));
  }
  v1::Model& model = result.model;
  model.set_name(name->name());
  model.set_huggingface_repo(id);
  model.mutable_weights()->set_download_uri(absl::StrCat(kHuggingFaceHub, id));
  model.add_sources(absl::StrCat(kHuggingFaceHub, id));

  static const Struct kEmpty;
  const Struct* card_data = Object(info, "cardData");
  const Struct& card = card_data != nullptr ? *card_data : kEmpty;
  const Tags tags = SplitTags(TextList(info, "tags", "tags", &result));

  MapAccess(info, &result);
  MapLicense(card, tags, id, options, licenses, &result);
  MapBaseModel(card, tags, &result);
  for (const std::string& dataset : TextList(card, "datasets", "cardData.datasets", &result)) {
    if (!AddHubDataset(dataset, &result)) {
      result.warnings.push_back(absl::StrCat("dataset '", dataset.substr(0, 120), "' is not a dataset id; ignored"));
    }
  }
  std::string pipeline_tag = Text(info, "pipeline_tag", "pipeline_tag", &result);
  if (pipeline_tag.empty()) pipeline_tag = Text(card, "pipeline_tag", "cardData.pipeline_tag", &result);
  MapPipelineTag(pipeline_tag, &result);
  std::string library = Text(info, "library_name", "library_name", &result);
  if (library.empty()) library = Text(card, "library_name", "cardData.library_name", &result);
  MapLibraryName(library, &result);
  MapCreatedAt(info, &result);
  MapParameterCount(info, &result);
  for (const std::string& tag : tags.other) {
    if (!AddTagLabel(tag, &result)) break;
  }
  return result;
}

}  // namespace modelreg::cli

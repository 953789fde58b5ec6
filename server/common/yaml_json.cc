#include "server/common/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdint>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "server/common/json_string.h"
#include "server/common/status_macros.h"

namespace modelreg {
namespace {

// Plain (unquoted) scalars follow the YAML 1.2 core schema; quoted ones are always strings.
void AppendScalar(const YAML::Node& node, std::string* out) {
  const std::string& value = node.Scalar();
  if (node.Tag() == "?") {
    const std::string lower = absl::AsciiStrToLower(value);
    if (lower == "true" || lower == "false") {
      out->append(lower);
      return;
    }
    if (lower == "null" || value == "~" || value.empty()) {
      out->append("null");
      return;
    }
    int64_t as_int = 0;
    double as_double = 0;
    if (absl::SimpleAtoi(value, &as_int)) {
      out->append(absl::StrCat(as_int));
      return;
    }
    if (absl::SimpleAtod(value, &as_double) && std::isfinite(as_double) &&
        value.find_first_of("0123456789") != std::string::npos) {
      out->append(value);
      return;
    }
  }
  out->append(JsonQuote(value));
}

void AppendNode(const YAML::Node& node, std::string* out) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out->append("null");
      return;
    case YAML::NodeType::Scalar:
      AppendScalar(node, out);
      return;
    case YAML::NodeType::Sequence: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : node) {
        if (!first) out->push_back(',');
        first = false;
        AppendNode(item, out);
      }
      out->push_back(']');
      return;
    }
    case YAML::NodeType::Map: {
      out->push_back('{');
      bool first = true;
      for (const auto& item : node) {
        if (!first) out->push_back(',');
        first = false;
        out->append(JsonQuote(item.first.as<std::string>()));
        out->push_back(':');
        AppendNode(item.second, out);
      }
      out->push_back('}');
      return;
    }
  }
}

void EmitJsonValueAsYaml(const YAML::Node& node, YAML::Emitter* out) {
  if (node.IsScalar()) {
    // yaml-cpp tags quoted JSON strings "!": keep them quoted so they read back as strings.
    if (node.Tag() == "!") {
      *out << YAML::DoubleQuoted << node.Scalar();
    } else {
      *out << node.Scalar();
    }
    return;
  }
  if (node.IsSequence()) {
    *out << YAML::BeginSeq;
    for (const auto& item : node) EmitJsonValueAsYaml(item, out);
    *out << YAML::EndSeq;
    return;
  }
  if (node.IsMap()) {
    *out << YAML::BeginMap;
    for (const auto& item : node) {
      *out << YAML::Key << item.first.Scalar() << YAML::Value;
      EmitJsonValueAsYaml(item.second, out);
    }
    *out << YAML::EndMap;
    return;
  }
  *out << YAML::Null;
}

}  // namespace

absl::StatusOr<std::string> YamlToJson(absl::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed YAML at line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
  std::string json;
  AppendNode(root, &json);
  return json;
}

absl::Status ParseYamlOrJson(absl::string_view text, google::protobuf::Message* message) {
  MODELREG_ASSIGN_OR_RETURN(std::string json, YamlToJson(text));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid record: ", std::string(status.message())));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message, bool original_names) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = original_names;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return json;
}

absl::StatusOr<std::string> MessageToYaml(const google::protobuf::Message& message) {
  MODELREG_ASSIGN_OR_RETURN(std::string json, MessageToJson(message, true));
  YAML::Emitter out;
  EmitJsonValueAsYaml(YAML::Load(json), &out);
  return std::string(out.c_str()) + "\n";
}

}  // namespace modelreg

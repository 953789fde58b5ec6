// Reads records written in YAML or JSON into proto messages through the proto3 JSON mapping.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace modelreg {

// Converts a YAML (or JSON, a YAML subset) document to a JSON string. Scalars are typed the YAML 1.2 core way:
// `true`/`false` become booleans, integers and floats numbers, `null`/`~` null, anything quoted stays a string.
// INVALID_ARGUMENT with the line and column on a syntax error.
absl::StatusOr<std::string> YamlToJson(absl::string_view yaml);

// Parses YAML or JSON text into `message` with the proto3 JSON mapping (both lowerCamel and snake_case field names).
// Unknown fields are INVALID_ARGUMENT naming the field.
absl::Status ParseYamlOrJson(absl::string_view text, google::protobuf::Message* message);

// Prints `message` as proto3 JSON (snake_case names preserved when `original_names`), pretty-printed.
absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message, bool original_names = true);

// Prints `message` as YAML (block style, from its proto3 JSON form).
absl::StatusOr<std::string> MessageToYaml(const google::protobuf::Message& message);

}  // namespace modelreg

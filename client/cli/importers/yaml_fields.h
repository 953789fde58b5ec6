// Helpers for the importers: read typed fields from yaml-cpp nodes and report errors with the line and field path.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelreg::cli::yaml_fields {

// A parsed document, and the number of lines before it in the file (for line numbers in messages).
struct Document {
  YAML::Node root;
  int line_offset = 0;
};

// Parses `text`; a syntax error is INVALID_ARGUMENT naming the file line (`line_offset` lines precede the text).
absl::StatusOr<Document> Parse(absl::string_view text, int line_offset, absl::string_view what);

// 1-based line of `node` in the file.
int LineOf(const Document& doc, const YAML::Node& node);

// INVALID_ARGUMENT "line N: field 'path': what".
absl::Status FieldError(const Document& doc, const YAML::Node& node, absl::string_view path, absl::string_view what);

// The scalar at `node` as text; "" when absent or null; INVALID_ARGUMENT for a map or list.
absl::StatusOr<std::string> OptionalString(const Document& doc, const YAML::Node& node, absl::string_view path);

// "line N: field 'path': what", for warnings about a field.
std::string FieldNote(const Document& doc, const YAML::Node& node, absl::string_view path, absl::string_view what);

// The scalar at `node` as text; "" when absent or null. A list or map is not an error: "" and a warning (FieldNote).
std::string LenientString(const Document& doc, const YAML::Node& node, absl::string_view path,
                          std::vector<std::string>* warnings);

// `node` must be absent, null or a map; INVALID_ARGUMENT otherwise.
absl::Status CheckMapOrAbsent(const Document& doc, const YAML::Node& node, absl::string_view path);

}  // namespace modelreg::cli::yaml_fields

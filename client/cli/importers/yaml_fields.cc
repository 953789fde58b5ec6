#include "client/cli/importers/yaml_fields.h"

#include "absl/strings/str_cat.h"

namespace modelreg::cli::yaml_fields {

absl::StatusOr<Document> Parse(absl::string_view text, int line_offset, absl::string_view what) {
  Document doc;
  doc.line_offset = line_offset;
  try {
    doc.root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", e.mark.line + 1 + line_offset, ": malformed YAML in ", what, ": ", e.msg));
  }
  return doc;
}

int LineOf(const Document& doc, const YAML::Node& node) {
  if (!node.IsDefined()) return doc.line_offset + 1;
  return node.Mark().line + 1 + doc.line_offset;
}

absl::Status FieldError(const Document& doc, const YAML::Node& node, absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", LineOf(doc, node), ": field '", path, "': ", what));
}

absl::StatusOr<std::string> OptionalString(const Document& doc, const YAML::Node& node, absl::string_view path) {
  if (!node.IsDefined() || node.IsNull()) return std::string();
  if (!node.IsScalar()) return FieldError(doc, node, path, "expected a single value, found a list or map");
  return node.Scalar();
}

std::string FieldNote(const Document& doc, const YAML::Node& node, absl::string_view path, absl::string_view what) {
  return absl::StrCat("line ", LineOf(doc, node), ": field '", path, "': ", what);
}

std::string LenientString(const Document& doc, const YAML::Node& node, absl::string_view path,
                          std::vector<std::string>* warnings) {
  if (!node.IsDefined() || node.IsNull()) return "";
  if (!node.IsScalar()) {
    warnings->push_back(FieldNote(doc, node, path, "expected a single value, found a list or map; ignored"));
    return "";
  }
  return node.Scalar();
}

absl::Status CheckMapOrAbsent(const Document& doc, const YAML::Node& node, absl::string_view path) {
  if (!node.IsDefined() || node.IsNull() || node.IsMap()) return absl::OkStatus();
  return FieldError(doc, node, path, "expected a map");
}

}  // namespace modelreg::cli::yaml_fields

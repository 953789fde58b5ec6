#include "client/cli/record_io.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "server/common/yaml_json.h"

namespace modelreg::cli {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  if (path == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    const std::string message = absl::StrCat("cannot read ", path, ": ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    if (error == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::InternalError(absl::StrCat("error reading ", path));
  return text;
}

absl::Status ParseRecord(const std::string& path, absl::string_view text, google::protobuf::Message* message) {
  absl::Status status = ParseYamlOrJson(text, message);
  if (!status.ok()) return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> TopLevelFields(absl::string_view text,
                                                        const google::protobuf::Descriptor& descriptor) {
  static const std::set<std::string> kSkipped = {"name",        "etag",     "create_time", "update_time",
                                                 "delete_time", "revision", "openness"};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed YAML at line ", e.mark.line + 1, ": ", e.msg));
  }
  std::vector<std::string> fields;
  if (!root.IsMap()) return fields;
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    const google::protobuf::FieldDescriptor* field = descriptor.FindFieldByName(key);
    if (field == nullptr) field = descriptor.FindFieldByCamelcaseName(key);
    if (field == nullptr) {
      for (int i = 0; i < descriptor.field_count(); ++i) {
        if (descriptor.field(i)->json_name() == key) field = descriptor.field(i);
      }
    }
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("'", key, "' is not a field of ", descriptor.name()));
    }
    if (kSkipped.count(field->name()) == 0) fields.push_back(field->name());
  }
  return fields;
}

absl::StatusOr<std::vector<std::string>> ParseUpdateMask(absl::string_view text) {
  std::vector<std::string> paths;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) paths.emplace_back(part);
  }
  if (paths.empty()) return absl::InvalidArgumentError("--update-mask names no fields");
  return paths;
}

}  // namespace modelreg::cli

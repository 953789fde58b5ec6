#include "client/cli/names.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace modelreg::cli {
absl::StatusOr<ModelName> ParseModelName(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  std::vector<std::string> parts = absl::StrSplit(lower, '/');
  ModelName name;
  if (parts.size() == 4 && parts[0] == "publishers" && parts[2] == "models") {
    name.publisher = parts[1];
    name.model = parts[3];
  } else if (parts.size() == 2) {
    name.publisher = parts[0];
    name.model = parts[1];
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("bad model name '", text, "': expected publishers/PUBLISHER/models/MODEL or PUBLISHER/MODEL"));
  }
  if (!IsValidResourceId(name.publisher)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad publisher id '", name.publisher, "' in '", text, "': use 1-63 of a-z, 0-9, '-', '.', '_'"));
  }
  if (!IsValidResourceId(name.model)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad model id '", name.model, "' in '", text, "': use 1-63 of a-z, 0-9, '-', '.', '_'"));
  }
  return name;
}

absl::StatusOr<std::string> ParsePublisher(absl::string_view text) {
  std::string id = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  absl::string_view view = id;
  absl::ConsumePrefix(&view, "publishers/");
  if (view != "-" && !IsValidResourceId(view)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad publisher '", text, "': expected publishers/PUBLISHER, PUBLISHER or '-'"));
  }
  return absl::StrCat("publishers/", view);
}

absl::StatusOr<std::string> ParseLicenseName(absl::string_view text) {
  std::string id = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  absl::string_view view = id;
  absl::ConsumePrefix(&view, "licenses/");
  if (!IsValidLicenseId(view)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad license name '", text, "': expected licenses/ID or ID, with 1-63 of a-z, 0-9, '-', '.', '_', '+'"));
  }
  return absl::StrCat("licenses/", view);
}

absl::StatusOr<std::string> LicenseIdOf(absl::string_view name) {
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, "licenses/") || !IsValidLicenseId(id)) {
    return absl::InvalidArgumentError(absl::StrCat("bad license name '", name, "': expected licenses/ID"));
  }
  return std::string(id);
}

std::string LicenseNameFromSource(absl::string_view license) {
  std::string id = absl::AsciiStrToLower(absl::StripAsciiWhitespace(license));
  if (id.empty() || id == "unlicensed" || id == "none" || id == "unknown" || id == "license not specified" ||
      id == "component not included") {
    return "";
  }
  for (char& c : id) {
    if (c == ' ') c = '-';
  }
  return absl::StrCat("licenses/", id);
}

}  // namespace modelreg::cli

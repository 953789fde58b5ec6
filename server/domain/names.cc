#include "server/domain/names.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace modelreg {
namespace {

constexpr size_t kMaxIdLength = 63;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsValidId(absl::string_view id, absl::string_view extra_chars) {
  if (id.empty() || id.size() > kMaxIdLength || !IsLowerAlnum(id.front())) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [extra_chars](char c) {
    return IsLowerAlnum(c) || c == '-' || c == '.' || c == '_' || extra_chars.find(c) != absl::string_view::npos;
  });
}

absl::Status BadName(absl::string_view field, absl::string_view name, absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": `", name.substr(0, 200), "` is not a valid name; expected ",
                                                 expected,
                                                 " with ids of 1-63 lowercase letters, digits, '-', '.', '_'"));
}

}  // namespace

bool IsValidResourceId(absl::string_view id) { return IsValidId(id, ""); }
bool IsValidLicenseId(absl::string_view id) { return IsValidId(id, "+"); }

absl::StatusOr<ModelName> ParseModelName(absl::string_view name, absl::string_view field) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "publishers" || parts[2] != "models" || !IsValidResourceId(parts[1]) ||
      !IsValidResourceId(parts[3])) {
    return BadName(field, name, "publishers/{publisher}/models/{model}");
  }
  return ModelName{std::string(parts[1]), std::string(parts[3])};
}

absl::StatusOr<std::string> ParsePublisherName(absl::string_view name, bool allow_wildcard, absl::string_view field) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() == 2 && parts[0] == "publishers" &&
      (IsValidResourceId(parts[1]) || (allow_wildcard && parts[1] == "-"))) {
    return std::string(parts[1]);
  }
  return BadName(field, name, allow_wildcard ? "publishers/{publisher} or publishers/-" : "publishers/{publisher}");
}

absl::StatusOr<std::string> ParseLicenseName(absl::string_view name, absl::string_view field) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 2 || parts[0] != "licenses" || !IsValidLicenseId(parts[1])) {
    return BadName(field, name, "licenses/{license}");
  }
  return std::string(parts[1]);
}

std::string LicenseName(absl::string_view id) { return absl::StrCat("licenses/", id); }

}  // namespace modelreg

#include "server/domain/names.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace modelreg {
namespace {

constexpr size_t kMaxIdLength = 63;
constexpr absl::string_view kPublishersPrefix = "publishers/";
constexpr absl::string_view kLicensesPrefix = "licenses/";
constexpr absl::string_view kOrganizationsPrefix = "organizations/";

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

// `text` without surrounding whitespace, lowercased.
std::string Normalized(absl::string_view text) { return absl::AsciiStrToLower(absl::StripAsciiWhitespace(text)); }

}  // namespace

bool IsValidResourceId(absl::string_view id) { return IsValidId(id, ""); }
bool IsValidLicenseId(absl::string_view id) { return IsValidId(id, "+"); }

std::string ModelName::parent() const { return PublisherName(publisher); }
std::string ModelName::name() const { return absl::StrCat(kPublishersPrefix, publisher, "/models/", model); }

std::string PublisherName(absl::string_view id) { return absl::StrCat(kPublishersPrefix, id); }
std::string LicenseName(absl::string_view id) { return absl::StrCat(kLicensesPrefix, id); }

bool HasLicensePrefix(absl::string_view name) { return absl::StartsWithIgnoreCase(name, kLicensesPrefix); }

bool IsTokenName(absl::string_view name) { return absl::ConsumePrefix(&name, "tokens/") && IsValidResourceId(name); }

std::string OrganizationName(absl::string_view id) { return absl::StrCat(kOrganizationsPrefix, id); }
std::string OrganizationChildName(absl::string_view organization, absl::string_view collection, absl::string_view id) {
  return absl::StrCat(kOrganizationsPrefix, organization, "/", collection, "/", id);
}

absl::StatusOr<ModelName> ParseModelName(absl::string_view name, absl::string_view field) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "publishers" || parts[2] != "models" || !IsValidResourceId(parts[1]) ||
      !IsValidResourceId(parts[3])) {
    return BadName(field, name, "publishers/{publisher}/models/{model}");
  }
  return ModelName{std::string(parts[1]), std::string(parts[3])};
}

absl::StatusOr<std::string> ParsePublisherName(absl::string_view name, bool allow_wildcard, absl::string_view field) {
  absl::string_view id = name;
  if (absl::ConsumePrefix(&id, kPublishersPrefix) && (IsValidResourceId(id) || (allow_wildcard && id == "-"))) {
    return std::string(id);
  }
  return BadName(field, name, allow_wildcard ? "publishers/{publisher} or publishers/-" : "publishers/{publisher}");
}

absl::StatusOr<std::string> ParseLicenseName(absl::string_view name, absl::string_view field) {
  std::string id = LicenseIdOf(name);
  if (id.empty()) return BadName(field, name, "licenses/{license}");
  return id;
}

absl::StatusOr<std::string> ParseOrganizationName(absl::string_view name, bool allow_wildcard,
                                                  absl::string_view field) {
  absl::string_view id = name;
  if (absl::ConsumePrefix(&id, kOrganizationsPrefix) && (IsValidResourceId(id) || (allow_wildcard && id == "-"))) {
    return std::string(id);
  }
  return BadName(field, name,
                 allow_wildcard ? "organizations/{organization} or organizations/-" : "organizations/{organization}");
}

absl::StatusOr<OrganizationChild> ParseOrganizationChildName(absl::string_view name, absl::string_view collection,
                                                             absl::string_view field) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "organizations" || parts[2] != collection || !IsValidResourceId(parts[1]) ||
      !IsValidResourceId(parts[3])) {
    return BadName(field, name, absl::StrCat("organizations/{organization}/", collection, "/{id}"));
  }
  return OrganizationChild{std::string(parts[1]), std::string(parts[3])};
}

std::string LicenseIdOf(absl::string_view reference) {
  absl::string_view id = reference;
  if (!absl::ConsumePrefix(&id, kLicensesPrefix) || !IsValidLicenseId(id)) return std::string();
  return std::string(id);
}

absl::StatusOr<ModelName> ParseModelShorthand(absl::string_view text) {
  const std::vector<std::string> parts = absl::StrSplit(Normalized(text), '/');
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

absl::StatusOr<std::string> ParsePublisherShorthand(absl::string_view text) {
  const std::string normalized = Normalized(text);
  absl::string_view id = normalized;
  absl::ConsumePrefix(&id, kPublishersPrefix);
  if (id != "-" && !IsValidResourceId(id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad publisher '", text, "': expected publishers/PUBLISHER, PUBLISHER or '-'"));
  }
  return std::string(id);
}

absl::StatusOr<std::string> ParseLicenseShorthand(absl::string_view text) {
  const std::string normalized = Normalized(text);
  absl::string_view id = normalized;
  absl::ConsumePrefix(&id, kLicensesPrefix);
  if (!IsValidLicenseId(id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad license name '", text, "': expected licenses/ID or ID, with 1-63 of a-z, 0-9, '-', '.', '_', '+'"));
  }
  return std::string(id);
}

absl::StatusOr<std::string> ParseOrganizationShorthand(absl::string_view text) {
  const std::string normalized = Normalized(text);
  absl::string_view id = normalized;
  absl::ConsumePrefix(&id, kOrganizationsPrefix);
  if (!IsValidResourceId(id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad organization '", text, "': expected organizations/ORG or ORG, with 1-63 of a-z, 0-9, '-', '.', '_'"));
  }
  return std::string(id);
}

absl::StatusOr<OrganizationChild> ParseOrganizationChildShorthand(absl::string_view text,
                                                                  absl::string_view collection) {
  const std::vector<std::string> parts = absl::StrSplit(Normalized(text), '/');
  OrganizationChild name;
  if (parts.size() == 4 && parts[0] == "organizations" && parts[2] == collection) {
    name.organization = parts[1];
    name.id = parts[3];
  } else if (parts.size() == 2) {
    name.organization = parts[0];
    name.id = parts[1];
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("bad name '", text, "': expected organizations/ORG/", collection, "/ID or ORG/ID"));
  }
  if (!IsValidResourceId(name.organization) || !IsValidResourceId(name.id)) {
    return absl::InvalidArgumentError(absl::StrCat("bad name '", text, "': ids are 1-63 of a-z, 0-9, '-', '.', '_'"));
  }
  return name;
}

}  // namespace modelreg

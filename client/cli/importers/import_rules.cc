#include "client/cli/importers/import_rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "server/domain/names.h"
#include "server/domain/slug.h"
#include "server/domain/validation.h"

namespace modelreg::cli {
namespace {

constexpr size_t kMaxUri = 2048;
constexpr size_t kMaxId = 63;

}  // namespace

bool IsHttpUrl(absl::string_view text) {
  if (text.size() > kMaxUri) return false;
  absl::string_view rest = text;
  if (!absl::ConsumePrefix(&rest, "https://") && !absl::ConsumePrefix(&rest, "http://")) return false;
  if (rest.empty()) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

std::string IdSlug(absl::string_view text) { return Slug(text, "._"); }

LicenseText ClassifyLicenseText(absl::string_view text) {
  const std::string key = LicenseNameKey(text);
  if (key.empty() || key == "unlicensed" || key == "none" || key == "no license") return LicenseText::kNone;
  if (key == "unknown" || key == "undisclosed" || key == "not specified" || key == "license not specified" ||
      key == "other" || key == "other license") {
    return LicenseText::kUnknown;
  }
  if (absl::StrContains(key, "not includ")) return LicenseText::kNotIncluded;
  if (absl::StartsWith(key, "http://") || absl::StartsWith(key, "https://")) return LicenseText::kLink;
  return LicenseText::kName;
}

std::string ImportLicenses::Resolve(absl::string_view written, absl::string_view field, const ImportOptions& options,
                                    ImportResult* result) {
  const std::string shown(absl::StripAsciiWhitespace(written).substr(0, 120));
  const LicenseResolution resolution = resolver_.Resolve(written);
  if (!resolution.ambiguous.empty()) {
    result->warnings.push_back(absl::StrCat(field, ": '", shown, "' is an alias of several licenses (",
                                            absl::StrJoin(resolution.ambiguous, ", "),
                                            "); the license is left unknown"));
    return "";
  }
  if (resolution.license != nullptr) {
    if (resolution.license->has_delete_time()) {
      result->warnings.push_back(absl::StrCat(field, ": '", shown, "' names ", resolution.license->name(),
                                              ", which is soft-deleted; the license is left unknown"));
      return "";
    }
    if (created_.count(resolution.license->name()) > 0 &&
        std::none_of(result->new_licenses.begin(), result->new_licenses.end(),
                     [&](const v1::License& l) { return l.name() == resolution.license->name(); })) {
      // Created for an earlier file of this import: this file needs it too.
      result->new_licenses.push_back(*resolution.license);
    }
    return resolution.license->name();
  }
  // Nothing answers to the name: a bare license with a free id.
  v1::License license = UnverifiedLicense(written, options.source);
  const std::string base = LicenseIdOf(license.name());
  std::string id = base;
  auto taken = [this](const std::string& candidate) {
    const LicenseResolution found = resolver_.Resolve(LicenseName(candidate));
    return found.license != nullptr || !found.ambiguous.empty();
  };
  for (int n = 2; taken(id); ++n) {
    const std::string suffix = absl::StrCat("-", n);
    id = absl::StrCat(base.substr(0, kMaxId - suffix.size()), suffix);
  }
  license.set_name(LicenseName(id));
  // A name the server would refuse as a license (a control character, say) must not reach CreateLicenses: that
  // would fail every later batch that needs it, and a resumed import with it.
  if (absl::Status valid = ValidateLicense(license, "license"); !valid.ok()) {
    result->warnings.push_back(absl::StrCat(field, ": '", shown, "' cannot name a new license (", valid.message(),
                                            "); the license is left unknown"));
    return "";
  }
  resolver_.Add(license);
  created_[license.name()] = license;
  result->new_licenses.push_back(license);
  result->warnings.push_back(absl::StrCat(field, ": no license in the registry answers to '", shown, "'; ",
                                          license.name(),
                                          " is created as an unverified license with unknown terms (its openness "
                                          "is unknown until its terms are recorded)"));
  return license.name();
}

}  // namespace modelreg::cli

#include "client/cli/importers/import_rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

constexpr size_t kMaxUri = 2048;
constexpr size_t kMaxId = 63;

std::string TrimIdEnds(const std::string& id) {
  const size_t begin = id.find_first_not_of("-._");
  if (begin == std::string::npos) return "";
  return id.substr(begin, id.find_last_not_of("-._") - begin + 1);
}

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

std::string IdSlug(absl::string_view text) {
  std::string out;
  for (char c : absl::AsciiStrToLower(absl::StripAsciiWhitespace(text))) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (ok) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  out = TrimIdEnds(out);
  if (out.size() > kMaxId) {
    const size_t dash = out.rfind('-', kMaxId);
    out.resize(dash != std::string::npos && dash > 0 ? dash : kMaxId);
    out = TrimIdEnds(out);
  }
  return out;
}

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
  for (int n = 2;
       resolver_.Resolve(LicenseName(id)).license != nullptr || !resolver_.Resolve(LicenseName(id)).ambiguous.empty();
       ++n) {
    const std::string suffix = absl::StrCat("-", n);
    id = absl::StrCat(base.substr(0, kMaxId - suffix.size()), suffix);
  }
  license.set_name(LicenseName(id));
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

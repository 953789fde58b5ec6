#include "server/domain/licenses/license_names.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "server/common/errors.h"
#include "server/domain/names.h"
#include "server/domain/slug.h"

namespace modelreg {
namespace {

constexpr size_t kMaxAliasLength = 256;

// `text` cut to at most `max` bytes without splitting a UTF-8 sequence.
absl::string_view CutUtf8(absl::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

uint32_t Fnv1a32(absl::string_view text) {
  uint32_t hash = 2166136261u;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

}  // namespace

std::string LicenseNameKey(absl::string_view name) {
  name = absl::StripAsciiWhitespace(name);
  if (HasLicensePrefix(name)) {
    name = absl::StripLeadingAsciiWhitespace(name.substr(9));
  }
  std::string key;
  key.reserve(name.size());
  bool space = false;
  for (char c : name) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !key.empty()) key.push_back(' ');
    space = false;
    key.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return key;
}

std::vector<std::string> LicenseKeys(const v1::License& license) {
  std::vector<std::string> keys;
  auto add = [&](absl::string_view name) {
    std::string key = LicenseNameKey(name);
    if (!key.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  };
  add(LicenseIdOf(license.name()));
  add(license.spdx_id());
  for (const std::string& alias : license.aliases()) add(alias);
  return keys;
}

LicenseResolver::LicenseResolver(const std::vector<v1::License>& licenses) {
  for (const v1::License& license : licenses) Add(license);
}

void LicenseResolver::Add(const v1::License& license) {
  if (licenses_.count(license.name()) > 0) {
    for (auto& [key, names] : by_key_)
      names.erase(std::remove(names.begin(), names.end(), license.name()), names.end());
  }
  licenses_[license.name()] = license;
  const std::string id = LicenseIdOf(license.name());
  for (const std::string& key : LicenseKeys(license)) {
    if (key == id) continue;  // found through the exact-id lookup
    by_key_[key].push_back(license.name());
  }
}

LicenseResolution LicenseResolver::Resolve(absl::string_view name) const {
  LicenseResolution resolution;
  const std::string key = LicenseNameKey(name);
  if (key.empty()) return resolution;
  if (auto exact = licenses_.find(LicenseName(key)); exact != licenses_.end()) {
    resolution.license = &exact->second;
    return resolution;
  }
  auto it = by_key_.find(key);
  if (it == by_key_.end() || it->second.empty()) return resolution;
  std::vector<const v1::License*> live;
  std::vector<const v1::License*> all;
  for (const std::string& candidate : it->second) {
    const v1::License& license = licenses_.at(candidate);
    all.push_back(&license);
    if (!license.has_delete_time()) live.push_back(&license);
  }
  const std::vector<const v1::License*>& pick = live.empty() ? all : live;
  if (pick.size() == 1) {
    resolution.license = pick.front();
    return resolution;
  }
  for (const v1::License* license : pick) resolution.ambiguous.push_back(license->name());
  std::sort(resolution.ambiguous.begin(), resolution.ambiguous.end());
  return resolution;
}

absl::Status CheckLicenseKeysFree(const v1::License& license, const std::vector<v1::License>& others,
                                  const std::string& prefix, const std::string& id_field) {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  const std::string own_id = LicenseNameKey(LicenseIdOf(license.name()));
  // The license's own names, with the field each comes from.
  std::vector<std::pair<std::string, std::string>> fields;  // (key, field path)
  if (!id_field.empty()) fields.emplace_back(own_id, id_field);
  if (!LicenseNameKey(license.spdx_id()).empty()) fields.emplace_back(LicenseNameKey(license.spdx_id()), p + "spdx_id");
  for (int i = 0; i < license.aliases_size(); ++i) {
    const std::string key = LicenseNameKey(license.aliases(i));
    if (!key.empty()) fields.emplace_back(key, absl::StrCat(p, "aliases[", i, "]"));
  }
  for (const v1::License& other : others) {
    if (other.name() == license.name()) continue;
    const std::vector<std::string> taken = LicenseKeys(other);
    for (const auto& [key, field] : fields) {
      if (key == own_id && field != id_field) continue;  // an alias repeating the own id: only the id is checked
      if (std::find(taken.begin(), taken.end(), key) != taken.end()) {
        return InvalidFieldError(
            field,
            absl::StrCat("`", key, "` already names license `", other.name(), "`",
                         other.has_delete_time() ? " (soft-deleted)" : "", "; a name or alias names one license only"),
            "LICENSE_ALIAS_TAKEN");
      }
    }
  }
  return absl::OkStatus();
}

std::string LicenseIdFromName(absl::string_view name) {
  std::string id = Slug(LicenseNameKey(name), "._+");
  if (id.empty() || !IsValidLicenseId(id)) {
    id = absl::StrFormat("license-%08x", Fnv1a32(absl::StripAsciiWhitespace(name)));
  }
  return id;
}

v1::License UnverifiedLicense(absl::string_view name, absl::string_view where) {
  const absl::string_view display = CutUtf8(absl::StripAsciiWhitespace(name), kMaxAliasLength);
  v1::License license;
  license.set_name(LicenseName(LicenseIdFromName(name)));
  license.set_display_name(std::string(display));
  license.add_aliases(std::string(display));
  (*license.mutable_labels())[kUnverifiedLabel] = std::string(CutUtf8(
      absl::StrCat("terms unknown: created by an import for a license name no license in the registry answers to",
                   where.empty() ? "" : absl::StrCat(", read in ", where)),
      kMaxAliasLength));
  return license;
}

}  // namespace modelreg

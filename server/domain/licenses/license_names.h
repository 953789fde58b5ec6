// License identity: the names a license goes by and the one resolver that maps any of them to the license.
//
// A license answers to its id (`apache-2.0`), its `spdx_id` (`Apache-2.0`) and its `aliases` (`Apache License 2.0`,
// `Apache 2.0`), compared as LicenseNameKey: ASCII case, surrounding and repeated inner whitespace, and a leading
// `licenses/` do not matter. An exact id wins over an alias; otherwise one key names one license (the license service
// refuses an alias another license already answers to). Pure: the server resolves model records' references, GetLicense
// and the uniqueness check with it; the CLI's importers resolve the names files write with it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "modelreg/v1/license.pb.h"

namespace modelreg {

// Label on a record whose facts are not verified against a primary source; its value says which and why.
inline constexpr char kUnverifiedLabel[] = "modelreg.io/unverified";

// `name` as names are compared: a leading `licenses/` (any case) removed, surrounding whitespace removed, each run of
// inner whitespace one space, ASCII letters lowercased. "" for a blank name.
std::string LicenseNameKey(absl::string_view name);

// The keys `license` answers to: its id (from `name`), its spdx_id, its aliases, as LicenseNameKey, each once, in
// that order; blank ones skipped.
std::vector<std::string> LicenseKeys(const v1::License& license);

// What a name resolves to.
struct LicenseResolution {
  // The license the name names; null when none or ambiguous.
  const v1::License* license = nullptr;
  // Set when several licenses answer to the name as an alias and none is preferred: their names, sorted.
  std::vector<std::string> ambiguous;
};

// Resolves names against a set of licenses. The licenses are copied in.
class LicenseResolver {
 public:
  LicenseResolver() = default;
  explicit LicenseResolver(const std::vector<v1::License>& licenses);

  // Adds a license (its `name` set); a license with the same name replaces the earlier one.
  void Add(const v1::License& license);

  // The license `name` names: the one whose id is LicenseNameKey(name); else the one with that spdx_id or alias,
  // preferring a live license over soft-deleted ones. Several live (or only soft-deleted) candidates: ambiguous.
  LicenseResolution Resolve(absl::string_view name) const;

  size_t size() const { return licenses_.size(); }

 private:
  std::map<std::string, v1::License> licenses_;             // by name
  std::map<std::string, std::vector<std::string>> by_key_;  // key -> names answering to it (alias or spdx id)
};

// INVALID_ARGUMENT `LICENSE_ALIAS_TAKEN` naming the first of `license`'s names (its id as field `id_field` when that
// is not empty, e.g. `license_id` on create; its spdx_id and aliases as field paths under `prefix`, e.g.
// `license.aliases[2]`) that another license among `others` (soft-deleted included) answers to, by its id, spdx_id or
// an alias. OK otherwise. `others` may contain `license` itself (same name), which is skipped. The
// aliases' own format (count, length, blank, repeated) is checked by ValidateLicense (domain/validation.h).
absl::Status CheckLicenseKeysFree(const v1::License& license, const std::vector<v1::License>& others,
                                  const std::string& prefix, const std::string& id_field);

// The id a license named only by `name` gets when an importer creates it: LicenseNameKey, then every run of
// characters other than a-z, 0-9, `.`, `_`, `+` becomes one `-`, with no `-._+` at either end, cut to 63 characters
// (at the last `-` within them when there is one). A name with nothing left (e.g. only non-Latin letters) gets
// `license-` and 8 hex digits of its FNV-1a hash.
std::string LicenseIdFromName(absl::string_view name);

// The bare record an importer creates for a license name no license answers to: name `licenses/{LicenseIdFromName}`,
// display_name and the one alias `name` (trimmed, cut to 256 bytes), the kUnverifiedLabel saying its terms are unknown
// and `where` it was read (e.g. `Llama-2-7B.yml`). Category, commercial use and every term stay unset: the openness
// rules treat a license without a category as one whose terms are unknown (RULES.md section 1).
v1::License UnverifiedLicense(absl::string_view name, absl::string_view where);

}  // namespace modelreg

// Rules both importers apply to what files write (client/README.md, "Importing", lists them): URLs, ids from messy
// names, and license names resolved through the registry's licenses (the one resolver of
// server/domain/licenses/license_names.h), with a bare unverified license for a name nothing answers to.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "client/cli/importers/import_result.h"
#include "server/domain/licenses/license_names.h"

namespace modelreg::cli {

// An http(s) URL the registry accepts: `http://` or `https://` and more, no whitespace or control characters, at
// most 2048 bytes.
bool IsHttpUrl(absl::string_view text);

// A resource id from a messy name: Slug (server/domain/slug.h) keeping `.` and `_`.
std::string IdSlug(absl::string_view text);

// What a license value in a file says.
enum class LicenseText {
  kNone,         // "", "unlicensed", "none", "no license": released without a license
  kUnknown,      // "unknown", "undisclosed", "not specified", "license not specified", "other", "other license"
  kNotIncluded,  // "Component not included" and its misspellings (any value containing "not includ")
  kLink,         // an http(s) URL: a link, not a license name
  kName,         // anything else: a license name to resolve
};
LicenseText ClassifyLicenseText(absl::string_view text);

// The licenses an import resolves names against (the registry's, soft-deleted included) and the ones it creates.
// Shared by every file of a bulk import, so a name seen twice becomes one license.
class ImportLicenses {
 public:
  explicit ImportLicenses(const std::vector<v1::License>& registry) : resolver_(registry) {}

  // The canonical license name (`licenses/{id}`) a file's license name `written` names. A name no license answers
  // to gets a bare unverified license (UnverifiedLicense), added to `result->new_licenses` the first time, with a
  // warning; later uses reuse it. "" with a warning when several licenses answer to it, it names a soft-deleted
  // license, or it cannot name a license (ValidateLicense refuses the unverified license it would make). `field` is
  // where the file writes it, for warnings.
  std::string Resolve(absl::string_view written, absl::string_view field, const ImportOptions& options,
                      ImportResult* result);

  // Licenses created by Resolve so far, by name.
  const std::map<std::string, v1::License>& created() const { return created_; }

 private:
  LicenseResolver resolver_;
  std::map<std::string, v1::License> created_;
};

}  // namespace modelreg::cli

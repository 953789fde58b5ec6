#include "client/cli/importers/license_source.h"

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "server/domain/names.h"

namespace modelreg::cli {

std::string LicenseNameFromSource(absl::string_view license) {
  std::string id = absl::AsciiStrToLower(absl::StripAsciiWhitespace(license));
  if (id.empty() || id == "unlicensed" || id == "none" || id == "unknown" || id == "license not specified" ||
      id == "component not included") {
    return "";
  }
  for (char& c : id) {
    if (c == ' ') c = '-';
  }
  return LicenseName(id);
}

}  // namespace modelreg::cli

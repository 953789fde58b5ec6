// Resource names: `publishers/{publisher}/models/{model}` and `licenses/{license}`.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelreg {

struct ModelName {
  std::string publisher;
  std::string model;
  std::string Full() const { return "publishers/" + publisher + "/models/" + model; }
};

// Publisher and model ids: lowercase letters, digits, `-`, `.`, `_`; 1-63 chars; starting with a letter or digit.
bool IsValidResourceId(absl::string_view id);
// License ids additionally allow `+` (`openrail++`).
bool IsValidLicenseId(absl::string_view id);

// Parses `publishers/{publisher}/models/{model}`. INVALID_ARGUMENT naming `field`.
absl::StatusOr<ModelName> ParseModelName(absl::string_view name, absl::string_view field = "name");
// Parses `publishers/{publisher}` and returns the publisher id, or "-" for `publishers/-` when `allow_wildcard`.
absl::StatusOr<std::string> ParsePublisherName(absl::string_view name, bool allow_wildcard,
                                               absl::string_view field = "parent");
// Parses `licenses/{license}` and returns the license id.
absl::StatusOr<std::string> ParseLicenseName(absl::string_view name, absl::string_view field = "name");

std::string LicenseName(absl::string_view id);

}  // namespace modelreg

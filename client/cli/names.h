// Parsing of the resource names users type: `publishers/x/models/y` or Hugging Face style `x/y` for models,
// `licenses/x` or `x` for licenses. Names are lowercased; ids are checked against the API's id rules.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/names.h"

namespace modelreg::cli {

struct ModelName {
  std::string publisher;  // id only, e.g. `meta-llama`
  std::string model;      // id only, e.g. `llama-3.1-8b`

  std::string parent() const { return "publishers/" + publisher; }
  std::string name() const { return parent() + "/models/" + model; }
};

// Id rules are the server's: IsValidResourceId / IsValidLicenseId in server/domain/names.h.

// `publishers/x/models/y` or `x/y` (lowercased). INVALID_ARGUMENT otherwise.
absl::StatusOr<ModelName> ParseModelName(absl::string_view text);
// `publishers/x`, `x`, or `-` (every publisher); returns `publishers/x`.
absl::StatusOr<std::string> ParsePublisher(absl::string_view text);
// `licenses/x` or `x` (lowercased); returns `licenses/x`.
absl::StatusOr<std::string> ParseLicenseName(absl::string_view text);
// The id of `licenses/x`, or INVALID_ARGUMENT.
absl::StatusOr<std::string> LicenseIdOf(absl::string_view name);

// Maps a license as written in a source file (`Apache-2.0`, `CC-BY-SA-4.0`, `MIT`) to a license resource name
// (`licenses/apache-2.0`). Spaces become `-`. Returns "" for the spellings of "no license": empty, `unlicensed`,
// `none`, `unknown`, `License not specified`, `Component not included`.
std::string LicenseNameFromSource(absl::string_view license);

}  // namespace modelreg::cli

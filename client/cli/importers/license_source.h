// License names as source files write them (model cards, MOF files), mapped to license resource names.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace modelreg::cli {

// Maps a license as written in a source file (`Apache-2.0`, `CC-BY-SA-4.0`, `MIT`) to a license resource name
// (`licenses/apache-2.0`). Spaces become `-`. Returns "" for the spellings of "no license": empty, `unlicensed`,
// `none`, `unknown`, `License not specified`, `Component not included`. The id is not checked: LicenseIdOf (in
// server/domain/names.h) of the result is "" when it breaks the id rules.
std::string LicenseNameFromSource(absl::string_view license);

}  // namespace modelreg::cli

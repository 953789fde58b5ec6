// The shipped catalog files, compiled into modelregd and the CLI (library `modelreg_embedded_catalog`).
#pragma once

#include <vector>

#include "schema/embedded_file.h"

namespace modelreg {

// schema/catalog/*.yaml, sorted by name.
const std::vector<EmbeddedFile>& EmbeddedCatalogFiles();

}  // namespace modelreg

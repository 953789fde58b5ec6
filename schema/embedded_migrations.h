// The migrations, compiled into the binaries that apply them (library `modelreg_embedded_migrations`; only the
// storage layer links it).
#pragma once

#include <vector>

#include "schema/embedded_file.h"

namespace modelreg {

// schema/NNNN_*.sql, sorted by name (and so by version).
const std::vector<EmbeddedFile>& EmbeddedMigrations();

}  // namespace modelreg

// The migrations and shipped catalog files, compiled into the binaries (see schema/CMakeLists.txt).
#pragma once

#include <vector>

namespace modelreg {

struct EmbeddedFile {
  const char* name;     // file name, e.g. "0001_initial.sql"
  const char* content;  // the whole file
};

// schema/NNNN_*.sql, sorted by name (and so by version).
const std::vector<EmbeddedFile>& EmbeddedMigrations();

// schema/catalog/*.yaml, sorted by name.
const std::vector<EmbeddedFile>& EmbeddedCatalogFiles();

}  // namespace modelreg

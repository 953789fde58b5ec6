// A file compiled into the binaries (see schema/CMakeLists.txt): embedded_migrations.h, embedded_catalog.h.
#pragma once

namespace modelreg {

struct EmbeddedFile {
  const char* name;     // file name, e.g. "0001_initial.sql"
  const char* content;  // the whole file
};

}  // namespace modelreg

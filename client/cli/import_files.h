// The files a bulk import reads, and its progress line: `modelreg import mof|hf-card PATH...` takes files and
// directories.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace modelreg::cli {

// Which files a directory contributes.
enum class ImportFileKind {
  kMof,     // *.yml, *.yaml
  kHfCard,  // *.md (README.md of a downloaded repository, or any card file)
};

// The files to import: each path that is not a directory as given (a missing one too: reading it reports why), and
// every file of `kind` under each directory, recursively, hidden entries (names starting with `.`) skipped, in path
// order. `problems` receives directories that cannot be listed.
std::vector<std::string> ExpandImportPaths(const std::vector<std::string>& paths, ImportFileKind kind,
                                           std::vector<std::string>* problems);

// `OWNER/REPO` for a card at `.../OWNER/REPO/README.md` (any case of README.md), as a clone or a download of a
// Hugging Face repository lays it out; "" for any other path.
std::string CardNameFromPath(absl::string_view path);

// "12/273 files, 41.0 files/s, ETA 6s": the progress line of a bulk import, written over itself on a terminal.
class ImportProgress {
 public:
  // Writes to `out` only when it is a terminal and there is more than one file.
  ImportProgress(std::FILE* out, size_t total);
  // One more file done.
  void Tick();
  // Clears the line.
  void Finish();
  // The line after `done` files in `elapsed` seconds (pure, for tests).
  static std::string Line(size_t done, size_t total, double elapsed_seconds);

 private:
  std::FILE* out_;
  size_t total_;
  size_t done_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace modelreg::cli

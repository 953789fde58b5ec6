// The files a bulk import reads, and its progress line: `modelreg import mof|hf-card PATH...` takes files and
// directories.
#pragma once

#include <chrono>
#include <cstdint>
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

// "12,000 models, 8,400/s, 45% of 120.0 MiB, ETA 1m02s, 3 failed": the progress line of a streamed import (a Hub
// listing), by bytes read when the input's size is known (else count and rate only), written over itself on a
// terminal at most 10 times a second.
class StreamProgress {
 public:
  // Writes to `out` only when it is a terminal. `total_bytes` 0: unknown (a pipe).
  StreamProgress(std::FILE* out, uint64_t total_bytes);
  // `done` entries read, `failed` of them failed, `bytes` of the input read (from its start).
  void Update(int64_t done, int64_t failed, uint64_t bytes);
  // Clears the line.
  void Finish();
  // The line (pure, for tests): `rate` from the entries done in this run, `bytes_this_run` in `elapsed_seconds`.
  static std::string Line(int64_t done, int64_t failed, uint64_t bytes, uint64_t total_bytes, int64_t done_this_run,
                          uint64_t bytes_this_run, double elapsed_seconds);

 private:
  std::FILE* out_;
  uint64_t total_bytes_;
  bool enabled_;
  bool started_ = false;
  int64_t first_done_ = 0;
  uint64_t first_bytes_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace modelreg::cli

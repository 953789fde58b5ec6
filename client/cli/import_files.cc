#include "client/cli/import_files.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace modelreg::cli {
namespace {

namespace fs = std::filesystem;

bool Wanted(const fs::path& path, ImportFileKind kind) {
  const std::string extension = absl::AsciiStrToLower(path.extension().string());
  if (kind == ImportFileKind::kMof) return extension == ".yml" || extension == ".yaml";
  return extension == ".md";
}

bool Hidden(const fs::path& path) { return absl::StartsWith(path.filename().string(), "."); }

}  // namespace

std::vector<std::string> ExpandImportPaths(const std::vector<std::string>& paths, ImportFileKind kind,
                                           std::vector<std::string>* problems) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, error);
    if (error) {
      problems->push_back(absl::StrCat(path, ": ", error.message()));
      continue;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (error) {
        problems->push_back(absl::StrCat(path, ": ", error.message()));
        break;
      }
      const fs::directory_entry& entry = *it;
      if (Hidden(entry.path())) {
        if (entry.is_directory(error)) it.disable_recursion_pending();
        continue;
      }
      if (entry.is_regular_file(error) && Wanted(entry.path(), kind)) found.push_back(entry.path().string());
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::string CardNameFromPath(absl::string_view path) {
  const fs::path p{std::string(path)};
  if (!absl::EqualsIgnoreCase(p.filename().string(), "README.md")) return "";
  const fs::path repo = p.parent_path();
  const fs::path owner = repo.parent_path();
  if (repo.filename().empty() || owner.filename().empty() || repo.filename() == "." || owner.filename() == "." ||
      repo.filename() == ".." || owner.filename() == "..") {
    return "";
  }
  return absl::StrCat(owner.filename().string(), "/", repo.filename().string());
}

ImportProgress::ImportProgress(std::FILE* out, size_t total)
    : out_(out),
      total_(total),
      enabled_(total > 1 && out != nullptr && isatty(fileno(out)) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

std::string ImportProgress::Line(size_t done, size_t total, double elapsed_seconds) {
  const double rate = elapsed_seconds > 0 ? static_cast<double>(done) / elapsed_seconds : 0;
  std::string eta = "-";
  if (rate > 0 && done < total) {
    const auto seconds = static_cast<long long>(std::ceil(static_cast<double>(total - done) / rate));
    eta = seconds >= 60 ? absl::StrFormat("%dm%02ds", seconds / 60, seconds % 60) : absl::StrCat(seconds, "s");
  } else if (done >= total) {
    eta = "0s";
  }
  return absl::StrFormat("%d/%d files, %.1f files/s, ETA %s", done, total, rate, eta);
}

namespace {

std::string Duration(double seconds) {
  const auto s = static_cast<long long>(std::ceil(seconds));
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, (s / 60) % 60);
  return s >= 60 ? absl::StrFormat("%dm%02ds", s / 60, s % 60) : absl::StrCat(s, "s");
}

}  // namespace

StreamProgress::StreamProgress(std::FILE* out, uint64_t total_bytes)
    : out_(out),
      total_bytes_(total_bytes),
      enabled_(out != nullptr && isatty(fileno(out)) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

std::string StreamProgress::Line(int64_t done, int64_t failed, uint64_t bytes, uint64_t total_bytes,
                                 int64_t done_this_run, uint64_t bytes_this_run, double elapsed_seconds) {
  const double rate = elapsed_seconds > 0 ? static_cast<double>(done_this_run) / elapsed_seconds : 0;
  std::string line = absl::StrFormat("%d models, %.0f/s", done, rate);
  if (total_bytes > 0) {
    const double fraction = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_bytes));
    absl::StrAppendFormat(&line, ", %.0f%% of %.1f MiB", fraction * 100,
                          static_cast<double>(total_bytes) / (1024.0 * 1024.0));
    const double byte_rate = elapsed_seconds > 0 ? static_cast<double>(bytes_this_run) / elapsed_seconds : 0;
    if (byte_rate > 0 && bytes < total_bytes) {
      absl::StrAppend(&line, ", ETA ", Duration(static_cast<double>(total_bytes - bytes) / byte_rate));
    }
  }
  absl::StrAppend(&line, ", ", failed, " failed");
  return line;
}

void StreamProgress::Update(int64_t done, int64_t failed, uint64_t bytes) {
  if (!enabled_) return;
  if (!started_) {
    started_ = true;
    first_done_ = done;
    first_bytes_ = bytes;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::fprintf(out_, "\r\033[K%s",
               Line(done, failed, bytes, total_bytes_, done - first_done_, bytes - first_bytes_, elapsed).c_str());
  std::fflush(out_);
}

void StreamProgress::Finish() {
  if (!enabled_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
}

void ImportProgress::Tick() {
  ++done_;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done_ < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::fprintf(out_, "\r\033[K%s", Line(done_, total_, elapsed).c_str());
  std::fflush(out_);
}

void ImportProgress::Finish() {
  if (!enabled_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
}

}  // namespace modelreg::cli

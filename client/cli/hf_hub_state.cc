#include "client/cli/hf_hub_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/domain/request_id.h"

namespace modelreg::cli {

namespace fs = std::filesystem;

namespace {

std::string FormatName(ListingFormat format) {
  switch (format) {
    case ListingFormat::kJsonArray:
      return "array";
    case ListingFormat::kJsonLines:
      return "lines";
    case ListingFormat::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace

absl::Status SaveHubState(const std::string& path, const HubState& state) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    const HubCounts& c = state.counts;
    out << "# modelreg import hf-hub: the listing's position after the last batch written; `--resume` continues "
           "from it, deleting this file starts over\n"
        << "input " << state.input << "\n"
        << "format " << FormatName(state.position.format) << "\n"
        << "offset " << state.position.offset << "\n"
        << "lines " << state.position.lines << "\n"
        << "entries " << state.position.entries << "\n"
        << "run_id " << state.run_id << "\n"
        << "counts " << c.read << " " << c.created << " " << c.updated << " " << c.unchanged << " " << c.skipped << " "
        << c.failed << " " << c.warnings << "\n";
    out.flush();
    if (!out) return absl::InternalError(absl::StrCat("cannot write the state file ", tmp));
  }
  // Durable before it replaces the previous state.
  const int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  std::error_code error;
  fs::rename(tmp, path, error);
  if (error) return absl::InternalError(absl::StrCat("cannot write the state file ", path, ": ", error.message()));
  return absl::OkStatus();
}

absl::StatusOr<HubState> LoadHubState(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("no state file ", path, " (nothing to resume)"));
  HubState state;
  std::string line;
  bool complete = false;
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat(path, ": not a state file of import hf-hub")); };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos) return bad();
    const std::string key = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    if (key == "input") {
      state.input = value;
    } else if (key == "format") {
      state.position.format = value == "array"   ? ListingFormat::kJsonArray
                              : value == "lines" ? ListingFormat::kJsonLines
                                                 : ListingFormat::kUnknown;
    } else if (key == "offset") {
      if (!absl::SimpleAtoi(value, &state.position.offset)) return bad();
    } else if (key == "lines") {
      if (!absl::SimpleAtoi(value, &state.position.lines)) return bad();
    } else if (key == "entries") {
      if (!absl::SimpleAtoi(value, &state.position.entries)) return bad();
    } else if (key == "run_id") {
      state.run_id = value;
    } else if (key == "counts") {
      std::vector<std::string> n = absl::StrSplit(value, ' ');
      HubCounts& c = state.counts;
      int64_t* fields[] = {&c.read, &c.created, &c.updated, &c.unchanged, &c.skipped, &c.failed, &c.warnings};
      if (n.size() != 7) return bad();
      for (size_t i = 0; i < n.size(); ++i) {
        if (!absl::SimpleAtoi(n[i], fields[i])) return bad();
      }
      complete = true;
    }
  }
  if (!complete || !IsValidRequestId(state.run_id)) return bad();
  return state;
}

}  // namespace modelreg::cli

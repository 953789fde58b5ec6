// Options and CLI11 wiring shared by the `models` and `licenses` command groups.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "client/cli/context.h"
#include "google/protobuf/timestamp.pb.h"

namespace modelreg::cli {

// create / update / classify: a record from -f FILE, optionally named on the command line.
struct RecordOptions {
  std::string name;
  std::string file;
  std::string update_mask;
};

// get / delete / undelete.
struct NameOptions {
  std::string name;
  std::string etag;
};

// list. `parent` and `at` are used by `models list` only.
struct ListOptions {
  std::string parent = "publishers/-";
  std::string filter;
  std::string order_by;
  bool show_deleted = false;
  int page_size = 0;
  std::string page_token;
  bool all = false;
  std::string at;
};

// Adds --filter, --order-by, --show-deleted, --page-size, --page-token and --all; `plural` names the resource
// ("models"), `examples` the filter and order_by examples shown in --help.
void AddListFlags(CLI::App* cmd, ListOptions* opts, const std::string& plural, const std::string& filter_example,
                  const std::string& order_example);

// Adds the `delete` and `undelete` subcommands (NAME, --etag); `run` gets the options and whether it is undelete.
void AddDeleteCommands(CLI::App* group, const std::string& singular, const std::string& name_help,
                       const std::function<int(const NameOptions&, bool undelete)>& run, Context& ctx);

// The help of an --at option: a read as of a time, `what` as it was then.
std::string AtHelp(const std::string& what);
// Parses an --at value (RFC 3339) into `*time`. INVALID_ARGUMENT naming --at when it does not parse.
absl::Status ParseAt(const std::string& at, google::protobuf::Timestamp* time);
// Sets the `read_time` of `request` from an --at value; leaves it unset when `at` is empty.
template <typename Request>
absl::Status SetReadTime(const std::string& at, Request& request) {
  if (at.empty()) return absl::OkStatus();
  return ParseAt(at, request.mutable_read_time());
}

// In table mode, tells on stderr that a list was empty or that more pages follow.
void ReportPageHints(const Context& ctx, int count, const std::string& next_page_token, const std::string& plural);

}  // namespace modelreg::cli

// Options and CLI11 wiring shared by the `models` and `licenses` command groups.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "client/cli/context.h"

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

// list. `parent` is used by `models list` only.
struct ListOptions {
  std::string parent = "publishers/-";
  std::string filter;
  std::string order_by;
  bool show_deleted = false;
  int page_size = 0;
  std::string page_token;
  bool all = false;
};

// Adds --filter, --order-by, --show-deleted, --page-size, --page-token and --all; `plural` names the resource
// ("models"), `examples` the filter and order_by examples shown in --help.
void AddListFlags(CLI::App* cmd, ListOptions* opts, const std::string& plural, const std::string& filter_example,
                  const std::string& order_example);

// Adds the `delete` and `undelete` subcommands (NAME, --etag); `run` gets the options and whether it is undelete.
void AddDeleteCommands(CLI::App* group, const std::string& singular, const std::string& name_help,
                       const std::function<int(const NameOptions&, bool undelete)>& run, Context& ctx);

// In table mode, tells on stderr that a list was empty or that more pages follow.
void ReportPageHints(const Context& ctx, int count, const std::string& next_page_token, const std::string& plural);

}  // namespace modelreg::cli

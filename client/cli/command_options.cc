#include "client/cli/command_options.h"

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace modelreg::cli {

void AddListFlags(CLI::App* cmd, ListOptions* opts, const std::string& plural, const std::string& filter_example,
                  const std::string& order_example) {
  cmd->add_option("--filter", opts->filter, "AIP-160 filter, e.g. " + filter_example);
  cmd->add_option("--order-by", opts->order_by, "e.g. " + order_example);
  cmd->add_flag("--show-deleted", opts->show_deleted, "Include soft-deleted " + plural);
  cmd->add_option("--page-size", opts->page_size, "Results per page (0: server default)");
  cmd->add_option("--page-token", opts->page_token, "Continue from a previous page");
  cmd->add_flag("--all", opts->all, "Follow page tokens to the end");
}

void AddDeleteCommands(CLI::App* group, const std::string& singular, const std::string& name_help,
                       const std::function<int(const NameOptions&, bool undelete)>& run, Context& ctx) {
  for (bool undelete : {false, true}) {
    auto opts = std::make_shared<NameOptions>();
    CLI::App* cmd = group->add_subcommand(undelete ? "undelete" : "delete",
                                          (undelete ? "Restore a soft-deleted " : "Soft-delete the ") + singular);
    cmd->add_option("name,--name", opts->name, name_help)->required();
    cmd->add_option("--etag", opts->etag, "Fail with ABORTED unless the stored etag matches");
    cmd->callback([&ctx, opts, undelete, run] { ctx.exit_code = run(*opts, undelete); });
  }
}

std::string AtHelp(const std::string& what) {
  return absl::StrCat("Show ", what, " as it was at this time (RFC 3339, e.g. 2026-01-01T00:00:00Z)");
}

absl::Status ParseAt(const std::string& at, google::protobuf::Timestamp* time) {
  if (google::protobuf::util::TimeUtil::FromString(at, time)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--at `", at, "`: expected an RFC 3339 time such as 2026-01-01T00:00:00Z"));
}

void ReportPageHints(const Context& ctx, int count, const std::string& next_page_token, const std::string& plural) {
  if (ctx.format() != OutputFormat::kTable) return;
  if (count == 0) std::cerr << "no " << plural << " found\n";
  if (!next_page_token.empty()) std::cerr << "more results: --page-token " << next_page_token << " (or --all)\n";
}

}  // namespace modelreg::cli

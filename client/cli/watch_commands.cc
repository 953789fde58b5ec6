#include "client/cli/watch_commands.h"

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "client/cli/history_output.h"

namespace modelreg::cli {
namespace {

struct WatchArgs {
  std::vector<std::string> kinds;
  std::vector<std::string> prefixes;
  int64_t from = -1;
  bool records = false;
  int64_t count = 0;
};

int Watch(Context& ctx, const WatchArgs& args) {
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(ctx.output);
  if (!format.ok()) return UsageError(format.status());
  if (*format == OutputFormat::kYaml) return UsageError(absl::InvalidArgumentError("watch: -o table or -o json"));
  v1::WatchChangesRequest request;
  for (const std::string& kind : args.kinds) request.add_kinds(kind);
  for (const std::string& prefix : args.prefixes) request.add_name_prefixes(prefix);
  if (args.from >= 0) request.set_start_after_sequence(args.from);
  request.set_include_records(args.records);
  int64_t printed = 0;
  const absl::Status status = ctx.client().WatchChanges(request, [&](const v1::ChangeEvent& event) {
    std::cout << (*format == OutputFormat::kJson ? ChangeJsonLine(event) : ChangeLine(event)) << std::flush;
    return args.count == 0 || ++printed < args.count;
  });
  if (!status.ok()) return RpcError(ctx, status);
  return kExitOk;
}

}  // namespace

void AddWatchCommand(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<WatchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "watch",
      "Follow every change as it commits, one line each (-o json: JSON Lines); reconnects and resumes by itself");
  cmd->add_option("--kinds", args->kinds,
                  "Only these kinds: models, licenses, organizations, deployments, policies, tokens")
      ->delimiter(',');
  cmd->add_option("--prefix", args->prefixes, "Only resources under this name, e.g. publishers/acme (repeatable)");
  cmd->add_option("--from", args->from, "Start after this sequence (default: from now on)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--records", args->records, "Include each change's record (with -o json)");
  cmd->add_option("--count", args->count, "Stop after this many changes (default: never)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&ctx, args] { ctx.exit_code = Watch(ctx, *args); });
}

}  // namespace modelreg::cli

// `modelreg history NAME`: the revisions of any resource (History.ListRevisions), each with what changed since the
// one before it. `modelreg purge NAME`: removes a soft-deleted resource's data for good (History.Purge).
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddHistoryCommand(CLI::App& app, Context& ctx);
void AddPurgeCommand(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

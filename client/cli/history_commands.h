// `modelreg history NAME`: the revisions of any resource (History.ListRevisions), each with what changed since the
// one before it.
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddHistoryCommand(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

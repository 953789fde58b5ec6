// `modelreg watch`: follows the change stream (History.WatchChanges through Client::WatchChanges, which reconnects
// and resumes by itself), one line per change; `-o json` prints JSON Lines.
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddWatchCommand(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

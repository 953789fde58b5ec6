// `modelreg check MODEL ...`: checks a use of a model against license terms (UsageChecker.CheckUsage); the exit code
// carries the verdict so scripts can gate on it.
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddCheckCommand(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

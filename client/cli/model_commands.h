// `modelreg models ...`: create, get, update, delete, undelete, list, classify.
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddModelCommands(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

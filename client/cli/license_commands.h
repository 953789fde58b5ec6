// `modelreg licenses ...`: create, get, update, delete, undelete, list.
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddLicenseCommands(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

// `modelreg tokens create|list|revoke`: API token management through the Admin service (admin role on `*`).
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddTokenCommands(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

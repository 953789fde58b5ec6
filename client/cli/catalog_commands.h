// `modelreg catalog load`: sync the shipped license and model catalog into the registry.
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddCatalogCommands(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

// `modelreg import hf-card|mof FILE`: read a record from a model card or MOF file, check it, then create it
// (or, with --dry-run, show it with its assessment).
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddImportCommands(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

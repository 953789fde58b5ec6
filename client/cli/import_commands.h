// `modelreg import hf-card|mof PATH...`: read records from model cards or MOF files (files and directories), create
// the unverified licenses they need and the models (or, with --dry-run, assess each and say what would happen); a
// model that exists is left (--on-conflict skip) or replaced (update). One file: the record in full; several: a line
// per file, progress on a terminal, and a summary (created, updated, unchanged, skipped, failed with reasons).
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddImportCommands(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

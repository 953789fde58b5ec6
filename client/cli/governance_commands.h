// `modelreg orgs|deployments|policies ...` (create, get, update, delete, undelete, list) and `modelreg compliance`:
// the Governance service.
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddGovernanceCommands(CLI::App& app, Context& ctx);

}  // namespace modelreg::cli

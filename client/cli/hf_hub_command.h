// `modelreg import hf-hub FILE|-`: streams a Hugging Face Hub model listing (JSON Lines or a JSON array of model
// infos, hf_hub_listing.h) into the registry in batches of BatchCreateModels. Each entry is mapped (importers/hf_hub.h)
// and validated on the client; a bad entry is reported with its line and skipped, the others land. A batch the server
// refuses because of one item (INVALID_ARGUMENT naming `requests[i]`) is sent again without it; one refused because a
// model exists (ALREADY_EXISTS) is settled against its stored models, read with a few Lists: each existing model is
// left (--on-conflict skip) or replaced (update), the rest created as one batch; the next batches are looked up
// before they are sent, until one finds no stored model. Two batches are in flight while the next is parsed; they are
// settled in the listing's order, and after each the position in the listing goes to a state file, so `--resume`
// continues an interrupted import after the last batch settled (client/README.md, "Importing a Hub listing").
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli/context.h"

namespace modelreg::cli {

void AddHfHubImport(CLI::App* import, Context& ctx);

}  // namespace modelreg::cli

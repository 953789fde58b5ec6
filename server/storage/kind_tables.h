// The ResourceTable of every kind that has history, by its table name (`models`, `licenses`, `tokens`,
// `organizations`, `deployments`, `policies`): for code that handles rows of any kind (the history's records, the
// as-of tables). Internal to the storage layer.
#pragma once

#include <string>

#include "server/storage/resource_table.h"

namespace modelreg {

// Null for a kind this server does not know.
const ResourceTable* TableOfKind(const std::string& table);

}  // namespace modelreg

// How a List page's records are taken from the model cache (ModelStore::ListFromCache), decided without the
// database, so that the case of a model changing between the List's two reads is tested deterministically.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/storage/repositories.h"
#include "server/storage/resource_table.h"

namespace modelreg {

// The records of a page whose rows PostgreSQL listed as `listed` (names and row versions, in page order).
// `cached[i]` is the cache's record of `listed[i]` read from that row version, or null; `fetched` holds the null
// ones, read again by name. nullopt when a fetched record is missing or is not the listed row version: that model
// changed (or was purged) between the two reads, and the page must be listed again in one query.
std::optional<std::vector<std::string>> PageRecords(const std::vector<ResourceTable::KeyVersion>& listed,
                                                    const std::vector<std::shared_ptr<const std::string>>& cached,
                                                    const std::vector<ModelRepository::SerializedModel>& fetched);

}  // namespace modelreg

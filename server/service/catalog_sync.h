// Loads the shipped catalog into this server's own database at start-up (the CLI's `catalog load` does the same
// over gRPC).
#pragma once

#include "absl/status/statusor.h"
#include "server/domain/catalog/catalog_sync.h"
#include "server/service/license_service.h"
#include "server/service/model_service.h"

namespace modelreg {

absl::StatusOr<CatalogSyncReport> SyncShippedCatalog(LicenseService* licenses, ModelService* models);

}  // namespace modelreg

// Applies the shipped catalog to a registry through CatalogTarget: the server implements it over its services, the
// CLI over the gRPC client, so both load the catalog the same way. Licenses first (models reference them).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/domain/catalog/catalog.h"

namespace modelreg {

// Where a sync reads and writes records. Get returns nullopt when the record does not exist (soft-deleted records
// exist). Update replaces every user field and must fail (ABORTED) when `etag` no longer matches.
class CatalogTarget {
 public:
  virtual ~CatalogTarget() = default;
  virtual absl::StatusOr<std::optional<v1::License>> GetLicense(const std::string& name) = 0;
  virtual absl::Status CreateLicense(const std::string& license_id, const v1::License& license) = 0;
  virtual absl::Status UpdateLicense(const v1::License& license) = 0;
  virtual absl::StatusOr<std::optional<v1::Model>> GetModel(const std::string& name) = 0;
  virtual absl::Status CreateModel(const v1::Model& model) = 0;
  virtual absl::Status UpdateModel(const v1::Model& model) = 0;
};

struct CatalogSyncReport {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
  // Names of records a user changed, left as they are.
  std::vector<std::string> skipped;
  // "created 3, updated 0, unchanged 58, kept 1 user-modified"
  std::string Summary() const;
};

// Creates missing records, updates the ones the catalog wrote and nobody changed since, leaves the rest. Stops at the
// first error (the records written before it stay: each write is its own transaction, and a rerun continues).
absl::StatusOr<CatalogSyncReport> SyncCatalog(const Catalog& catalog, CatalogTarget* target);

}  // namespace modelreg

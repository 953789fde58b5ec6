// CatalogTarget over the gRPC client, so `modelreg catalog load` syncs the shipped catalog the way the server does
// (server/domain/catalog/catalog_sync.h). A dry-run target reads through the client and records the writes instead.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/client.h"
#include "server/domain/catalog/catalog_sync.h"

namespace modelreg::cli {

class ClientCatalogTarget : public CatalogTarget {
 public:
  explicit ClientCatalogTarget(Client* client) : client_(client) {}

  absl::StatusOr<std::optional<v1::License>> GetLicense(const std::string& name) override;
  absl::Status CreateLicense(const std::string& license_id, const v1::License& license) override;
  // UpdateLicense with update_mask `*` and the record's etag.
  absl::Status UpdateLicense(const v1::License& license) override;
  absl::StatusOr<std::optional<v1::Model>> GetModel(const std::string& name) override;
  absl::Status CreateModel(const v1::Model& model) override;
  absl::Status UpdateModel(const v1::Model& model) override;

 private:
  Client* client_;
};

// Reads through `client`; Create/Update only append "create NAME" / "update NAME" to `planned`.
class DryRunCatalogTarget : public ClientCatalogTarget {
 public:
  explicit DryRunCatalogTarget(Client* client) : ClientCatalogTarget(client) {}

  absl::Status CreateLicense(const std::string& license_id, const v1::License& license) override;
  absl::Status UpdateLicense(const v1::License& license) override;
  absl::Status CreateModel(const v1::Model& model) override;
  absl::Status UpdateModel(const v1::Model& model) override;

  const std::vector<std::string>& planned() const { return planned_; }

 private:
  std::vector<std::string> planned_;
};

}  // namespace modelreg::cli

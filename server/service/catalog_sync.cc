#include "server/service/catalog_sync.h"

#include <cstdio>
#include <functional>
#include <optional>

#include "server/common/errors.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"

namespace modelreg {
namespace {

// Returns nullopt for NOT_FOUND, the record otherwise.
template <typename Record>
absl::StatusOr<std::optional<Record>> Optional(absl::StatusOr<Record> result) {
  if (result.status().code() == absl::StatusCode::kNotFound) return std::optional<Record>();
  if (!result.ok()) return result.status();
  return std::optional<Record>(*std::move(result));
}

// Writes a shipped license; when one of its aliases (or its spdx_id) already names a license a user created, writes it
// without that name and logs a warning, so that start-up does not fail on it. The stored record then differs from the
// shipped one, so later syncs keep it as user-modified until the conflict is resolved by hand.
absl::Status WithoutTakenAliases(v1::License license, const std::function<absl::Status(const v1::License&)>& write) {
  for (int attempt = 0;; ++attempt) {
    absl::Status status = write(license);
    if (status.ok() || ErrorReason(status) != "LICENSE_ALIAS_TAKEN" || attempt > license.aliases_size()) {
      return status;
    }
    const auto violations = FieldViolations(status);
    if (violations.empty()) return status;
    const std::string& field = violations.front().first;
    int index = -1;
    if (field == "license.spdx_id") {
      license.clear_spdx_id();
    } else if (std::sscanf(field.c_str(), "license.aliases[%d]", &index) == 1 && index >= 0 &&  // NOLINT(cert-err34-c)
               index < license.aliases_size()) {
      license.mutable_aliases()->erase(license.mutable_aliases()->begin() + index);
    } else {
      return status;
    }
    MODELREG_LOG(WARNING) << "catalog: " << license.name() << ": " << status.message()
                          << "; stored without that name (resolve the conflict, then load the catalog again)";
  }
}

class ServiceTarget final : public CatalogTarget {
 public:
  ServiceTarget(LicenseService* licenses, ModelService* models) : licenses_(licenses), models_(models) {}

  absl::StatusOr<std::optional<v1::License>> GetLicense(const std::string& name) override {
    v1::GetLicenseRequest request;
    request.set_name(name);
    return Optional(licenses_->GetLicense(request));
  }
  absl::Status CreateLicense(const std::string& license_id, const v1::License& license) override {
    return WithoutTakenAliases(license, [&](const v1::License& record) {
      v1::CreateLicenseRequest request;
      request.set_license_id(license_id);
      *request.mutable_license() = record;
      return licenses_->CreateLicense(request).status();
    });
  }
  absl::Status UpdateLicense(const v1::License& license) override {
    return WithoutTakenAliases(license, [&](const v1::License& record) {
      v1::UpdateLicenseRequest request;
      *request.mutable_license() = record;
      request.mutable_update_mask()->add_paths("*");
      return licenses_->UpdateLicense(request).status();
    });
  }
  absl::StatusOr<std::optional<v1::Model>> GetModel(const std::string& name) override {
    v1::GetModelRequest request;
    request.set_name(name);
    return Optional(models_->GetModel(request));
  }
  absl::Status CreateModel(const v1::Model& model) override {
    MODELREG_ASSIGN_OR_RETURN(ModelName name, ParseModelName(model.name()));
    v1::CreateModelRequest request;
    request.set_parent(name.parent());
    request.set_model_id(name.model);
    *request.mutable_model() = model;
    return models_->CreateModel(request).status();
  }
  absl::Status UpdateModel(const v1::Model& model) override {
    v1::UpdateModelRequest request;
    *request.mutable_model() = model;
    request.mutable_update_mask()->add_paths("*");
    return models_->UpdateModel(request).status();
  }

 private:
  LicenseService* licenses_;
  ModelService* models_;
};

}  // namespace

absl::StatusOr<CatalogSyncReport> SyncShippedCatalog(LicenseService* licenses, ModelService* models) {
  MODELREG_ASSIGN_OR_RETURN(Catalog catalog, LoadEmbeddedCatalog());
  ServiceTarget target(licenses, models);
  return SyncCatalog(catalog, &target);
}

}  // namespace modelreg

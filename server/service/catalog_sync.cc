#include "server/service/catalog_sync.h"

#include <optional>

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

class ServiceTarget final : public CatalogTarget {
 public:
  ServiceTarget(LicenseService* licenses, ModelService* models) : licenses_(licenses), models_(models) {}

  absl::StatusOr<std::optional<v1::License>> GetLicense(const std::string& name) override {
    v1::GetLicenseRequest request;
    request.set_name(name);
    return Optional(licenses_->GetLicense(request));
  }
  absl::Status CreateLicense(const std::string& license_id, const v1::License& license) override {
    v1::CreateLicenseRequest request;
    request.set_license_id(license_id);
    *request.mutable_license() = license;
    return licenses_->CreateLicense(request).status();
  }
  absl::Status UpdateLicense(const v1::License& license) override {
    v1::UpdateLicenseRequest request;
    *request.mutable_license() = license;
    request.mutable_update_mask()->add_paths("*");
    return licenses_->UpdateLicense(request).status();
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

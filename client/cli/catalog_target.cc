#include "client/cli/catalog_target.h"

#include "absl/strings/str_cat.h"
#include "client/cli/import_commands.h"
#include "server/common/status_macros.h"

namespace modelreg::cli {
namespace {

template <typename T>
absl::StatusOr<std::optional<T>> FoundOrNone(absl::StatusOr<T> result) {
  if (result.ok()) return std::optional<T>(*std::move(result));
  if (result.status().code() == absl::StatusCode::kNotFound) return std::optional<T>();
  return result.status();
}

absl::Status Annotate(const absl::Status& status, const std::string& name) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(name, ": ", status.message()));
}

}  // namespace

absl::StatusOr<std::optional<v1::License>> ClientCatalogTarget::GetLicense(const std::string& name) {
  v1::GetLicenseRequest request;
  request.set_name(name);
  return FoundOrNone(client_->GetLicense(request));
}

absl::Status ClientCatalogTarget::CreateLicense(const std::string& license_id, const v1::License& license) {
  v1::CreateLicenseRequest request;
  request.set_license_id(license_id);
  *request.mutable_license() = license;
  return Annotate(client_->CreateLicense(request).status(), license.name());
}

absl::Status ClientCatalogTarget::UpdateLicense(const v1::License& license) {
  v1::UpdateLicenseRequest request;
  *request.mutable_license() = license;
  request.mutable_update_mask()->add_paths("*");
  return Annotate(client_->UpdateLicense(request).status(), license.name());
}

absl::StatusOr<std::optional<v1::Model>> ClientCatalogTarget::GetModel(const std::string& name) {
  v1::GetModelRequest request;
  request.set_name(name);
  return FoundOrNone(client_->GetModel(request));
}

absl::Status ClientCatalogTarget::CreateModel(const v1::Model& model) {
  MODELREG_ASSIGN_OR_RETURN(const v1::CreateModelRequest request, CreateRequest(model));
  return Annotate(client_->CreateModel(request).status(), model.name());
}

absl::Status ClientCatalogTarget::UpdateModel(const v1::Model& model) {
  v1::UpdateModelRequest request;
  *request.mutable_model() = model;
  request.mutable_update_mask()->add_paths("*");
  return Annotate(client_->UpdateModel(request).status(), model.name());
}

absl::Status DryRunCatalogTarget::CreateLicense(const std::string&, const v1::License& license) {
  planned_.push_back(absl::StrCat("create ", license.name()));
  return absl::OkStatus();
}

absl::Status DryRunCatalogTarget::UpdateLicense(const v1::License& license) {
  planned_.push_back(absl::StrCat("update ", license.name()));
  return absl::OkStatus();
}

absl::Status DryRunCatalogTarget::CreateModel(const v1::Model& model) {
  planned_.push_back(absl::StrCat("create ", model.name()));
  return absl::OkStatus();
}

absl::Status DryRunCatalogTarget::UpdateModel(const v1::Model& model) {
  planned_.push_back(absl::StrCat("update ", model.name()));
  return absl::OkStatus();
}

}  // namespace modelreg::cli

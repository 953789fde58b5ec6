#include "server/api/license_catalog_service.h"

#include "server/api/unary_call.h"

namespace modelreg {

grpc::Status LicenseCatalogService::CreateLicense(grpc::ServerContext* context, const v1::CreateLicenseRequest* request,
                                                  v1::License* response) {
  return RunUnary(context, "CreateLicense", response, [&] { return service_->CreateLicense(*request); });
}

grpc::Status LicenseCatalogService::GetLicense(grpc::ServerContext* context, const v1::GetLicenseRequest* request,
                                               v1::License* response) {
  return RunUnary(context, "GetLicense", response, [&] { return service_->GetLicense(*request); });
}

grpc::Status LicenseCatalogService::UpdateLicense(grpc::ServerContext* context, const v1::UpdateLicenseRequest* request,
                                                  v1::License* response) {
  return RunUnary(context, "UpdateLicense", response, [&] { return service_->UpdateLicense(*request); });
}

grpc::Status LicenseCatalogService::DeleteLicense(grpc::ServerContext* context, const v1::DeleteLicenseRequest* request,
                                                  v1::License* response) {
  return RunUnary(context, "DeleteLicense", response, [&] { return service_->DeleteLicense(*request); });
}

grpc::Status LicenseCatalogService::UndeleteLicense(grpc::ServerContext* context,
                                                    const v1::UndeleteLicenseRequest* request, v1::License* response) {
  return RunUnary(context, "UndeleteLicense", response, [&] { return service_->UndeleteLicense(*request); });
}

grpc::Status LicenseCatalogService::ListLicenses(grpc::ServerContext* context, const v1::ListLicensesRequest* request,
                                                 v1::ListLicensesResponse* response) {
  return RunUnary(context, "ListLicenses", response, [&] { return service_->ListLicenses(*request); });
}

}  // namespace modelreg

#include "server/api/license_catalog_service.h"

#include "server/api/unary_call.h"

namespace modelreg {

grpc::Status LicenseCatalogService::CreateLicense(grpc::ServerContext* context, const v1::CreateLicenseRequest* request,
                                                  v1::License* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.LicenseCatalog/CreateLicense", *request, response,
                  [&](const Principal& actor) { return service_->CreateLicense(*request, actor); });
}

grpc::Status LicenseCatalogService::GetLicense(grpc::ServerContext* context, const v1::GetLicenseRequest* request,
                                               v1::License* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.LicenseCatalog/GetLicense", *request, response,
                  [&](const Principal& actor) {
                    return request->has_read_time() ? history_->LicenseAt(request->name(), request->read_time())
                                                    : service_->GetLicense(*request, actor);
                  });
}

grpc::Status LicenseCatalogService::UpdateLicense(grpc::ServerContext* context, const v1::UpdateLicenseRequest* request,
                                                  v1::License* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.LicenseCatalog/UpdateLicense", *request, response,
                  [&](const Principal& actor) { return service_->UpdateLicense(*request, actor); });
}

grpc::Status LicenseCatalogService::DeleteLicense(grpc::ServerContext* context, const v1::DeleteLicenseRequest* request,
                                                  v1::License* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.LicenseCatalog/DeleteLicense", *request, response,
                  [&](const Principal& actor) { return service_->DeleteLicense(*request, actor); });
}

grpc::Status LicenseCatalogService::UndeleteLicense(grpc::ServerContext* context,
                                                    const v1::UndeleteLicenseRequest* request, v1::License* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.LicenseCatalog/UndeleteLicense", *request, response,
                  [&](const Principal& actor) { return service_->UndeleteLicense(*request, actor); });
}

grpc::Status LicenseCatalogService::ListLicenses(grpc::ServerContext* context, const v1::ListLicensesRequest* request,
                                                 v1::ListLicensesResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.LicenseCatalog/ListLicenses", *request, response,
                  [&](const Principal& actor) { return service_->ListLicenses(*request, actor); });
}

}  // namespace modelreg

// gRPC adapter of modelreg.v1.LicenseCatalog: unpacks requests, calls LicenseService, converts the status.
#pragma once

#include "modelreg/v1/license_catalog.grpc.pb.h"
#include "server/api/call_auth.h"
#include "server/service/history_service.h"
#include "server/service/license_service.h"

namespace modelreg {

class LicenseCatalogService final : public v1::LicenseCatalog::Service {
 public:
  // `history` answers GetLicense with a `read_time`.
  LicenseCatalogService(LicenseService* service, HistoryService* history, const CallAuth* auth)
      : service_(service), history_(history), auth_(auth) {}

  grpc::Status CreateLicense(grpc::ServerContext* context, const v1::CreateLicenseRequest* request,
                             v1::License* response) override;
  grpc::Status GetLicense(grpc::ServerContext* context, const v1::GetLicenseRequest* request,
                          v1::License* response) override;
  grpc::Status UpdateLicense(grpc::ServerContext* context, const v1::UpdateLicenseRequest* request,
                             v1::License* response) override;
  grpc::Status DeleteLicense(grpc::ServerContext* context, const v1::DeleteLicenseRequest* request,
                             v1::License* response) override;
  grpc::Status UndeleteLicense(grpc::ServerContext* context, const v1::UndeleteLicenseRequest* request,
                               v1::License* response) override;
  grpc::Status ListLicenses(grpc::ServerContext* context, const v1::ListLicensesRequest* request,
                            v1::ListLicensesResponse* response) override;

 private:
  LicenseService* service_;
  HistoryService* history_;
  const CallAuth* auth_;
};

}  // namespace modelreg

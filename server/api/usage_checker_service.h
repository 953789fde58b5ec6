// gRPC adapter of modelreg.v1.UsageChecker: unpacks requests, calls UsageService, converts the status.
#pragma once

#include "modelreg/v1/usage_checker.grpc.pb.h"
#include "server/api/call_auth.h"
#include "server/service/usage_service.h"

namespace modelreg {

class UsageCheckerService final : public v1::UsageChecker::Service {
 public:
  UsageCheckerService(UsageService* service, const CallAuth* auth) : service_(service), auth_(auth) {}

  grpc::Status CheckUsage(grpc::ServerContext* context, const v1::CheckUsageRequest* request,
                          v1::CheckUsageResponse* response) override;

 private:
  UsageService* service_;
  const CallAuth* auth_;
};

}  // namespace modelreg

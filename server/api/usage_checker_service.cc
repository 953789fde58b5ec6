#include "server/api/usage_checker_service.h"

#include "server/api/unary_call.h"

namespace modelreg {

grpc::Status UsageCheckerService::CheckUsage(grpc::ServerContext* context, const v1::CheckUsageRequest* request,
                                             v1::CheckUsageResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.UsageChecker/CheckUsage", *request, response,
                  [&](const Principal& actor) { return service_->CheckUsage(*request, actor); });
}

}  // namespace modelreg

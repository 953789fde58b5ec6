// Runs one unary handler: authenticates and authorizes the call (CallAuth), calls the service with the acting
// principal, moves the result into the response, converts the status. Any exception that escapes the layers below
// becomes INTERNAL without its text.
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <exception>
#include <utility>

#include "absl/status/statusor.h"
#include "server/api/call_auth.h"
#include "server/api/grpc_status.h"
#include "server/common/logging.h"

namespace modelreg {

// `full_method` is the method's gRPC path (`/modelreg.v1.ModelRegistry/CreateModel`), the key of its
// authorization rule. `call(const Principal&)` returns absl::StatusOr<Response>.
template <typename Request, typename Response, typename Call>
grpc::Status RunUnary(const CallAuth& auth, const grpc::ServerContext& context, const char* full_method,
                      const Request& request, Response* response, Call&& call) {
  try {
    absl::StatusOr<Principal> principal = auth.Check(context, full_method, request);
    if (!principal.ok()) return ToGrpcStatus(principal.status());
    auto result = std::forward<Call>(call)(*principal);
    if (!result.ok()) return ToGrpcStatus(result.status());
    *response = std::move(result).value();
    return grpc::Status::OK;
  } catch (const std::exception& e) {
    MODELREG_LOG(ERROR) << full_method << ": unexpected exception: " << e.what();
    return ToGrpcStatus(absl::InternalError("internal error"));
  }
}

}  // namespace modelreg

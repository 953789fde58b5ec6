// Runs one unary handler: calls the service, moves the result into the response, converts the status. Any
// exception that escapes the layers below becomes INTERNAL without its text.
#pragma once

#include <grpcpp/support/status.h>

#include <exception>
#include <utility>

#include "absl/status/statusor.h"
#include "server/api/grpc_status.h"
#include "server/common/logging.h"

namespace modelreg {

template <typename Response, typename Call>
grpc::Status RunUnary(const char* method, Response* response, Call&& call) {
  try {
    auto result = std::forward<Call>(call)();
    if (!result.ok()) return ToGrpcStatus(result.status());
    *response = std::move(result).value();
    return grpc::Status::OK;
  } catch (const std::exception& e) {
    MODELREG_LOG(ERROR) << method << ": unexpected exception: " << e.what();
    return ToGrpcStatus(absl::InternalError("internal error"));
  }
}

}  // namespace modelreg

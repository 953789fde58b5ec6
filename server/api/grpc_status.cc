#include "server/api/grpc_status.h"

#include <string>

namespace modelreg {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  return {static_cast<grpc::StatusCode>(status.code()), std::string(status.message())};
}

}  // namespace modelreg

// The one conversion from absl::Status to grpc::Status, at the gRPC edge.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace modelreg {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace modelreg

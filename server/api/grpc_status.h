// The one conversion from absl::Status to grpc::Status, at the gRPC edge. Every error leaves with a google.rpc.Status
// in the binary `grpc-status-details-bin` trailer (AIP-193): the details the server code attached as payloads
// (server/common/errors.h), and always a google.rpc.ErrorInfo in domain modelreg.io.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"

namespace modelreg {

grpc::Status ToGrpcStatus(const absl::Status& status);

// The google.rpc.Status ToGrpcStatus sends for a non-OK `status`: code, message, and as details (google.protobuf.Any)
// every payload keyed by a type.googleapis.com URL, ErrorInfo first. Completed at the edge:
// - no ErrorInfo: one with DefaultReason(code);
// - INVALID_ARGUMENT without a BadRequest whose message starts with `<field path>: `: a BadRequest violation on that
//   path (the rest of the message as its description), and reason INVALID_FIELD when the status had none.
google::rpc::Status ToRpcStatus(const absl::Status& status);

// The reason of an error that names none: the code's name (RESOURCE_NOT_FOUND, RESOURCE_ALREADY_EXISTS for NOT_FOUND
// and ALREADY_EXISTS).
std::string DefaultReason(absl::StatusCode code);

}  // namespace modelreg

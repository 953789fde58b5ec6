// Runs one unary handler: authenticates and authorizes the call (CallAuth), calls the service with the acting
// principal, moves the result into the response, converts the status. Any exception that escapes the layers below
// becomes INTERNAL without its text. The call's deadline is the thread's call deadline (server/common/call_deadline.h)
// while the service runs, so the database work it does is bounded by it (server/storage/transaction.h), and the
// principal and request id are the thread's change author (server/common/change_author.h), recorded in the history.
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <exception>
#include <utility>

#include "absl/status/statusor.h"
#include "server/api/call_auth.h"
#include "server/api/grpc_status.h"
#include "server/common/call_deadline.h"
#include "server/common/change_author.h"
#include "server/common/logging.h"
#include "server/domain/request_fingerprint.h"
#include "server/domain/request_id.h"

namespace modelreg {

// The deadline of `context` as an absl::Time. When the client set none: now + DefaultCallTimeout()
// (`--default-deadline`), or InfiniteFuture() when that is off.
inline absl::Time DeadlineOf(const grpc::ServerContextBase& context) {
  const std::chrono::system_clock::time_point deadline = context.deadline();
  // gRPC reports "no deadline" as a far-future time point; anything a century away is no deadline.
  if (deadline >= std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 100)) {
    const absl::Duration timeout = DefaultCallTimeout();
    return timeout > absl::ZeroDuration() ? absl::Now() + timeout : absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

// `full_method` is the method's gRPC path (`/modelreg.v1.ModelRegistry/CreateModel`), the key of its
// authorization rule. `call(const Principal&)` returns absl::StatusOr<Response>.
template <typename Request, typename Response, typename Call>
grpc::Status RunUnary(const CallAuth& auth, const grpc::ServerContext& context, const char* full_method,
                      const Request& request, Response* response, Call&& call) {
  const ScopedCallDeadline deadline(DeadlineOf(context));
  try {
    absl::StatusOr<Principal> principal = auth.Check(context, full_method, request);
    if (!principal.ok()) return ToGrpcStatus(principal.status());
    const ScopedChangeAuthor author({principal->name, NormalizeRequestId(RequestIdOf(request))});
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

// Every call's metrics and access log line, recorded by a gRPC server interceptor. An interceptor (not
// api/unary_call.h) because it sees every method the server answers: the synchronous handlers, the callback
// GetModel, the WatchChanges stream, health and reflection, and calls refused before any handler ran (no free
// thread, a request that does not parse).
//
// Per call, when the status is sent:
// - metrics (`--metrics-listen`): `modelreg_grpc_calls_total{method,code}` +1 and the call's duration observed in
//   `modelreg_grpc_call_duration_seconds{method}` (for WatchChanges: the stream's lifetime);
// - access log (`--log-calls`): one INFO line "call" with the fields method, code, duration (seconds), principal
//   and request_id (empty when the call was refused before authentication or carried none).
//
// Hot path: the interceptor is created per call by gRPC; it looks its method's series up once through a
// reader-locked map keyed by the method's (stable) name pointer, and records with relaxed atomic adds. The principal
// is known only to CallAuth::Check: it notes it here (NoteCallIdentity), keyed by the call's ServerContext, only
// while the access log is on.
#pragma once

#include <grpcpp/server_builder.h>
#include <grpcpp/server_context.h>

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "server/common/metrics.h"

namespace modelreg {

struct CallObserverOptions {
  MetricsRegistry* metrics = nullptr;  // null: no call metrics
  bool log_calls = false;
};

// The interceptor factory; null when `options` asks for nothing. The registry must outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallObserver(
    const CallObserverOptions& options);

// Notes who makes the call on `context` and the request id of `request`, for its access log line. Does nothing
// unless a call observer with the access log on exists. Thread-safe.
void NoteCallIdentity(const grpc::ServerContextBase& context, const std::string& principal,
                      const google::protobuf::Message& request);

// The status code's canonical name (`NOT_FOUND`), as gRPC and Prometheus exporters spell it.
absl::string_view GrpcCodeName(grpc::StatusCode code);

}  // namespace modelreg

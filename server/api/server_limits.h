// Bounds on what calls and connections may use, applied to the gRPC server from modelregd's flags (documented with
// the errors a caller gets in proto/README.md "Limits"):
// - message size (`--max-message-bytes`, default 4 MiB): the largest request accepted and response sent. gRPC
//   answers a larger request RESOURCE_EXHAUSTED ("Received message larger than max (N vs. 4194304)") before any
//   handler runs. Responses stay under it by the page byte budget (server/common/limits.h).
// - concurrent calls per connection (`--max-concurrent-calls-per-connection`, default 100): HTTP/2's
//   SETTINGS_MAX_CONCURRENT_STREAMS; a client's further calls on that connection wait in the client until one ends.
// - handler threads (`--max-threads`, default 128): a grpc::ResourceQuota on the synchronous server's threads. gRPC
//   1.51 (ThreadManager::MainWorkLoop) starts a thread per call in flight while the quota allows; when the thread
//   that took a call is the last one polling for calls and the quota allows no new one, it answers that call
//   RESOURCE_EXHAUSTED at once ("Server Threadpool Exhausted", which the interceptor of malformed_request.h
//   replaces by ServerBusyError()) and goes back to polling. So at most max_threads - 1 calls run at once and
//   further ones fail fast instead of piling up threads. GetModel and BatchGetModels run on gRPC's callback threads,
//   not counted.
// - default deadline (`--default-deadline`, default 60 s): a call without a deadline gets this one for its database
//   work (server/common/call_deadline.h).
#pragma once

#include <grpcpp/server_builder.h>
#include <grpcpp/support/status.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/common/call_deadline.h"
#include "server/common/limits.h"

namespace modelreg {

struct ServerLimits {
  int64_t max_message_bytes = kDefaultMaxMessageBytes;
  int max_concurrent_calls_per_connection = 100;
  int max_threads = 128;
  absl::Duration default_deadline = kDefaultCallTimeout;
  // Threads kept polling for calls (at most max_threads), and up to twice as many when busy; modelregd uses its
  // pool size, so that gRPC does not create and destroy a thread per call.
  int pollers = 1;
};

// INVALID_ARGUMENT naming the flag of a value out of range.
absl::Status CheckServerLimits(const ServerLimits& limits);

// Applies `limits` to `builder` (message sizes, concurrent streams, thread quota, pollers) and sets the process-wide
// values (SetMaxMessageBytes, SetDefaultCallTimeout, the thread count ServerBusyError names). `limits` must pass
// CheckServerLimits.
void ApplyServerLimits(const ServerLimits& limits, grpc::ServerBuilder& builder);

// Whether `status` is gRPC's answer to a call that found no free handler thread.
bool IsServerThreadsExhausted(const grpc::Status& status);

// RESOURCE_EXHAUSTED, reason SERVER_BUSY, naming the thread limit: what a call that found no free handler thread
// gets instead of gRPC's bare "Server Threadpool Exhausted".
absl::Status ServerBusyError();

}  // namespace modelreg

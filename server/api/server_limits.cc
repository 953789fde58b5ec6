#include "server/api/server_limits.h"

#include <grpcpp/resource_quota.h>

#include <algorithm>
#include <atomic>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"

namespace modelreg {
namespace {

std::atomic<int> g_max_threads{ServerLimits().max_threads};

// The message of grpc::internal::ResourceExhaustedHandler (src/cpp/server/server_cc.cc, kServerThreadpoolExhausted).
constexpr char kThreadpoolExhausted[] = "Server Threadpool Exhausted";

}  // namespace

absl::Status CheckServerLimits(const ServerLimits& limits) {
  if (limits.max_message_bytes < kMinMaxMessageBytes || limits.max_message_bytes > kMaxMaxMessageBytes) {
    return absl::InvalidArgumentError(absl::StrCat("--max-message-bytes: expected ", kMinMaxMessageBytes, " to ",
                                                   kMaxMaxMessageBytes, ", got ", limits.max_message_bytes));
  }
  if (limits.max_concurrent_calls_per_connection < 1) {
    return absl::InvalidArgumentError(absl::StrCat("--max-concurrent-calls-per-connection: expected at least 1, got ",
                                                   limits.max_concurrent_calls_per_connection));
  }
  if (limits.max_threads < 2) {
    return absl::InvalidArgumentError(absl::StrCat("--max-threads: expected at least 2, got ", limits.max_threads));
  }
  return absl::OkStatus();
}

void ApplyServerLimits(const ServerLimits& limits, grpc::ServerBuilder& builder) {
  const auto message_bytes = static_cast<int>(limits.max_message_bytes);
  builder.SetMaxReceiveMessageSize(message_bytes);
  builder.SetMaxSendMessageSize(message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, limits.max_concurrent_calls_per_connection);
  grpc::ResourceQuota quota("modelregd");
  quota.SetMaxThreads(limits.max_threads);
  builder.SetResourceQuota(quota);  // the builder keeps its own reference
  // gRPC reserves the minimum pollers from the quota at start (and aborts when it cannot): keep them within it.
  const int min_pollers = std::clamp(limits.pollers, 1, limits.max_threads / 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, min_pollers);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::min(2 * min_pollers, limits.max_threads));
  SetMaxMessageBytes(limits.max_message_bytes);
  SetDefaultCallTimeout(limits.default_deadline);
  g_max_threads.store(limits.max_threads);
}

bool IsServerThreadsExhausted(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && status.error_message() == kThreadpoolExhausted;
}

absl::Status ServerBusyError() {
  return ErrorWithReason(absl::StatusCode::kResourceExhausted, "SERVER_BUSY",
                         absl::StrCat("server busy: all ", g_max_threads.load(),
                                      " request threads are in use (modelregd --max-threads); retry with backoff"));
}

}  // namespace modelreg

// Client::WatchChanges: the reconnecting, resuming change-stream consumer.
#include <random>

#include "client/client.h"

namespace modelreg {
namespace {

// The ends after which the stream is resumed: the server or the connection went away, or cut this consumer off.
bool Resumable(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kResourceExhausted ||
         code == absl::StatusCode::kCancelled || code == absl::StatusCode::kInternal ||
         code == absl::StatusCode::kUnknown;
}

}  // namespace

absl::Status Client::WatchChanges(v1::WatchChangesRequest request,
                                  const std::function<bool(const v1::ChangeEvent&)>& on_event) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  int failures = 0;
  for (;;) {
    grpc::ClientContext context;  // no deadline: a watch runs until the consumer stops it
    std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> reader = history_->WatchChanges(&context, request);
    v1::ChangeEvent event;
    while (reader->Read(&event)) {
      failures = 0;
      request.set_start_after_sequence(event.revision().sequence());
      if (!on_event(event)) {
        context.TryCancel();
        reader->Finish();
        return absl::OkStatus();
      }
    }
    absl::Status status = FromGrpcStatus(reader->Finish());
    if (!Resumable(status.code())) return status;
    ++failures;
    absl::SleepFor(RetryBackoff(retry_policy_, failures, std::uniform_real_distribution<double>(0.0, 1.0)(jitter)));
  }
}

}  // namespace modelreg

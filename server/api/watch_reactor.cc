#include "server/api/watch_reactor.h"

#include "server/api/grpc_status.h"

namespace modelreg {

WatchReactor::WatchReactor(ChangeFeed* feed, const absl::StatusOr<Principal>& principal,
                           const v1::WatchChangesRequest& request) {
  if (!principal.ok()) {
    FinishOnce(principal.status());
    return;
  }
  absl::StatusOr<std::shared_ptr<ChangeSubscription>> subscription =
      feed->Subscribe(request, *principal, [this] { Pump(); });
  if (!subscription.ok()) {
    FinishOnce(subscription.status());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    subscription_ = *std::move(subscription);
  }
  Pump();  // changes buffered (or an end) before subscription_ was set
}

void WatchReactor::Pump() {
  std::shared_ptr<ChangeSubscription> subscription;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_ || subscription_ == nullptr) return;
    subscription = subscription_;
  }
  // A stream that must end ends now, even with a write outstanding (a consumer cut off for being too slow).
  if (std::optional<absl::Status> end = subscription->end()) {
    FinishOnce(*end);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_ || writing_ || !subscription->Next(&current_)) return;
    writing_ = true;
  }
  StartWrite(&current_);
}

void WatchReactor::OnWriteDone(bool ok) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    writing_ = false;
  }
  if (!ok) {  // the stream is broken or cancelled
    FinishOnce(absl::CancelledError("the stream was cancelled"));
    return;
  }
  Pump();
}

void WatchReactor::OnCancel() { FinishOnce(absl::CancelledError("the stream was cancelled")); }

void WatchReactor::FinishOnce(const absl::Status& status) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return;
    finished_ = true;
  }
  Finish(ToGrpcStatus(status));
}

void WatchReactor::OnDone() {
  std::shared_ptr<ChangeSubscription> subscription;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    subscription = subscription_;
  }
  if (subscription != nullptr) subscription->Cancel();  // after this, the feed never calls Pump again
  delete this;
}

}  // namespace modelreg

// The server side of one History.WatchChanges stream: drains its ChangeSubscription (service/change_feed.h) into
// the gRPC stream, one write at a time, and finishes the stream with the status the subscription ends with. The
// feed's thread wakes it when changes were buffered; a finished write wakes it too. It never blocks a thread.
#pragma once

#include <grpcpp/support/server_callback.h>

#include <memory>
#include <mutex>

#include "absl/status/statusor.h"
#include "modelreg/v1/history.pb.h"
#include "server/service/change_feed.h"

namespace modelreg {

class WatchReactor final : public grpc::ServerWriteReactor<v1::ChangeEvent> {
 public:
  // Subscribes `principal` (or finishes at once with its error, or with the subscription's).
  WatchReactor(ChangeFeed* feed, const absl::StatusOr<Principal>& principal, const v1::WatchChangesRequest& request);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Starts the next write, or finishes the stream, if it is time to.
  void Pump();
  // Finishes the stream with `status` unless it is finished already.
  void FinishOnce(const absl::Status& status);

  std::mutex mutex_;
  bool writing_ = false;
  bool finished_ = false;
  v1::ChangeEvent current_;  // the message being written
  std::shared_ptr<ChangeSubscription> subscription_;
};

}  // namespace modelreg

// The change stream behind History.WatchChanges: one thread per modelregd that follows the history (storage/
// change_log.h) and fills a bounded buffer per subscriber, which the gRPC layer drains into its stream.
//
// - Delivery: a change is delivered once committed and once every transaction that could still commit a smaller
//   sequence has ended (domain/history/change_horizon.h), so each subscriber gets every change it may see exactly
//   once, in sequence order, whatever order concurrent transactions commit in.
// - Wake-up: this process's own commits wake the thread within a tick (storage/change_signal.h), and it then
//   NOTIFYs the other modelregd processes, whose threads LISTEN. Without either it looks every `idle_poll`, so a
//   lost notification delays a change, never loses it. Writers never wait for the feed: it only reads, and follows
//   the history only while it has subscribers.
// - Back-pressure: each subscriber's buffer holds at most `buffer_events`; the thread reads more from the database
//   only when there is room. A subscriber whose buffer stays full while changes wait, with nothing taken for
//   `stall_timeout`, is ended with RESOURCE_EXHAUSTED (its buffer dropped), and resumes from its last sequence.
// - Retention: a subscriber resuming after a sequence whose successors are older than `retention` is ended with
//   OUT_OF_RANGE naming the oldest sequence still available.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "modelreg/v1/history.pb.h"
#include "server/domain/auth/auth.h"

namespace modelreg {

class ChangeLog;

// One consumer's side of the feed: its request, its buffer, and how the feed wakes it.
class ChangeSubscription {
 public:
  // Moves the next buffered change into `event`; false when the buffer is empty.
  bool Next(v1::ChangeEvent* event);
  // The status the stream must end with, once set (the buffer is then empty for good).
  std::optional<absl::Status> end() const;
  // The consumer is gone: the feed drops the subscription. Once this returns, `wake` is not running and never runs.
  void Cancel();

  ChangeSubscription(v1::WatchChangesRequest request, Principal principal, std::function<void()> wake);

 private:
  friend class ChangeFeed;
  // Calls `wake` unless cancelled. Never called with mutex_ held.
  void Wake();
  // Ends the stream with `status`, dropping what is buffered.
  void End(absl::Status status);

  const v1::WatchChangesRequest request_;
  const Principal principal_;

  mutable std::mutex mutex_;
  std::deque<v1::ChangeEvent> buffer_;
  std::optional<absl::Status> end_;
  absl::Time last_taken_;  // when the consumer last took a change (or subscribed)
  bool cancelled_ = false;

  std::mutex wake_mutex_;
  std::function<void()> wake_;

  // Feed thread only: the last sequence read for this subscriber (nullopt until its first round).
  std::optional<int64_t> position_;
};

class ChangeFeed {
 public:
  struct Options {
    std::string database_url;
    absl::Duration retention = absl::Hours(24 * 7);
    absl::Duration stall_timeout = absl::Seconds(30);
    int buffer_events = 1000;
    absl::Duration idle_poll = absl::Seconds(1);
  };

  // Starts the thread; it connects (and reconnects) to the database by itself.
  explicit ChangeFeed(Options options);
  // Ends every subscription (UNAVAILABLE) and stops the thread.
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // A new subscriber to the changes `request` asks for, of the resources `principal` may read. `wake` is called
  // (from the feed's thread) whenever changes were buffered or the stream must end. INVALID_ARGUMENT for a request
  // that ValidateWatchRequest refuses; UNAVAILABLE once shutting down.
  absl::StatusOr<std::shared_ptr<ChangeSubscription>> Subscribe(const v1::WatchChangesRequest& request,
                                                                const Principal& principal, std::function<void()> wake);

  // Ends every subscription with UNAVAILABLE (the server is shutting down) and refuses new ones.
  void Shutdown();

 private:
  void Run();
  // One connection's life; returns when stopping, throws when the connection breaks.
  void Follow(ChangeLog& log);
  // Brings `subscriber` up to the horizon as far as its buffer allows; ends it when stalled or out of range.
  void Serve(ChangeLog& log, ChangeSubscription& subscriber, int64_t horizon);
  std::vector<std::shared_ptr<ChangeSubscription>> Subscribers();
  bool stopping();

  const Options options_;
  std::mutex mutex_;
  std::condition_variable stopped_;
  bool stopping_ = false;
  std::vector<std::shared_ptr<ChangeSubscription>> subscribers_;
  std::thread thread_;
};

}  // namespace modelreg

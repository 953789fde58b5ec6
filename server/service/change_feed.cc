#include "server/service/change_feed.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/logging.h"
#include "server/domain/history/change_horizon.h"
#include "server/domain/history/watch_request.h"
#include "server/storage/change_log.h"
#include "server/storage/change_signal.h"

namespace modelreg {
namespace {

// How long the thread waits for a notification before it looks at its own process's commits and its subscribers.
constexpr absl::Duration kTick = absl::Milliseconds(10);
constexpr absl::Duration kMaxBackoff = absl::Seconds(5);
// A horizon held back this long by a running transaction is logged (with who runs it), then again at this interval.
constexpr absl::Duration kHeldBackWarning = absl::Seconds(10);

absl::Status ShuttingDown() {
  return ErrorWithReason(absl::StatusCode::kUnavailable, "SHUTTING_DOWN",
                         "the server is shutting down; resume from the last sequence received");
}

}  // namespace

ChangeSubscription::ChangeSubscription(v1::WatchChangesRequest request, Principal principal, std::function<void()> wake)
    : request_(std::move(request)),
      principal_(std::move(principal)),
      last_taken_(absl::Now()),
      wake_(std::move(wake)) {}

bool ChangeSubscription::Next(v1::ChangeEvent* event) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (buffer_.empty()) return false;
  *event = std::move(buffer_.front());
  buffer_.pop_front();
  last_taken_ = absl::Now();
  return true;
}

std::optional<absl::Status> ChangeSubscription::end() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return end_;
}

void ChangeSubscription::Cancel() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cancelled_ = true;
  }
  std::lock_guard<std::mutex> lock(wake_mutex_);
  wake_ = nullptr;
}

void ChangeSubscription::Wake() {
  std::lock_guard<std::mutex> lock(wake_mutex_);
  if (wake_) wake_();
}

void ChangeSubscription::End(absl::Status status) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (end_.has_value()) return;
    buffer_.clear();
    end_ = std::move(status);
  }
  Wake();
}

ChangeFeed::ChangeFeed(Options options) : options_(std::move(options)), thread_([this] { Run(); }) {}

ChangeFeed::~ChangeFeed() {
  Shutdown();
  thread_.join();
}

void ChangeFeed::Shutdown() {
  std::vector<std::shared_ptr<ChangeSubscription>> ended;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    ended.swap(subscribers_);
  }
  stopped_.notify_all();
  for (const auto& subscriber : ended) subscriber->End(ShuttingDown());
}

absl::StatusOr<std::shared_ptr<ChangeSubscription>> ChangeFeed::Subscribe(const v1::WatchChangesRequest& request,
                                                                          const Principal& principal,
                                                                          std::function<void()> wake) {
  if (absl::Status valid = ValidateWatchRequest(request); !valid.ok()) return valid;
  auto subscriber = std::make_shared<ChangeSubscription>(request, principal, std::move(wake));
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) return ShuttingDown();
  subscribers_.push_back(subscriber);
  return subscriber;
}

bool ChangeFeed::stopping() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

std::vector<std::shared_ptr<ChangeSubscription>> ChangeFeed::Subscribers() {
  std::lock_guard<std::mutex> lock(mutex_);
  subscribers_.erase(std::remove_if(subscribers_.begin(), subscribers_.end(),
                                    [](const std::shared_ptr<ChangeSubscription>& s) {
                                      std::lock_guard<std::mutex> sub_lock(s->mutex_);
                                      return s->cancelled_;
                                    }),
                     subscribers_.end());
  return subscribers_;
}

void ChangeFeed::Run() {
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stopping()) {
    try {
      ChangeLog log(options_.database_url);
      backoff = absl::Milliseconds(100);
      Follow(log);
    } catch (const std::exception& e) {
      MODELREG_LOG(WARNING) << "change feed: database connection lost (" << e.what() << "); reconnecting";
    }
    std::unique_lock<std::mutex> lock(mutex_);
    if (stopped_.wait_for(lock, absl::ToChronoNanoseconds(backoff), [this] { return stopping_; })) break;
    backoff = std::min(2 * backoff, kMaxBackoff);
  }
}

void ChangeFeed::Follow(ChangeLog& log) {
  // The horizon is tracked only while there are subscribers. When tracking starts (at connection, or at the first
  // subscriber), it is known once the transactions running then have ended; until then nothing is served.
  std::optional<ChangeHorizon> horizon;
  int64_t known_from = 0;
  int64_t last_allocated = 0;
  uint64_t seen_local = LocalChangeCount();
  absl::Time last_look = absl::Now();
  absl::Time held_since = last_look;  // since when the horizon has not moved while changes wait
  absl::Time last_warning = absl::InfinitePast();
  while (!stopping()) {
    const bool notified = log.AwaitNotifications(kTick) > 0;
    const uint64_t local = LocalChangeCount();
    const bool local_changes = local != seen_local;
    seen_local = local;
    if (local_changes) log.Notify();  // wake the other processes' feeds
    const std::vector<std::shared_ptr<ChangeSubscription>> subscribers = Subscribers();
    if (subscribers.empty()) {
      horizon.reset();
      continue;
    }
    const absl::Time now = absl::Now();
    if (!horizon.has_value()) {
      known_from = last_allocated = log.AllocatedSequence();
      horizon.emplace();
      horizon->Observe(known_from, log.FenceTransaction());
      last_look = now;
    } else if (notified || local_changes || now - last_look >= options_.idle_poll) {
      last_look = now;
      const int64_t allocated = log.AllocatedSequence();
      if (allocated > last_allocated) {
        horizon->Observe(allocated, log.FenceTransaction());
        last_allocated = allocated;
      }
    }
    if (horizon->pending()) {
      const int64_t before = horizon->horizon();
      horizon->Release(log.OldestRunningTransaction());
      if (horizon->horizon() != before) {
        held_since = now;
      } else if (now - held_since > kHeldBackWarning && now - last_warning > kHeldBackWarning) {
        last_warning = now;
        MODELREG_LOG(WARNING) << "change feed: changes after sequence " << horizon->horizon() << " held back for "
                              << absl::Trunc(now - held_since, absl::Seconds(1))
                              << " by a running transaction: " << log.OldestRunningTransactionHolder();
      }
    } else {
      held_since = now;
    }
    if (horizon->horizon() < known_from) continue;  // not known yet: subscribers starting "now" must wait
    for (const auto& subscriber : subscribers) Serve(log, *subscriber, horizon->horizon());
  }
}

void ChangeFeed::Serve(ChangeLog& log, ChangeSubscription& s, int64_t horizon) {
  size_t room = 0;
  bool stalled = false;
  {
    std::lock_guard<std::mutex> lock(s.mutex_);
    if (s.cancelled_ || s.end_.has_value()) return;
    room = static_cast<size_t>(options_.buffer_events) - std::min(s.buffer_.size(), size_t(options_.buffer_events));
    stalled = room == 0 && s.position_.has_value() && *s.position_ < horizon &&
              absl::Now() - s.last_taken_ > options_.stall_timeout;
  }
  if (stalled) {
    MODELREG_LOG(INFO) << "change feed: cut off " << s.principal_.name << "'s stream after sequence " << *s.position_
                       << ": its buffer stayed full for " << options_.stall_timeout;
    s.End(ErrorWithReason(
        absl::StatusCode::kResourceExhausted, "CONSUMER_TOO_SLOW",
        absl::StrCat("the stream's buffer of ", options_.buffer_events, " changes stayed full for ",
                     absl::FormatDuration(options_.stall_timeout), "; resume from the last sequence received")));
    return;
  }
  if (room == 0) return;
  if (!s.position_.has_value()) {
    if (s.request_.has_start_after_sequence()) {
      const int64_t after = s.request_.start_after_sequence();
      // A position this database never reached (from another database, or from before a restore of this one)
      // would otherwise wait, silently, for changes it has already missed.
      if (const int64_t allocated = log.AllocatedSequence(); after > allocated) {
        s.End(ErrorWithReason(
            absl::StatusCode::kOutOfRange, "SEQUENCE_NOT_REACHED",
            absl::StrCat("start_after_sequence: ", after, " is beyond the latest sequence of this database, ",
                         allocated, "; was it received from another database, or before a restore?"),
            {{"latest_sequence", absl::StrCat(allocated)}}));
        return;
      }
      if (std::optional<int64_t> oldest = log.OldestAvailableIfExpired(after, absl::Now() - options_.retention)) {
        s.End(ErrorWithReason(
            absl::StatusCode::kOutOfRange, "CHANGES_EXPIRED",
            absl::StrCat("the changes after sequence ", after, " are older than the retention of ",
                         absl::FormatDuration(options_.retention), "; the oldest sequence available is ", *oldest),
            {{"oldest_available_sequence", absl::StrCat(*oldest)}}));
        return;
      }
      s.position_ = after;
    } else {
      s.position_ = horizon;
    }
  }
  if (*s.position_ >= horizon) return;
  absl::StatusOr<ChangeLog::Page> page =
      log.Read(*s.position_, horizon, static_cast<int>(room), s.request_.include_records());
  if (!page.ok()) {
    MODELREG_LOG(ERROR) << "change feed: " << page.status();
    s.End(absl::InternalError("internal error"));
    return;
  }
  s.position_ = page->read_to;
  bool added = false;
  {
    std::lock_guard<std::mutex> lock(s.mutex_);
    for (v1::ChangeEvent& event : page->events) {
      const std::string& resource = event.revision().resource();
      if (!MatchesWatchFilter(s.request_, event.kind(), resource) || !MayWatch(s.principal_, event.kind(), resource)) {
        continue;
      }
      s.buffer_.push_back(std::move(event));
      added = true;
    }
  }
  if (added) s.Wake();
}

}  // namespace modelreg

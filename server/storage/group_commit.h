// Group commit: concurrent calls that each write a little are written together, one transaction (one commit, one
// multi-row statement) per group, while every call still gets its own result. A call waits in a queue; whichever
// waiting thread finds a flush slot free takes the queue's front calls (up to `max_group`, all with the front call's
// key) and flushes them on its own thread, then wakes them. Nothing waits on a timer: a group is whatever queued up
// while the earlier flushes ran, so a lone call is flushed at once, and 64 concurrent callers share a few commits.
//
// The flush decides each call's outcome (GroupCommit never reads it), so the all-or-nothing unit stays the call: the
// flush must give each call the result it would have had alone (ModelStore::FlushCreates).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace modelreg {

// A GroupCommit's work since its construction: calls flushed, and flushes (calls / flushes: the mean group).
struct GroupCommitStats {
  uint64_t calls = 0;
  uint64_t flushes = 0;
};

// `Call` is any type with a copyable `key` member compared with ==: only calls with equal keys share a group (what
// the flush must write under one identity, such as the change author).
template <typename Call>
class GroupCommit {
 public:
  using Flush = std::function<void(const std::vector<Call*>& group)>;

  // At most `max_in_flight` flushes run at once (>= 1), each over at most `max_group` calls (>= 1).
  GroupCommit(int max_in_flight, size_t max_group, Flush flush)
      : max_in_flight_(std::max(1, max_in_flight)),
        max_group_(std::max<size_t>(1, max_group)),
        flush_(std::move(flush)) {}
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Calls queued and not yet taken by a flush.
  size_t queued() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return queue_.size();
  }

  GroupCommitStats stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

  // Queues `call` and returns once a flush (on this thread or another) has handled it.
  void Run(Call& call) {
    Waiter self(&call);
    std::unique_lock<std::mutex> lock(mutex_);
    queue_.push_back(&self);
    while (!self.done) {
      if (in_flight_ < max_in_flight_ && !queue_.empty()) {
        Lead(lock);
      } else {
        self.wake.wait(lock);
      }
    }
  }

 private:
  struct Waiter {
    explicit Waiter(Call* c) : call(c) {}
    Call* call;
    bool done = false;
    std::condition_variable wake;
  };

  // Takes a group off the queue, flushes it with `lock` (on mutex_) released, and wakes its calls and a next leader.
  void Lead(std::unique_lock<std::mutex>& lock) {
    std::vector<Waiter*> group;
    const auto key = queue_.front()->call->key;  // a copy: the front leaves the queue
    for (auto it = queue_.begin(); it != queue_.end() && group.size() < max_group_;) {
      if ((*it)->call->key == key) {
        group.push_back(*it);
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    ++in_flight_;
    stats_.calls += group.size();
    ++stats_.flushes;
    WakeNextLeader();
    std::vector<Call*> calls;
    calls.reserve(group.size());
    for (Waiter* waiter : group) calls.push_back(waiter->call);
    lock.unlock();
    flush_(calls);
    lock.lock();
    --in_flight_;
    for (Waiter* waiter : group) {
      waiter->done = true;
      waiter->wake.notify_one();
    }
    WakeNextLeader();
  }

  // Calls left queued while a flush slot is free: the first of them leads the next group. Needs mutex_.
  void WakeNextLeader() {
    if (in_flight_ < max_in_flight_ && !queue_.empty()) queue_.front()->wake.notify_one();
  }

  const int max_in_flight_;
  const size_t max_group_;
  const Flush flush_;
  mutable std::mutex mutex_;  // guards the rest
  std::deque<Waiter*> queue_;
  int in_flight_ = 0;
  GroupCommitStats stats_;
};

}  // namespace modelreg

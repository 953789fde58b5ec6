// GroupCommit: every call handled exactly once, calls queued during a flush grouped, keys never mixed, and the
// limits on group size and flushes in flight kept.
#include "server/storage/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace modelreg {
namespace {

struct TestCall {
  std::string key;
  int value = 0;
  int handled = 0;  // times a flush handled it
  int result = 0;
};

// Records the groups it flushes; each call's result is its value doubled.
class Recorder {
 public:
  void Flush(const std::vector<TestCall*>& group) {
    absl::MutexLock lock(&mutex_);
    std::vector<int> values;
    for (TestCall* call : group) {
      ++call->handled;
      call->result = 2 * call->value;
      values.push_back(call->value);
    }
    groups_.push_back(values);
  }
  std::vector<std::vector<int>> groups() {
    absl::MutexLock lock(&mutex_);
    return groups_;
  }

 private:
  absl::Mutex mutex_;
  std::vector<std::vector<int>> groups_;
};

TEST(GroupCommitTest, ALoneCallIsFlushedAtOnceOnItsOwnThread) {
  Recorder recorder;
  std::thread::id flushed_on;
  GroupCommit<TestCall> commits(2, 100, [&](const std::vector<TestCall*>& group) {
    flushed_on = std::this_thread::get_id();
    recorder.Flush(group);
  });
  TestCall call{"k", 21};
  commits.Run(call);
  EXPECT_EQ(call.result, 42);
  EXPECT_EQ(call.handled, 1);
  EXPECT_EQ(flushed_on, std::this_thread::get_id());
  EXPECT_EQ(recorder.groups(), (std::vector<std::vector<int>>{{21}}));
}

// With one flush in flight and groups of at most `max_group`: flushes a call keyed `first_key` (value 0) and holds
// that flush while `calls` queue behind it, one by one in their order, then lets everything through. Returns the
// groups flushed, as values.
std::vector<std::vector<int>> GroupsBehindAHeldFlush(size_t max_group, const std::string& first_key,
                                                     std::vector<TestCall>& calls) {
  Recorder recorder;
  absl::Notification first_started;
  absl::Notification release_first;
  GroupCommit<TestCall> commits(1, max_group, [&](const std::vector<TestCall*>& group) {
    if (!first_started.HasBeenNotified()) {
      first_started.Notify();
      release_first.WaitForNotification();
    }
    recorder.Flush(group);
  });
  TestCall first{first_key, 0};
  std::thread lead([&] { commits.Run(first); });
  first_started.WaitForNotification();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < calls.size(); ++i) {
    threads.emplace_back([&commits, &calls, i] { commits.Run(calls[i]); });
    while (commits.queued() != i + 1) std::this_thread::yield();
  }
  release_first.Notify();
  lead.join();
  for (std::thread& thread : threads) thread.join();
  std::vector<std::vector<int>> groups = recorder.groups();
  EXPECT_EQ(commits.stats().calls, calls.size() + 1);
  EXPECT_EQ(commits.stats().flushes, groups.size());
  return groups;
}

TEST(GroupCommitTest, CallsQueuedDuringAFlushShareTheNextGroupsInQueueOrder) {
  std::vector<TestCall> calls;
  for (int i = 1; i <= 5; ++i) calls.push_back(TestCall{"k", i});
  EXPECT_EQ(GroupsBehindAHeldFlush(3, "k", calls), (std::vector<std::vector<int>>{{0}, {1, 2, 3}, {4, 5}}));
  for (const TestCall& call : calls) {
    EXPECT_EQ(call.handled, 1);
    EXPECT_EQ(call.result, 2 * call.value);
  }
}

TEST(GroupCommitTest, CallsWithDifferentKeysNeverShareAGroup) {
  std::vector<TestCall> calls = {{"a", 1}, {"b", 2}, {"a", 3}, {"b", 4}};
  EXPECT_EQ(GroupsBehindAHeldFlush(100, "a", calls), (std::vector<std::vector<int>>{{0}, {1, 3}, {2, 4}}));
}

TEST(GroupCommitTest, ManyCallersEachHandledOnceWithinTheFlushLimit) {
  constexpr int kThreads = 16;
  constexpr int kCallsEach = 200;
  std::atomic<int> in_flight{0};
  std::atomic<int> most_in_flight{0};
  std::atomic<int> flushes{0};
  GroupCommit<TestCall> commits(3, 8, [&](const std::vector<TestCall*>& group) {
    const int now = ++in_flight;
    int seen = most_in_flight.load();
    while (now > seen && !most_in_flight.compare_exchange_weak(seen, now)) {
    }
    EXPECT_LE(group.size(), 8u);
    for (TestCall* call : group) {
      ++call->handled;
      call->result = 2 * call->value;
    }
    std::this_thread::yield();
    --in_flight;
    ++flushes;
  });
  std::vector<std::vector<TestCall>> calls(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsEach; ++i) {
        calls[t].push_back(TestCall{t % 2 == 0 ? "even" : "odd", t * kCallsEach + i});
      }
      for (TestCall& call : calls[t]) {
        commits.Run(call);
        EXPECT_EQ(call.handled, 1);
        EXPECT_EQ(call.result, 2 * call.value);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(most_in_flight.load(), 3);
  EXPECT_GE(flushes.load(), kThreads * kCallsEach / 8);
  EXPECT_LE(flushes.load(), kThreads * kCallsEach);
  EXPECT_EQ(commits.queued(), 0u);
  EXPECT_EQ(commits.stats().calls, static_cast<uint64_t>(kThreads * kCallsEach));
  EXPECT_EQ(commits.stats().flushes, static_cast<uint64_t>(flushes.load()));
}

}  // namespace
}  // namespace modelreg

// The change stream across processes: two modelregd on one PostgreSQL database, writers calling both concurrently,
// and watchers that follow History.WatchChanges through either. One watcher disconnects every few dozen changes
// and resumes through the other process after the last sequence it received. Every acknowledged write must arrive
// exactly once, in sequence order, at both watchers: the set of committed writes and the set of events received are
// compared.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "tests/e2e/process.h"
#include "tests/support/test_database.h"

namespace modelreg::testing {
namespace {

using Clock = std::chrono::steady_clock;
// A write as the watcher sees it: the resource and what the change did.
using Write = std::pair<std::string, int>;

constexpr char kPublisher[] = "publishers/stream";
constexpr char kWakeUp[] = "wake-up";

class ChangeStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    char dir_template[] = "/tmp/mrstream.XXXXXX";
    root_ = mkdtemp(dir_template);
    for (const char* name : {"a", "b"}) {
      auto server = std::make_unique<ServerProcess>(root_ + "/" + name);
      ASSERT_TRUE(server->Start({"--database-url=" + database_->url(), "--auth=off", "--load-catalog=false"})) << name;
      servers_.push_back(std::move(server));
    }
  }
  void TearDown() override {
    servers_.clear();
    std::filesystem::remove_all(root_);
  }

  std::unique_ptr<TestDatabase> database_;
  std::string root_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

// Follows the stream from `start_after` until `done` says it has everything; records every event. When
// `hop_every` > 0, disconnects after a random number of events up to it and resumes through the next server.
struct Watcher {
  Watcher(std::vector<std::string> a, int hop) : addresses(std::move(a)), hop_every(hop) {}

  std::vector<std::string> addresses;
  int hop_every = 0;
  std::vector<v1::ChangeEvent> events;
  int reconnects = 0;
  absl::Status status;

  void Run(int64_t start_after, const std::function<bool(const std::vector<v1::ChangeEvent>&)>& done) {
    std::minstd_rand random(42);
    v1::WatchChangesRequest request;
    request.add_name_prefixes(kPublisher);
    request.set_start_after_sequence(start_after);
    for (size_t server = 0; !done(events); ++server) {
      Client client(addresses[server % addresses.size()]);
      const size_t quota = hop_every > 0 ? 1 + random() % hop_every : SIZE_MAX;
      size_t taken = 0;
      status = client.WatchChanges(request, [&](const v1::ChangeEvent& event) {
        events.push_back(event);
        request.set_start_after_sequence(event.revision().sequence());
        return ++taken < quota && !done(events);
      });
      if (!status.ok()) return;
      ++reconnects;
    }
  }
};

TEST_F(ChangeStreamTest, WatchersResumingAcrossTwoServersSeeEveryCommittedWriteOnceAndInOrder) {
  constexpr int kWriters = 16;
  constexpr int kModelsPerWriter = 12;  // each created, updated and deleted: 3 writes
  const std::vector<std::string> addresses = {servers_[0]->address(), servers_[1]->address()};

  std::mutex mutex;
  std::multiset<Write> acknowledged;
  std::atomic<int> failed{0};
  std::atomic<bool> writers_done{false};
  std::atomic<size_t> expected{0};
  std::atomic<bool> give_up{false};
  auto done = [&](const std::vector<v1::ChangeEvent>& events) {
    return give_up || (writers_done && events.size() >= expected.load());
  };

  std::atomic<int> writers_finished{0};
  const auto start = Clock::now();
  Watcher hopping(addresses, /*hop=*/40);
  Watcher steady({addresses[1]}, 0);
  std::thread hopping_thread([&] { hopping.Run(0, done); });
  std::thread steady_thread([&] { steady.Run(0, done); });

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Client client(addresses[w % 2]);
      Client other(addresses[(w + 1) % 2]);
      auto record = [&](const absl::Status& status, const std::string& name, v1::ChangeKind change) {
        if (!status.ok()) {
          ++failed;
          std::fprintf(stderr, "write failed: %s\n", status.ToString().c_str());
          return;
        }
        std::lock_guard<std::mutex> lock(mutex);
        acknowledged.insert({name, change});
      };
      for (int i = 0; i < kModelsPerWriter; ++i) {
        const std::string id = absl::StrCat("w", w, "-m", i);
        const std::string name = absl::StrCat(kPublisher, "/models/", id);
        v1::CreateModelRequest create;
        create.set_parent(kPublisher);
        create.set_model_id(id);
        record(client.CreateModel(create).status(), name, v1::CHANGE_KIND_CREATE);
        v1::UpdateModelRequest update;
        update.mutable_model()->set_name(name);
        update.mutable_model()->set_display_name("updated");
        update.mutable_update_mask()->add_paths("display_name");
        record(other.UpdateModel(update).status(), name, v1::CHANGE_KIND_UPDATE);
        v1::DeleteModelRequest remove;
        remove.set_name(name);
        record(client.DeleteModel(remove).status(), name, v1::CHANGE_KIND_DELETE);
      }
      ++writers_finished;
    });
  }
  // Past 240 s, print where it stands and abort rather than wait silently for ctest's timeout.
  std::atomic<bool> finished{false};
  std::thread watchdog([&] {
    const auto limit = Clock::now() + std::chrono::seconds(240);
    while (!finished && Clock::now() < limit) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (finished) return;
    std::lock_guard<std::mutex> lock(mutex);
    std::fprintf(stderr,
                 "change_stream_test: stuck after 240 s: %d of %d writers finished, %zu writes acknowledged, %d "
                 "failed; watchers done: %d (writers_done %d, expected %zu)\n",
                 writers_finished.load(), kWriters, acknowledged.size(), failed.load(), give_up ? 1 : 0,
                 writers_done ? 1 : 0, expected.load());
    std::fflush(stderr);
    std::abort();
  });
  for (std::thread& t : writers) t.join();
  const double write_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  expected = acknowledged.size();
  writers_done = true;
  // The watchers stop once they have as many events as acknowledged writes; give them a bounded time.
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while ((!done(hopping.events) || !done(steady.events)) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const bool complete = done(hopping.events) && done(steady.events);
  // A watcher that got its last event before `writers_done` was set went back to waiting for the next one: one more
  // write wakes it to look at `done` again (and, past the deadline, to give up). Its event is not counted below.
  if (!complete) give_up = true;
  v1::CreateModelRequest wake;
  wake.set_parent(kPublisher);
  wake.set_model_id(kWakeUp);
  EXPECT_TRUE(Client(addresses[0]).CreateModel(wake).ok());
  hopping_thread.join();
  steady_thread.join();
  finished = true;
  watchdog.join();
  ASSERT_TRUE(complete) << "watchers have " << hopping.events.size() << " and " << steady.events.size() << " of "
                        << expected << " events; " << hopping.status << " / " << steady.status;

  EXPECT_EQ(failed, 0);
  EXPECT_EQ(acknowledged.size(), static_cast<size_t>(kWriters * kModelsPerWriter * 3));
  for (Watcher* watcher : {&hopping, &steady}) {
    std::multiset<Write> received;
    for (size_t i = 0; i < watcher->events.size(); ++i) {
      const v1::Revision& r = watcher->events[i].revision();
      if (r.resource() == absl::StrCat(kPublisher, "/models/", kWakeUp)) continue;
      if (i > 0) {
        ASSERT_GT(r.sequence(), watcher->events[i - 1].revision().sequence()) << "out of order or twice at " << i;
      }
      received.insert({r.resource(), r.change()});
    }
    EXPECT_EQ(received, acknowledged);
  }
  std::printf(
      "change stream: %zu acknowledged writes through 2 servers in %.2f s (%d writers); the resuming watcher "
      "reconnected %d times; both watchers received exactly the %zu writes, in sequence order\n",
      acknowledged.size(), write_seconds, kWriters, hopping.reconnects, acknowledged.size());
}

}  // namespace
}  // namespace modelreg::testing

// Database faults on the embedded default: writers go through the real modelregd while its PostgreSQL postmaster is
// killed with SIGKILL, twice. modelregd must start PostgreSQL again by itself and serve within seconds, and every
// write it acknowledged must be present afterwards.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "tests/e2e/process.h"

namespace modelreg::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The pid on the first line of postmaster.pid; 0 when there is none.
pid_t PostmasterPid(const std::string& pgdata) {
  std::ifstream in(pgdata + "/postmaster.pid");
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/mrfault.XXXXXX";
    root_ = mkdtemp(dir_template);
    chmod(root_.c_str(), 0711);  // as root the cluster runs as `postgres`, which must enter the directory
    server_ = std::make_unique<ServerProcess>(root_ + "/data");
    ASSERT_TRUE(server_->Start({"--load-catalog=false"})) << Log();
    std::ifstream token_file(root_ + "/data/admin.token");
    std::getline(token_file, token_);
    ASSERT_EQ(token_.rfind("mrt_", 0), 0u);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(root_);
  }
  std::string Log() const {
    std::ifstream in(server_ ? server_->log_path() : "");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string root_;
  std::string token_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(FaultTest, PostmasterKilledTwiceNoAcknowledgedWriteIsLostAndServiceResumes) {
  constexpr int kWriters = 4;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> last_ok_ms{0};      // time of the latest acknowledged write, since `start`
  std::atomic<int64_t> last_failed_ms{0};  // time of the latest failed write
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  const Clock::time_point start = Clock::now();
  auto since_start_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  };

  std::vector<std::thread> writers;
  writers.reserve(kWriters);
  // Stops and joins the writers however the test ends.
  struct JoinWriters {
    std::atomic<bool>* stop;
    std::vector<std::thread>* writers;
    ~JoinWriters() {
      *stop = true;
      for (std::thread& writer : *writers) writer.join();
    }
  } join_writers{&stop, &writers};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Client client(server_->address(), token_);
      client.set_deadline(absl::Seconds(3));
      for (int i = 0; !stop.load(); ++i) {
        v1::CreateModelRequest request;
        request.set_parent("publishers/fault");
        request.set_model_id(absl::StrCat("w", w, "-", i));
        request.mutable_model()->set_display_name(absl::StrCat("writer ", w, " model ", i));
        if (client.CreateModel(request).ok()) {
          std::lock_guard<std::mutex> lock(mutex);
          acknowledged.push_back(absl::StrCat("publishers/fault/models/", request.model_id()));
          last_ok_ms = since_start_ms();
        } else {
          ++failed;
          last_failed_ms = since_start_ms();
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    });
  }

  const std::string pgdata = root_ + "/data/pgdata";
  std::vector<double> recovery_seconds;
  for (int round = 0; round < 2; ++round) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const pid_t postmaster = PostmasterPid(pgdata);
    ASSERT_GT(postmaster, 0) << "no postmaster.pid in " << pgdata;
    ASSERT_EQ(kill(postmaster, SIGKILL), 0);
    const int64_t killed_ms = since_start_ms();
    auto wait_for = [&](const std::function<bool()>& done) {
      while (!done() && since_start_ms() - killed_ms < 20000) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      return done();
    };
    // The outage shows (a write fails), then a write is acknowledged again. Allow 20 s.
    ASSERT_TRUE(wait_for([&] { return last_failed_ms.load() > killed_ms; })) << "no write failed after the kill";
    const int64_t outage_ms = last_failed_ms.load();
    ASSERT_TRUE(wait_for([&] { return last_ok_ms.load() > outage_ms; }))
        << "no write succeeded within 20 s of killing the postmaster\n"
        << Log();
    recovery_seconds.push_back(static_cast<double>(last_ok_ms.load() - killed_ms) / 1000.0);
    EXPECT_NE(PostmasterPid(pgdata), postmaster) << "PostgreSQL was not started again";
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  for (std::thread& writer : writers) writer.join();
  writers.clear();

  // Every acknowledged write is present.
  Client client(server_->address(), token_);
  int64_t lost = 0;
  for (const std::string& name : acknowledged) {
    v1::GetModelRequest request;
    request.set_name(name);
    if (!client.GetModel(request).ok()) ++lost;
  }
  std::printf(
      "fault test: %zu writes acknowledged, %lld failed, %lld lost; served again %.1f s and %.1f s after "
      "each SIGKILL of the postmaster\n",
      acknowledged.size(), static_cast<long long>(failed.load()), static_cast<long long>(lost), recovery_seconds[0],
      recovery_seconds[1]);
  EXPECT_EQ(lost, 0);
  EXPECT_GT(acknowledged.size(), 0u);
  EXPECT_GT(failed.load(), 0) << "the kills should have failed some writes";
  for (double seconds : recovery_seconds) EXPECT_LT(seconds, 15.0);
}

}  // namespace
}  // namespace modelreg::testing

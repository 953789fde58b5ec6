// Process safety on the embedded default: SIGTERM under load (graceful shutdown bounded by --shutdown-grace, nothing
// acknowledged lost, the embedded PostgreSQL stopped cleanly), a write blocked past the grace period (cancelled, not
// committed), and a SIGKILL of modelregd (the next start recovers the orphaned cluster).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "tests/e2e/process.h"

namespace modelreg::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kPgBinDir[] = "/usr/lib/postgresql/15/bin";

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The pid on the first line of postmaster.pid; 0 when there is none.
pid_t PostmasterPid(const std::string& pgdata) {
  std::ifstream in(pgdata + "/postmaster.pid");
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

// A process that runs (a zombie nobody reaped does not count).
bool Alive(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string ignored;
  std::string state;
  if (!(in >> ignored)) return false;
  // The command name is in parentheses and may hold spaces: the state follows the last ')'.
  std::string rest((std::istreambuf_iterator<char>(in)), {});
  const size_t paren = rest.rfind(')');
  return paren != std::string::npos && paren + 2 < rest.size() && rest[paren + 2] != 'Z';
}

// "Database cluster state" of pg_controldata, e.g. "shut down" or "in production".
std::string ClusterState(const std::string& pgdata) {
  const CommandResult result = RunCommand({absl::StrCat(kPgBinDir, "/pg_controldata"), pgdata});
  const std::string key = "Database cluster state:";
  const size_t at = result.out.find(key);
  if (at == std::string::npos) return "(pg_controldata failed: " + result.err + ")";
  const size_t begin = result.out.find_first_not_of(' ', at + key.size());
  return result.out.substr(begin, result.out.find('\n', begin) - begin);
}

// A grpc.health.v1.Health/Watch stream (service ""): the statuses the server sends, one at a time.
class HealthWatch {
 public:
  static constexpr int kServing = 1;
  static constexpr int kNotServing = 2;

  explicit HealthWatch(const std::string& address)
      : stub_(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())) {
    call_ = stub_.PrepareCall(&context_, "/grpc.health.v1.Health/Watch", &cq_);
    call_->StartCall(nullptr);
    Await(absl::Seconds(10));
    grpc::Slice empty("");  // HealthCheckRequest{service: ""}
    grpc::ByteBuffer request(&empty, 1);
    call_->Write(request, nullptr);
    Await(absl::Seconds(10));
  }
  HealthWatch(const HealthWatch&) = delete;
  HealthWatch& operator=(const HealthWatch&) = delete;
  ~HealthWatch() {
    context_.TryCancel();
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  // The next status the server sends within `timeout` (kServing, kNotServing); 0 when none came (then the stream
  // still has a read pending: do not call again).
  int Next(absl::Duration timeout) {
    grpc::ByteBuffer response;
    call_->Read(&response, nullptr);
    if (!Await(timeout)) return 0;
    std::vector<grpc::Slice> slices;
    (void)response.Dump(&slices);
    std::string bytes;  // HealthCheckResponse{status: S} is the two bytes 0x08 S
    for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    return bytes.size() == 2 && bytes[0] == 0x08 ? bytes[1] : -1;
  }

 private:
  // Waits for the pending operation; false when it failed or timed out.
  bool Await(absl::Duration timeout) {
    void* tag = nullptr;
    bool ok = false;
    return cq_.AsyncNext(&tag, &ok, absl::ToChronoTime(absl::Now() + timeout)) == grpc::CompletionQueue::GOT_EVENT &&
           ok;
  }

  grpc::GenericStub stub_;
  grpc::ClientContext context_;
  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
};

v1::CreateModelRequest ModelRequest(const std::string& id) {
  v1::CreateModelRequest request;
  request.set_parent("publishers/shutdown");
  request.set_model_id(id);
  request.mutable_model()->set_display_name("model " + id);
  return request;
}

class ShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/mrshutdown.XXXXXX";
    root_ = mkdtemp(dir_template);
    chmod(root_.c_str(), 0711);  // as root the cluster runs as `postgres`, which must enter the directory
    data_dir_ = root_ + "/data";
    pgdata_ = data_dir_ + "/pgdata";
    server_ = std::make_unique<ServerProcess>(data_dir_);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(root_);
  }

  // Starts modelregd on data_dir_ and reads the admin token of its first start.
  void StartServer(const std::vector<std::string>& flags) {
    std::vector<std::string> all = {"--load-catalog=false"};
    all.insert(all.end(), flags.begin(), flags.end());
    ASSERT_TRUE(server_->Start(all)) << Log();
    std::ifstream token_file(data_dir_ + "/admin.token");
    std::getline(token_file, token_);
    ASSERT_EQ(token_.rfind("mrt_", 0), 0u);
  }

  std::string Log() const {
    std::ifstream in(server_->log_path());
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // How many of `names` the server does not have.
  int64_t CountMissing(const std::vector<std::string>& names) {
    Client client(server_->address(), token_);
    int64_t missing = 0;
    for (const std::string& name : names) {
      v1::GetModelRequest request;
      request.set_name(name);
      if (!client.GetModel(request).ok()) ++missing;
    }
    return missing;
  }

  // After a graceful stop: no postmaster.pid, and the cluster is marked cleanly shut down (no crash recovery next).
  void ExpectPostgresStoppedCleanly() {
    EXPECT_FALSE(std::filesystem::exists(pgdata_ + "/postmaster.pid")) << "the embedded PostgreSQL still runs";
    EXPECT_EQ(ClusterState(pgdata_), "shut down");
  }

  std::string root_;
  std::string data_dir_;
  std::string pgdata_;
  std::string token_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ShutdownTest, SigtermUnderLoadLosesNothingAndStopsPostgresCleanly) {
  constexpr int kWriters = 4;
  constexpr double kGraceSeconds = 10;  // the default --shutdown-grace
  ASSERT_NO_FATAL_FAILURE(StartServer({}));
  std::atomic<bool> stop{false};
  std::atomic<int64_t> failed{0};
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Client client(server_->address(), token_);
      client.set_deadline(absl::Seconds(5));
      for (int i = 0; !stop.load(); ++i) {
        const v1::CreateModelRequest request = ModelRequest(absl::StrCat("w", w, "-", i));
        if (client.CreateModel(request).ok()) {
          std::lock_guard<std::mutex> lock(mutex);
          acknowledged.push_back(absl::StrCat("publishers/shutdown/models/", request.model_id()));
        } else {
          ++failed;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const Clock::time_point signalled = Clock::now();
  const int exit_code = server_->Stop(SIGTERM);
  const double exit_seconds = SecondsSince(signalled);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // writers see the server gone
  stop = true;
  for (std::thread& writer : writers) writer.join();

  EXPECT_EQ(exit_code, 0) << Log();
  EXPECT_LT(exit_seconds, kGraceSeconds + 5);
  ExpectPostgresStoppedCleanly();
  ASSERT_GT(acknowledged.size(), 0u);
  EXPECT_GT(failed.load(), 0) << "writers kept writing after the server was gone?";

  ASSERT_NO_FATAL_FAILURE(StartServer({}));
  const int64_t lost = CountMissing(acknowledged);
  std::printf(
      "SIGTERM under load: %zu writes acknowledged, %lld failed (refused once shutting down), %lld lost; "
      "exited %.2f s after SIGTERM with code %d\n",
      acknowledged.size(), static_cast<long long>(failed.load()), static_cast<long long>(lost), exit_seconds,
      exit_code);
  EXPECT_EQ(lost, 0);
}

// A create blocked on a lock that the test holds from its own connection to the embedded cluster.
class BlockedWrite {
 public:
  BlockedWrite(const std::string& data_dir, const std::string& address, const std::string& token)
      : locker_(absl::StrCat("host=", data_dir, " port=5432 user=postgres dbname=modelreg")), lock_(locker_) {
    lock_.exec("LOCK TABLE models IN EXCLUSIVE MODE");  // reads go on; inserts wait
    thread_ = std::thread([this, address, token] {
      Client client(address, token);
      client.set_deadline(absl::Seconds(60));
      const Clock::time_point start = Clock::now();
      status_ = client.CreateModel(ModelRequest("blocked")).status();
      seconds_ = SecondsSince(start);
    });
  }
  BlockedWrite(const BlockedWrite&) = delete;
  BlockedWrite& operator=(const BlockedWrite&) = delete;
  ~BlockedWrite() {
    if (thread_.joinable()) thread_.join();
  }

  // True once the create waits for the lock (within 10 s).
  bool WaitUntilBlocked() {
    for (int i = 0; i < 100; ++i) {
      if (lock_.exec1("SELECT count(*) FROM pg_locks WHERE NOT granted")[0].as<int>() > 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // Commits the lock's transaction: the create goes on.
  void Release() { lock_.commit(); }
  // Waits for the create's answer.
  absl::Status Result() {
    thread_.join();
    return status_;
  }
  double seconds() const { return seconds_; }

 private:
  pqxx::connection locker_;
  pqxx::work lock_;
  std::thread thread_;
  absl::Status status_;
  double seconds_ = 0;
};

TEST_F(ShutdownTest, WriteBlockedPastTheGraceIsCancelledNotCommitted) {
  constexpr double kGraceSeconds = 2;
  // A long lock timeout, so that only the shutdown can end the blocked write.
  ASSERT_NO_FATAL_FAILURE(StartServer({"--shutdown-grace=2s", "--lock-timeout=60s"}));
  Client client(server_->address(), token_);
  ASSERT_TRUE(client.CreateModel(ModelRequest("before")).ok());

  HealthWatch health(server_->address());
  ASSERT_EQ(health.Next(absl::Seconds(10)), HealthWatch::kServing);
  double exit_seconds = 0;
  double not_serving_seconds = -1;
  int exit_code = -1;
  absl::Status blocked;
  {
    BlockedWrite write(data_dir_, server_->address(), token_);
    ASSERT_TRUE(write.WaitUntilBlocked()) << Log();
    const Clock::time_point signalled = Clock::now();
    std::thread stopper([&] { exit_code = server_->Stop(SIGTERM); });
    // Health turns NOT_SERVING at once, while the blocked call still has its grace period.
    if (health.Next(absl::Seconds(kGraceSeconds)) == HealthWatch::kNotServing) {
      not_serving_seconds = SecondsSince(signalled);
    }
    stopper.join();
    exit_seconds = SecondsSince(signalled);
    blocked = write.Result();
    // The fast shutdown of PostgreSQL ended the test's locking session too; the lock's destructor rolls back.
  }
  std::printf(
      "blocked write past a %.0f s grace: answered %s; health NOT_SERVING %.2f s and modelregd exited %.2f s after "
      "SIGTERM with code %d\n",
      kGraceSeconds, blocked.ToString().c_str(), not_serving_seconds, exit_seconds, exit_code);
  EXPECT_EQ(exit_code, 0) << Log();
  EXPECT_GE(not_serving_seconds, 0) << "health did not turn NOT_SERVING during the grace period";
  EXPECT_LT(not_serving_seconds, 1.0);
  // Cancelled half-way through a grace period this short, then the calls left are ended at its end.
  EXPECT_GE(exit_seconds, kGraceSeconds / 2 - 0.1) << "the in-flight call did not get its grace period";
  EXPECT_LT(exit_seconds, kGraceSeconds + 5) << Log();
  EXPECT_EQ(blocked.code(), absl::StatusCode::kUnavailable) << blocked;
  EXPECT_NE(Log().find("cancelled the running database statements"), std::string::npos) << Log();
  ExpectPostgresStoppedCleanly();

  ASSERT_NO_FATAL_FAILURE(StartServer({}));
  EXPECT_EQ(CountMissing({"publishers/shutdown/models/before"}), 0);
  v1::GetModelRequest get;
  get.set_name("publishers/shutdown/models/blocked");
  EXPECT_EQ(Client(server_->address(), token_).GetModel(get).status().code(), absl::StatusCode::kNotFound)
      << "the cancelled write was committed";
}

TEST_F(ShutdownTest, InFlightWriteFinishingWithinTheGraceSucceeds) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--shutdown-grace=10s", "--lock-timeout=60s"}));
  absl::Status answered;
  double exit_seconds = 0;
  int exit_code = -1;
  {
    BlockedWrite write(data_dir_, server_->address(), token_);
    ASSERT_TRUE(write.WaitUntilBlocked()) << Log();
    const Clock::time_point signalled = Clock::now();
    std::thread stopper([&] { exit_code = server_->Stop(SIGTERM); });
    std::this_thread::sleep_for(std::chrono::seconds(1));
    write.Release();  // well within the grace: the call completes
    answered = write.Result();
    stopper.join();
    exit_seconds = SecondsSince(signalled);
  }
  EXPECT_TRUE(answered.ok()) << answered;
  EXPECT_EQ(exit_code, 0) << Log();
  EXPECT_LT(exit_seconds, 8) << "modelregd waited for the whole grace period although no call was left";
  ExpectPostgresStoppedCleanly();
  ASSERT_NO_FATAL_FAILURE(StartServer({}));
  EXPECT_EQ(CountMissing({"publishers/shutdown/models/blocked"}), 0);
}

TEST_F(ShutdownTest, NextStartAfterSigkillRecoversTheOrphanedCluster) {
  constexpr int kModels = 50;
  ASSERT_NO_FATAL_FAILURE(StartServer({}));
  std::vector<std::string> acknowledged;
  {
    Client client(server_->address(), token_);
    for (int i = 0; i < kModels; ++i) {
      if (client.CreateModel(ModelRequest(absl::StrCat("m", i))).ok()) {
        acknowledged.push_back(absl::StrCat("publishers/shutdown/models/m", i));
      }
    }
  }
  ASSERT_EQ(acknowledged.size(), static_cast<size_t>(kModels));
  const pid_t orphan = PostmasterPid(pgdata_);
  ASSERT_GT(orphan, 0);
  server_->Stop(SIGKILL);
  ASSERT_TRUE(Alive(orphan)) << "the embedded postmaster should outlive a SIGKILL of modelregd";

  const Clock::time_point restart = Clock::now();
  ASSERT_NO_FATAL_FAILURE(StartServer({}));
  const double start_seconds = SecondsSince(restart);
  const int64_t lost = CountMissing(acknowledged);
  std::printf("SIGKILL of modelregd: next start served after %.2f s; %d models acknowledged, %lld lost\n",
              start_seconds, kModels, static_cast<long long>(lost));
  EXPECT_EQ(lost, 0);
  EXPECT_LT(start_seconds, 20);
  EXPECT_FALSE(Alive(orphan)) << "the orphaned postmaster was left running";
  EXPECT_NE(PostmasterPid(pgdata_), orphan);
  EXPECT_NE(Log().find("left by a modelregd that is gone"), std::string::npos) << Log();
  // And it shuts down cleanly itself.
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  ExpectPostgresStoppedCleanly();
}

}  // namespace
}  // namespace modelreg::testing

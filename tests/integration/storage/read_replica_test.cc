// Read replicas against a real streaming standby of the test cluster (made by pg_basebackup in the fixture): List and
// GetModel's fetches are served by the standby while its replay lag is under the limit, by the primary once it is
// over, after this process's own writes (read-your-writes) or while the standby is down, and a standby's stale read
// never fills the model cache. Writes "by another modelregd" are made by a forked child process with its own pool.
#include "server/storage/read_replica.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/metrics.h"
#include "server/common/status_macros.h"
#include "server/domain/query/model_query.h"
#include "server/server_metrics.h"
#include "server/storage/model_change_listener.h"
#include "server/storage/model_store.h"
#include "tests/integration/storage/storage_test_base.h"
#include "tests/integration/storage/store_test_data.h"
#include "tests/support/eventually.h"
#include "tests/support/standby_cluster.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::Eventually;
using ::modelreg::testing::MinimalModel;
using ::modelreg::testing::StandbyCluster;
using ::modelreg::testing::StorageTest;
using ::testing::Contains;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kMaxLag = absl::Seconds(2);

std::string Name(const std::string& id) { return absl::StrCat("publishers/replica/models/", id); }

// Runs `write` (a store call on a pool of its own) in a child process, as another modelregd on the database would, so
// that this process's read-your-writes rule does not apply to it. True when it returned OK.
bool WriteInAnotherProcess(const std::string& url, const std::function<absl::Status(ModelStore&)>& write) {
  const pid_t child = fork();
  if (child == 0) {
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(url, 1);
    bool ok = pool.ok();
    if (ok) {
      ModelStore store(pool->get());
      ok = write(store).ok();
    }
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  return child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

absl::Status SetDescription(ModelStore& store, const std::string& name, const std::string& description) {
  return store
      .Update(name,
              [&](Transaction&, v1::Model& model) {
                model.set_description(description);
                return absl::OkStatus();
              })
      .status();
}

class ReadReplicaTest : public StorageTest {
 protected:
  static void SetUpTestSuite() {
    StorageTest::SetUpTestSuite();
    if (pool_ == nullptr) return;
    absl::StatusOr<std::unique_ptr<StandbyCluster>> standby = StandbyCluster::Start(db_->admin_url());
    if (!standby.ok()) {
      setup_error_ = standby.status().ToString();
      pool_.reset();
      return;
    }
    standby_ = *std::move(standby);
  }
  static void TearDownTestSuite() {
    standby_.reset();
    StorageTest::TearDownTestSuite();
  }

  void SetUp() override {
    StorageTest::SetUp();
    if (HasFatalFailure()) return;  // no test database, or no standby: reported, and nothing to set up
    ReadReplica::Options options;
    options.url = standby_->Url(db().name());
    options.pool_size = 2;
    options.max_lag = kMaxLag;
    options.check_interval = absl::Milliseconds(50);
    options.cache = &cache_;
    replica_ = std::make_unique<ReadReplica>(&pool(), options);
    store_ = std::make_unique<ModelStore>(&pool(), &cache_);
    store_->set_read_replica(replica_.get());
    listener_ = std::make_unique<ModelChangeListener>(db().url(), &cache_, store_.get());
    ASSERT_TRUE(Eventually([&] { return cache_.enabled(); })) << "the change listener never connected";
    // Not exactly zero: other tests may be writing to the same cluster, whose WAL the standby replays too.
    ASSERT_TRUE(Eventually([&] { return replica_->stats().lag < kMaxLag / 4; })) << "the standby never caught up";
  }
  void TearDown() override {
    if (standby_ != nullptr) SetReplayPaused(false);
    listener_.reset();
  }

  // Pauses or resumes WAL replay on the standby, and waits until it is so.
  void SetReplayPaused(bool paused) {
    pqxx::connection standby(standby_->Url(db().name()));
    pqxx::nontransaction tx(standby);
    tx.exec(paused ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()");
    ASSERT_TRUE(Eventually([&] {
      return tx.exec1("SELECT pg_get_wal_replay_pause_state()")[0].as<std::string>() ==
             (paused ? "paused" : "not paused");
    }));
  }

  // The names ListModels returns for publisher `replica`, and whether the standby served the call.
  std::vector<std::string> ListNames(bool* by_replica) {
    v1::ListModelsRequest request;
    request.set_parent("publishers/replica");
    absl::StatusOr<ListQuery> query = CompileListModels(request);
    EXPECT_OK(query);
    const int64_t before = replica_->stats().replica_reads;
    absl::StatusOr<Page<std::string>> page = store_->ListSerialized(*query);
    EXPECT_OK(page);
    *by_replica = replica_->stats().replica_reads > before;
    std::vector<std::string> names;
    if (page.ok()) {
      for (const std::string& bytes : page->items) {
        v1::Model model;
        EXPECT_TRUE(model.ParseFromString(bytes));
        names.push_back(model.name());
      }
    }
    return names;
  }

  // The description of `name` as Fetch reads it (past the cache), and whether the standby served it.
  std::string FetchDescription(const std::string& name, bool* by_replica) {
    const int64_t before = replica_->stats().replica_reads;
    absl::StatusOr<std::vector<ModelRepository::SerializedModel>> found = store_->Fetch({name});
    EXPECT_OK(found);
    *by_replica = replica_->stats().replica_reads > before;
    v1::Model model;
    if (!found.ok() || found->size() != 1 || !model.ParseFromString(*(*found)[0].bytes)) return "<missing>";
    return model.description();
  }

  // The description of `name` as the cache holds it.
  std::string CachedDescription(const std::string& name) {
    const std::shared_ptr<const std::string> bytes = store_->GetCached(name);
    v1::Model model;
    if (bytes == nullptr || !model.ParseFromString(*bytes)) return "<not cached>";
    return model.description();
  }

  static inline std::unique_ptr<StandbyCluster> standby_;
  ModelCache cache_{size_t{8} << 20};
  std::unique_ptr<ReadReplica> replica_;
  std::unique_ptr<ModelStore> store_;
  std::unique_ptr<ModelChangeListener> listener_;  // invalidates the cache on the other process's writes
};

TEST_F(ReadReplicaTest, ListIsServedByTheStandbyWithinMaxLagAndByThePrimaryBeyond) {
  ASSERT_TRUE(WriteInAnotherProcess(
      db().url(), [](ModelStore& other) { return other.Create(MinimalModel(Name("before-pause"))).status(); }));
  bool by_replica = false;
  ASSERT_TRUE(Eventually([&] {
    return ::testing::Value(ListNames(&by_replica), Contains(Name("before-pause"))) && by_replica;
  })) << "the standby never served the replicated model";

  SetReplayPaused(true);
  ASSERT_TRUE(WriteInAnotherProcess(
      db().url(), [](ModelStore& other) { return other.Create(MinimalModel(Name("while-paused"))).status(); }));
  const absl::Time written = absl::Now();
  // Within the limit the standby answers, with the state before the write it has not replayed.
  std::vector<std::string> names = ListNames(&by_replica);
  ASSERT_LT(absl::Now() - written, kMaxLag) << "too slow to observe the standby within the limit";
  EXPECT_TRUE(by_replica);
  EXPECT_THAT(names, Contains(Name("before-pause")));
  EXPECT_THAT(names, Not(Contains(Name("while-paused"))));

  // Once the lag is over the limit, the primary answers, with the new row.
  ASSERT_TRUE(Eventually([&] { return replica_->stats().lag >= kMaxLag; }));
  names = ListNames(&by_replica);
  EXPECT_FALSE(by_replica);
  EXPECT_THAT(names, Contains(Name("while-paused")));

  // Replay resumed: the standby serves again, now with the row.
  SetReplayPaused(false);
  EXPECT_TRUE(Eventually(
      [&] { return ::testing::Value(ListNames(&by_replica), Contains(Name("while-paused"))) && by_replica; }));
}

TEST_F(ReadReplicaTest, ThisProcesssOwnWritesAreReadFromThePrimaryUntilTheStandbyHasThem) {
  bool by_replica = false;
  ASSERT_TRUE(Eventually([&] {
    ListNames(&by_replica);
    return by_replica;
  }));
  SetReplayPaused(true);
  ASSERT_OK(store_->Create(MinimalModel(Name("own-write"))));
  // The lag is under the limit, but the standby has not replayed this process's write: the primary answers.
  EXPECT_LT(replica_->stats().lag, kMaxLag);
  EXPECT_THAT(ListNames(&by_replica), Contains(Name("own-write")));
  EXPECT_FALSE(by_replica);
  EXPECT_EQ(FetchDescription(Name("own-write"), &by_replica), "");
  EXPECT_FALSE(by_replica);

  SetReplayPaused(false);
  EXPECT_TRUE(Eventually([&] {
    return ::testing::Value(ListNames(&by_replica), Contains(Name("own-write"))) && by_replica;
  })) << "the standby was not used again once it had replayed the write";
}

TEST_F(ReadReplicaTest, AStandbyInSyncFillsTheCacheAStaleOneDoesNot) {
  const std::string name = Name("cached");
  ASSERT_TRUE(WriteInAnotherProcess(db().url(), [&](ModelStore& other) {
    MODELREG_RETURN_IF_ERROR(other.Create(MinimalModel(name)).status());
    return SetDescription(other, name, "first");
  }));
  bool by_replica = false;
  // A fill is kept once a check has fenced the notifications of those writes (read_replica.h).
  ASSERT_TRUE(Eventually([&] {
    return FetchDescription(name, &by_replica) == "first" && by_replica && store_->GetCached(name) != nullptr;
  })) << "an in-sync standby's read never filled the cache";

  SetReplayPaused(true);
  ASSERT_TRUE(
      WriteInAnotherProcess(db().url(), [&](ModelStore& other) { return SetDescription(other, name, "second"); }));
  // Its notification invalidates the cached model; the standby still has the first description.
  ASSERT_TRUE(Eventually([&] { return store_->GetCached(name) == nullptr; }));
  EXPECT_EQ(FetchDescription(name, &by_replica), "first");
  EXPECT_TRUE(by_replica);
  EXPECT_EQ(CachedDescription(name), "<not cached>") << "a stale standby read was cached";

  SetReplayPaused(false);
  EXPECT_TRUE(Eventually([&] { return FetchDescription(name, &by_replica) == "second" && by_replica; }));
  EXPECT_TRUE(Eventually([&] {
    FetchDescription(name, &by_replica);
    return CachedDescription(name) == "second";
  }));
}

TEST_F(ReadReplicaTest, AStandbyDownSendsReadsToThePrimary) {
  ASSERT_OK(standby_->Stop());
  ASSERT_TRUE(WriteInAnotherProcess(
      db().url(), [](ModelStore& other) { return other.Create(MinimalModel(Name("standby-down"))).status(); }));
  bool by_replica = true;
  // At once: a read that fails on the standby runs again on the primary.
  EXPECT_THAT(ListNames(&by_replica), Contains(Name("standby-down")));
  EXPECT_FALSE(by_replica);
  EXPECT_TRUE(Eventually([&] { return !replica_->stats().reachable; }));
  EXPECT_THAT(ListNames(&by_replica), Contains(Name("standby-down")));
  EXPECT_FALSE(by_replica);
  EXPECT_GE(replica_->stats().primary_reads, 2);

  ASSERT_OK(standby_->Restart());
  EXPECT_TRUE(Eventually([&] {
    return ::testing::Value(ListNames(&by_replica), Contains(Name("standby-down"))) && by_replica;
  })) << "the standby was not used again after it came back";
}

TEST_F(ReadReplicaTest, MetricsShowTheStandbyItsLagAndWhereReadsRan) {
  MetricsRegistry registry;
  RegisterReadReplicaMetrics(registry, *replica_);
  bool by_replica = false;
  ASSERT_TRUE(Eventually([&] {
    ListNames(&by_replica);
    return by_replica;
  }));
  std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("\nmodelreg_replica_up 1\n"));
  EXPECT_THAT(text, ContainsRegex("\nmodelreg_replica_lag_seconds (0|0\\.[0-9]+|[0-9.]+e-[0-9]+)\n"));
  EXPECT_THAT(text, ContainsRegex("modelreg_replica_reads_total\\{served_by=\"replica\"\\} [1-9]"));

  ASSERT_OK(standby_->Stop());
  ListNames(&by_replica);  // on the primary: at once as a fallback, or routed there once the check saw it down
  EXPECT_FALSE(by_replica);
  ASSERT_TRUE(Eventually([&] { return !replica_->stats().reachable; }));
  text = registry.Render();
  EXPECT_THAT(text, HasSubstr("\nmodelreg_replica_up 0\n"));
  EXPECT_THAT(text, HasSubstr("\nmodelreg_replica_lag_seconds +Inf\n"));
  EXPECT_THAT(text, ContainsRegex("modelreg_replica_reads_total\\{served_by=\"(fallback|primary)\"\\} [1-9]"));
  ASSERT_OK(standby_->Restart());
}

}  // namespace
}  // namespace modelreg

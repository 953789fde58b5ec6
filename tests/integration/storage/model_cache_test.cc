// The model cache against a real PostgreSQL: reads through it, invalidation by this process's writes at once and by
// other processes' writes through notifications, warm-up, Lists taking records of the row versions they list, and
// the cache switching off while its listener is disconnected.
#include "server/storage/model_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/common/status_macros.h"
#include "server/domain/query/model_query.h"
#include "server/storage/model_change_listener.h"
#include "server/storage/model_store.h"
#include "server/storage/pg_errors.h"
#include "server/storage/pooled_connection.h"
#include "server/storage/transaction.h"
#include "tests/integration/storage/storage_test_base.h"
#include "tests/integration/storage/store_test_data.h"
#include "tests/support/eventually.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::Eventually;
using ::modelreg::testing::MinimalModel;
using ::modelreg::testing::StatusIs;
using ::modelreg::testing::StorageTest;

constexpr absl::Duration kPatience = absl::Seconds(10);

std::string Name(const std::string& id) { return absl::StrCat("publishers/cache/models/", id); }

absl::Status SetDescription(ModelStore& store, const std::string& name, const std::string& description) {
  return store
      .Update(name,
              [&](Transaction&, v1::Model& model) {
                model.set_description(description);
                return absl::OkStatus();
              })
      .status();
}

// The models of `publisher` (one page) as `store` lists them, parsed.
absl::StatusOr<std::vector<v1::Model>> ListOf(ModelStore& store, const std::string& publisher) {
  v1::ListModelsRequest request;
  request.set_parent(publisher);
  MODELREG_ASSIGN_OR_RETURN(const ListQuery query, CompileListModels(request));
  MODELREG_ASSIGN_OR_RETURN(const Page<std::string> page, store.ListSerialized(query));
  std::vector<v1::Model> models(page.items.size());
  for (size_t i = 0; i < models.size(); ++i) {
    if (!models[i].ParseFromString(page.items[i])) return absl::InternalError("unparsable listed model");
  }
  return models;
}

// `cached_` reads through a cache kept coherent by a listener; `other_` writes as another process would (no cache).
class ModelCacheTest : public StorageTest {
 protected:
  static void SetUpTestSuite() {
    StorageTest::SetUpTestSuite();
    if (pool_ == nullptr) return;
    ModelStore store(pool_.get());
    for (const char* id : {"warm-1", "warm-2", "warm-3"}) {
      if (!store.Create(MinimalModel(Name(id))).ok()) setup_error_ = "cannot create models";
    }
    if (!setup_error_.empty()) pool_.reset();
  }

  void SetUp() override {
    StorageTest::SetUp();
    listener_ = std::make_unique<ModelChangeListener>(db().url(), &cache_, &cached_);
    ASSERT_TRUE(listener_->WaitUntilWarm(kPatience));
  }

  // The model as the cache holds it, or nullopt.
  std::optional<v1::Model> Cached(const std::string& name) {
    const std::shared_ptr<const std::string> bytes = cache_.Lookup(name);
    v1::Model model;
    if (bytes == nullptr || !model.ParseFromString(*bytes)) return std::nullopt;
    return model;
  }

  ModelCache cache_{16 << 20};
  ModelStore cached_{&pool(), &cache_};
  ModelStore other_{&pool()};
  std::unique_ptr<ModelChangeListener> listener_;
};

TEST_F(ModelCacheTest, WarmUpCachesExistingModels) {
  EXPECT_TRUE(cache_.enabled());
  for (const char* id : {"warm-1", "warm-2", "warm-3"}) EXPECT_TRUE(Cached(Name(id)).has_value()) << id;
}

TEST_F(ModelCacheTest, ReadsFillTheCacheAndThenHitIt) {
  ASSERT_OK(other_.Create(MinimalModel(Name("fill"))).status());
  EXPECT_FALSE(Cached(Name("fill")).has_value());
  ASSERT_OK(cached_.Get(Name("fill")).status());
  const int64_t hits = cache_.stats().hits;
  const std::shared_ptr<const std::string> bytes = cached_.GetCached(Name("fill"));
  ASSERT_NE(bytes, nullptr);
  v1::Model model;
  ASSERT_TRUE(model.ParseFromString(*bytes));
  EXPECT_EQ(model.revision(), 1);
  EXPECT_FALSE(model.etag().empty());
  EXPECT_EQ(cache_.stats().hits, hits + 1);
  EXPECT_THAT(cached_.Get(Name("missing")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(Cached(Name("missing")).has_value());
}

TEST_F(ModelCacheTest, OwnWritesAreVisibleAtOnce) {
  ASSERT_OK(cached_.Create(MinimalModel(Name("own"))).status());
  ASSERT_OK(cached_.Get(Name("own")).status());
  ASSERT_TRUE(Cached(Name("own")).has_value());
  ASSERT_OK(SetDescription(cached_, Name("own"), "changed"));
  absl::StatusOr<v1::Model> read = cached_.Get(Name("own"));
  ASSERT_OK(read.status());
  EXPECT_EQ(read->description(), "changed");
  EXPECT_EQ(read->revision(), 2);
}

TEST_F(ModelCacheTest, OwnWritesInvalidateOnceTheirTransactionHasCommitted) {
  ASSERT_OK(cached_.Create(MinimalModel(Name("nested"))).status());
  ASSERT_OK(cached_.Get(Name("nested")).status());
  ASSERT_OK(cached_
                .Update(Name("nested"),
                        [&](Transaction&, v1::Model& model) {
                          model.set_description("inside");
                          // Not committed yet: a read on another thread (another connection) sees revision 1 and
                          // caches it.
                          std::thread reader([&] {
                            absl::StatusOr<v1::Model> read = cached_.Get(Name("nested"));
                            EXPECT_OK(read.status());
                            if (read.ok()) {
                              EXPECT_EQ(read->revision(), 1);
                            }
                          });
                          reader.join();
                          EXPECT_TRUE(Cached(Name("nested")).has_value());
                          return absl::OkStatus();
                        })
                .status());
  absl::StatusOr<v1::Model> read = cached_.Get(Name("nested"));
  ASSERT_OK(read.status());
  EXPECT_EQ(read->description(), "inside");
}

TEST_F(ModelCacheTest, OtherProcessesWritesArriveThroughNotifications) {
  ASSERT_OK(other_.Create(MinimalModel(Name("remote"))).status());
  ASSERT_OK(cached_.Get(Name("remote")).status());
  ASSERT_TRUE(Cached(Name("remote")).has_value());
  ASSERT_OK(SetDescription(other_, Name("remote"), "from elsewhere"));
  EXPECT_TRUE(Eventually([&] { return !Cached(Name("remote")).has_value(); }))
      << "the notification did not invalidate the cached model";
  absl::StatusOr<v1::Model> read = cached_.Get(Name("remote"));
  ASSERT_OK(read.status());
  EXPECT_EQ(read->description(), "from elsewhere");
}

TEST_F(ModelCacheTest, HardDeletesArriveThroughNotifications) {
  ASSERT_OK(other_.Create(MinimalModel(Name("purged"))).status());
  ASSERT_OK(cached_.Get(Name("purged")).status());
  {
    absl::StatusOr<ConnectionPool::Lease> lease = pool().Acquire();
    ASSERT_OK(lease.status());
    pqxx::work tx(**lease);
    tx.exec_params("DELETE FROM models WHERE name = $1", Name("purged"));
    tx.commit();
  }
  EXPECT_TRUE(Eventually([&] { return !Cached(Name("purged")).has_value(); }));
  EXPECT_THAT(cached_.Get(Name("purged")), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ModelCacheTest, CacheIsOffWhileTheListenerIsDisconnectedAndBackAfter) {
  ASSERT_OK(other_.Create(MinimalModel(Name("outage"))).status());
  ASSERT_OK(cached_.Get(Name("outage")).status());
  {
    absl::StatusOr<ConnectionPool::Lease> lease = pool().Acquire();
    ASSERT_OK(lease.status());
    pqxx::nontransaction tx(**lease);
    const pqxx::result killed = tx.exec(absl::StrCat(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE "
        "'LISTEN%",
        ModelChangeListener::kChannel, "%'"));
    ASSERT_EQ(killed.size(), 1u);
  }
  EXPECT_TRUE(Eventually([&] { return !cache_.enabled(); }));
  // Meanwhile reads are served from the database, with writes from elsewhere visible at once.
  ASSERT_OK(SetDescription(other_, Name("outage"), "during the outage"));
  absl::StatusOr<v1::Model> read = cached_.Get(Name("outage"));
  ASSERT_OK(read.status());
  EXPECT_EQ(read->description(), "during the outage");
  EXPECT_TRUE(Eventually([&] { return cache_.enabled(); })) << "the listener did not reconnect";
  EXPECT_TRUE(listener_->WaitUntilWarm(kPatience));
  EXPECT_TRUE(Cached(Name("outage")).has_value()) << "warmed again after reconnecting";
}

TEST_F(ModelCacheTest, ListsTakeTheRecordsOfTheListedRowVersionsFromTheCache) {
  const std::string publisher = "publishers/cache-list";
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_OK(other_.Create(MinimalModel(absl::StrCat(publisher, "/models/", id))).status());
  }
  // The first List fetches (and caches) what the cache misses; the second takes every record from it.
  ASSERT_OK(ListOf(cached_, publisher).status());
  const int64_t hits = cache_.stats().hits;
  absl::StatusOr<std::vector<v1::Model>> from_cache = ListOf(cached_, publisher);
  ASSERT_OK(from_cache.status());
  EXPECT_EQ(cache_.stats().hits, hits + 3);
  absl::StatusOr<std::vector<v1::Model>> from_database = ListOf(other_, publisher);
  ASSERT_OK(from_database.status());
  ASSERT_EQ(from_cache->size(), 3u);
  ASSERT_EQ(from_database->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals((*from_cache)[i], (*from_database)[i]))
        << (*from_cache)[i].DebugString() << "\nvs\n"
        << (*from_database)[i].DebugString();
  }
}

TEST_F(ModelCacheTest, ListsNeverServeACachedRecordOfAnotherRowVersion) {
  const std::string publisher = "publishers/cache-stale";
  const std::string name = absl::StrCat(publisher, "/models/m");
  ASSERT_OK(other_.Create(MinimalModel(name)).status());
  absl::StatusOr<std::vector<ModelRepository::SerializedModel>> stale = cached_.Fetch({name});
  ASSERT_OK(stale.status());
  ASSERT_EQ(stale->size(), 1u);
  // A rewrite that keeps the revision, as a reassessment does; its notification invalidates the cached model...
  v1::Model rewritten;
  ASSERT_TRUE(rewritten.ParseFromString(*(*stale)[0].bytes));
  rewritten.clear_revision();
  rewritten.clear_create_time();
  rewritten.clear_update_time();
  rewritten.clear_etag();
  rewritten.set_description("rewritten");
  {
    absl::StatusOr<ConnectionPool::Lease> lease = pool().Acquire();
    ASSERT_OK(lease.status());
    pqxx::work tx(**lease);
    tx.exec_params("UPDATE models SET record = decode($1, 'hex') WHERE name = $2",
                   absl::BytesToHexString(rewritten.SerializeAsString()), name);
    tx.commit();
  }
  EXPECT_TRUE(Eventually([&] { return !Cached(name).has_value(); }));
  // ...and the old record is put back, as if that notification were still on its way.
  ASSERT_TRUE(cache_.Insert(cache_.Epoch(), name, (*stale)[0].bytes, (*stale)[0].row_version));
  absl::StatusOr<std::vector<v1::Model>> listed = ListOf(cached_, publisher);
  ASSERT_OK(listed.status());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].description(), "rewritten");
  EXPECT_EQ((*listed)[0].revision(), 1);
}

TEST_F(ModelCacheTest, StoppingTheListenerDisablesTheCache) {
  listener_.reset();
  EXPECT_FALSE(cache_.enabled());
  EXPECT_FALSE(Cached(Name("warm-1")).has_value());
}

}  // namespace
}  // namespace modelreg

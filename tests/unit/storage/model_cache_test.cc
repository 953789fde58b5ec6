// ModelCache: lookups, byte-bounded CLOCK eviction, and the epoch rule that keeps stale reads out.
#include "server/storage/model_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace modelreg {
namespace {

v1::Model Model(const std::string& id, int64_t revision = 1, size_t description_bytes = 0) {
  v1::Model model;
  model.set_name(absl::StrCat("publishers/p/models/", id));
  model.set_revision(revision);
  model.set_description(std::string(description_bytes, 'd'));
  return model;
}

// Caches `model` in its wire form, as the store does, as read from the row version `version`.
bool Insert(ModelCache& cache, uint64_t epoch, const v1::Model& model, int64_t version = 1) {
  return cache.Insert(epoch, model.name(), std::make_shared<const std::string>(model.SerializeAsString()), version);
}

// Parses the cached model named `name` into `out`; false when the cache has none.
bool Lookup(ModelCache& cache, const std::string& name, v1::Model* out) {
  const std::shared_ptr<const std::string> bytes = cache.Lookup(name);
  return bytes != nullptr && out->ParseFromString(*bytes);
}

class ModelCacheTest : public ::testing::Test {
 protected:
  ModelCacheTest() { cache_.SetEnabled(true); }
  ModelCache cache_{1 << 20};
};

TEST_F(ModelCacheTest, StartsDisabledAndIgnoresInsertsUntilEnabled) {
  ModelCache cache(1 << 20);
  EXPECT_FALSE(cache.enabled());
  EXPECT_FALSE(Insert(cache, cache.Epoch(), Model("a")));
  v1::Model out;
  EXPECT_FALSE(Lookup(cache, Model("a").name(), &out));
  cache.SetEnabled(true);
  EXPECT_TRUE(Insert(cache, cache.Epoch(), Model("a")));
  EXPECT_TRUE(Lookup(cache, Model("a").name(), &out));
}

TEST_F(ModelCacheTest, LookupReturnsTheInsertedModelAndCountsHitsAndMisses) {
  ASSERT_TRUE(Insert(cache_, cache_.Epoch(), Model("a", 7)));
  v1::Model out;
  ASSERT_TRUE(Lookup(cache_, Model("a").name(), &out));
  EXPECT_EQ(out.name(), "publishers/p/models/a");
  EXPECT_EQ(out.revision(), 7);
  EXPECT_FALSE(Lookup(cache_, Model("b").name(), &out));
  const ModelCache::Stats stats = cache_.stats();
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.entries, 1);
  EXPECT_GT(stats.bytes, 0);
}

TEST_F(ModelCacheTest, LookupOfAVersionHitsOnlyThatRowVersion) {
  ASSERT_TRUE(Insert(cache_, cache_.Epoch(), Model("a", 3), 41));
  EXPECT_EQ(cache_.Lookup(Model("a").name(), 40), nullptr);
  const std::shared_ptr<const std::string> bytes = cache_.Lookup(Model("a").name(), 41);
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(*bytes, Model("a", 3).SerializeAsString());
  // A newer read of the row replaces the entry: the old version no longer hits.
  ASSERT_TRUE(Insert(cache_, cache_.Epoch(), Model("a", 3), 57));
  EXPECT_EQ(cache_.Lookup(Model("a").name(), 41), nullptr);
  EXPECT_NE(cache_.Lookup(Model("a").name(), 57), nullptr);
  const ModelCache::Stats stats = cache_.stats();
  EXPECT_EQ(stats.hits, 2);
  EXPECT_EQ(stats.misses, 2);
}

TEST_F(ModelCacheTest, InsertAfterAnInvalidationSinceItsEpochIsDropped) {
  const uint64_t before_read = cache_.Epoch();
  cache_.Invalidate(Model("other").name());  // any invalidation: the read may have missed a change
  EXPECT_FALSE(Insert(cache_, before_read, Model("a")));
  v1::Model out;
  EXPECT_FALSE(Lookup(cache_, Model("a").name(), &out));
  EXPECT_TRUE(Insert(cache_, cache_.Epoch(), Model("a")));
}

TEST_F(ModelCacheTest, InvalidateRemovesOneModel) {
  ASSERT_TRUE(Insert(cache_, cache_.Epoch(), Model("a")));
  ASSERT_TRUE(Insert(cache_, cache_.Epoch(), Model("b")));
  cache_.Invalidate(Model("a").name());
  v1::Model out;
  EXPECT_FALSE(Lookup(cache_, Model("a").name(), &out));
  EXPECT_TRUE(Lookup(cache_, Model("b").name(), &out));
}

TEST_F(ModelCacheTest, InvalidateAllAndDisableEmptyTheCache) {
  ASSERT_TRUE(Insert(cache_, cache_.Epoch(), Model("a")));
  cache_.InvalidateAll();
  EXPECT_EQ(cache_.stats().entries, 0);
  ASSERT_TRUE(Insert(cache_, cache_.Epoch(), Model("a")));
  cache_.SetEnabled(false);
  EXPECT_EQ(cache_.stats().entries, 0);
  v1::Model out;
  EXPECT_FALSE(Lookup(cache_, Model("a").name(), &out));
}

TEST_F(ModelCacheTest, SerializedInsertNeedsTheBytesOfAModelOfThatName) {
  const std::string name = Model("a").name();
  const auto insert = [&](std::string bytes) {
    return cache_.Insert(cache_.Epoch(), name, std::make_shared<const std::string>(std::move(bytes)), 1);
  };
  EXPECT_FALSE(insert(Model("b").SerializeAsString()));
  EXPECT_FALSE(insert("\x0a\x7f" + name));
  EXPECT_FALSE(insert(""));
  EXPECT_EQ(cache_.stats().entries, 0);
  ASSERT_TRUE(insert(Model("a").SerializeAsString()));
  EXPECT_NE(cache_.Lookup(name), nullptr);
}

TEST_F(ModelCacheTest, ReinsertReplacesTheOlderVersion) {
  ASSERT_TRUE(Insert(cache_, cache_.Epoch(), Model("a", 1)));
  ASSERT_TRUE(Insert(cache_, cache_.Epoch(), Model("a", 2)));
  v1::Model out;
  ASSERT_TRUE(Lookup(cache_, Model("a").name(), &out));
  EXPECT_EQ(out.revision(), 2);
  EXPECT_EQ(cache_.stats().entries, 1);
}

TEST(ModelCacheEvictionTest, StaysWithinCapacityAndEvictsTheOldestUnused) {
  constexpr size_t kCapacity = size_t{256} * 1024;  // 16 shards of 16 KiB
  ModelCache cache(kCapacity);
  cache.SetEnabled(true);
  // 1 KiB models, far more than fit.
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(Insert(cache, cache.Epoch(), Model(absl::StrCat("m", i), 1, 1024)));
    // Keep m0 recently used: it must survive.
    v1::Model out;
    ASSERT_TRUE(Lookup(cache, Model("m0").name(), &out)) << "evicted at insert " << i;
  }
  const ModelCache::Stats stats = cache.stats();
  EXPECT_LE(stats.bytes, static_cast<int64_t>(kCapacity));
  EXPECT_LT(stats.entries, 2000);
  EXPECT_GT(stats.entries, 100);
  EXPECT_TRUE(cache.FilledTo(0.8));
  v1::Model out;
  EXPECT_FALSE(Lookup(cache, Model("m1").name(), &out)) << "the oldest unused model should be gone";
  EXPECT_TRUE(Lookup(cache, Model("m1999").name(), &out));
}

// Replacements and invalidations leave stale places in the eviction queue; after many of them, eviction still keeps
// the model that is in use and stays within capacity.
TEST(ModelCacheEvictionTest, ChurnOnOneModelDoesNotDisturbEviction) {
  constexpr size_t kCapacity = size_t{256} * 1024;
  ModelCache cache(kCapacity);
  cache.SetEnabled(true);
  for (int64_t revision = 1; revision <= 5000; ++revision) {
    ASSERT_TRUE(Insert(cache, cache.Epoch(), Model("hot", revision, 1024)));
    if (revision % 2 == 0) cache.Invalidate(Model("hot").name());
  }
  ASSERT_TRUE(Insert(cache, cache.Epoch(), Model("hot", 5001, 1024)));
  v1::Model out;
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(Insert(cache, cache.Epoch(), Model(absl::StrCat("m", i), 1, 1024)));
    ASSERT_TRUE(Lookup(cache, Model("hot").name(), &out)) << "evicted at insert " << i;
    EXPECT_EQ(out.revision(), 5001);
  }
  EXPECT_LE(cache.stats().bytes, static_cast<int64_t>(kCapacity));
  EXPECT_FALSE(Lookup(cache, Model("m0").name(), &out));
}

TEST(ModelCacheEvictionTest, AModelLargerThanAShardIsNotCached) {
  ModelCache cache(size_t{16} * 1024);  // 1 KiB per shard
  cache.SetEnabled(true);
  EXPECT_FALSE(Insert(cache, cache.Epoch(), Model("big", 1, 4096)));
  EXPECT_EQ(cache.stats().entries, 0);
}

// Readers, inserters and invalidators at once: after the last invalidation of a name, no entry for it that was read
// before that invalidation may remain.
TEST(ModelCacheConcurrencyTest, NoInsertReadBeforeAnInvalidationSurvivesIt) {
  ModelCache cache(1 << 20);
  cache.SetEnabled(true);
  const std::string name = Model("hot").name();
  std::atomic<int64_t> committed_revision{1};
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        // A read of the "database": take the epoch, then the current revision, then insert.
        const uint64_t epoch = cache.Epoch();
        const int64_t revision = committed_revision.load();
        Insert(cache, epoch, Model("hot", revision));
        v1::Model out;
        Lookup(cache, name, &out);
      }
    });
  }
  for (int64_t revision = 2; revision <= 2000; ++revision) {
    committed_revision.store(revision);  // "commit"
    cache.Invalidate(name);              // then invalidate, as ModelStore does after its transaction
    v1::Model out;
    if (Lookup(cache, name, &out)) {
      ASSERT_EQ(out.revision(), revision) << "a stale revision survived its invalidation";
    }
  }
  stop.store(true);
  for (std::thread& reader : readers) reader.join();
}

}  // namespace
}  // namespace modelreg

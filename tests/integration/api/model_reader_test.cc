// ModelReader against a real PostgreSQL: many concurrent GetModel and BatchGetModels calls (present, missing,
// repeated and invalid names), coalesced into batched queries, each answered exactly once with its own result; a
// BatchGetModels takes what the cache has and queries only the rest.
#include "server/service/model_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "server/storage/model_cache.h"
#include "tests/integration/storage/storage_test_base.h"
#include "tests/integration/storage/store_test_data.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::MinimalModel;
using ::modelreg::testing::StorageTest;

constexpr int kModels = 20;

std::string Name(int i) { return absl::StrCat("publishers/reader/models/m", i); }

class ModelReaderTest : public StorageTest {
 protected:
  static void SetUpTestSuite() {
    StorageTest::SetUpTestSuite();
    if (pool_ == nullptr) return;
    ModelStore store(pool_.get());
    for (int i = 0; i < kModels; ++i) {
      if (!store.Create(MinimalModel(Name(i))).ok()) setup_error_ = "cannot create models";
    }
    if (!setup_error_.empty()) pool_.reset();
  }
};

TEST_F(ModelReaderTest, ConcurrentReadsEachGetTheirOwnAnswerOnce) {
  ModelStore store(&pool());
  ModelReader reader(&store, /*threads=*/2, /*max_batch=*/16);
  constexpr int kCallers = 8;
  constexpr int kCallsEach = 150;
  std::atomic<int> wrong{0};
  std::atomic<int> answered{0};
  absl::BlockingCounter pending(kCallers * kCallsEach);
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int k = 0; k < kCallsEach; ++k) {
        // Every 5th a missing model, every 7th an invalid name; the rest present, often the same one.
        const int i = (c * kCallsEach + k) % (kModels + 5);
        v1::GetModelRequest request;
        if (k % 7 == 0) {
          request.set_name("not a model name");
        } else {
          request.set_name(Name(i));
        }
        reader.GetModel(request, [&, name = request.name(), i](absl::StatusOr<v1::Model> result) {
          ++answered;
          if (name == "not a model name") {
            if (result.status().code() != absl::StatusCode::kInvalidArgument) ++wrong;
          } else if (i >= kModels) {
            if (result.status().code() != absl::StatusCode::kNotFound) ++wrong;
          } else if (!result.ok() || result->name() != name || result->revision() != 1) {
            ++wrong;
          }
          pending.DecrementCount();
        });
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  pending.Wait();
  EXPECT_EQ(answered.load(), kCallers * kCallsEach);
  EXPECT_EQ(wrong.load(), 0);
}

// The names of serialized models, in order; "<unparsable>" for one that does not parse.
std::vector<std::string> NamesOf(const std::vector<std::shared_ptr<const std::string>>& models) {
  std::vector<std::string> names;
  for (const auto& bytes : models) {
    v1::Model model;
    names.push_back(model.ParseFromString(*bytes) ? model.name() : "<unparsable>");
  }
  return names;
}

TEST_F(ModelReaderTest, ConcurrentBatchGetsAndGetsEachGetTheirModelsInOrder) {
  ModelStore store(&pool());
  // Batches of up to kModels names against max_batch 4: a read with more names is queried whole.
  ModelReader reader(&store, /*threads=*/2, /*max_batch=*/4);
  constexpr int kCallers = 6;
  constexpr int kCallsEach = 60;
  std::atomic<int> wrong{0};
  absl::BlockingCounter pending(kCallers * kCallsEach);
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int k = 0; k < kCallsEach; ++k) {
        if (k % 3 == 0) {  // a GetModel among the batches
          v1::GetModelRequest request;
          request.set_name(Name((c + k) % kModels));
          reader.GetModel(request, [&, name = request.name()](absl::StatusOr<v1::Model> result) {
            if (!result.ok() || result->name() != name) ++wrong;
            pending.DecrementCount();
          });
          continue;
        }
        // 1 to kModels names, in a scrambled order with repeats; every 4th batch has a missing name in it.
        v1::BatchGetModelsRequest request;
        const int size = 1 + (c * 7 + k) % kModels;
        for (int j = 0; j < size; ++j) request.add_names(Name((j * 3 + c + k) % kModels));
        const bool with_missing = k % 4 == 1;
        if (with_missing) request.add_names(Name(kModels + c));
        std::vector<std::string> expected(request.names().begin(), request.names().end());
        reader.BatchGetModels(request, [&, expected, with_missing, c](auto result) {
          if (with_missing) {
            if (result.status().code() != absl::StatusCode::kNotFound ||
                !absl::StrContains(result.status().message(), Name(kModels + c))) {
              ++wrong;
            }
          } else if (!result.ok() || NamesOf(*result) != expected) {
            ++wrong;
          }
          pending.DecrementCount();
        });
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  pending.Wait();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(ModelReaderTest, BatchGetTakesCachedModelsAndQueriesOnlyTheRest) {
  ModelCache cache(16 << 20);
  cache.SetEnabled(true);
  ModelStore store(&pool(), &cache);
  for (int i = 0; i < 5; ++i) ASSERT_OK(store.Get(Name(i)).status());  // fills the cache
  ASSERT_EQ(cache.stats().entries, 5);
  ModelReader reader(&store, /*threads=*/1, /*max_batch=*/64);
  v1::BatchGetModelsRequest request;
  std::vector<std::string> expected;
  for (int i = 9; i >= 0; --i) {
    request.add_names(Name(i));
    expected.push_back(Name(i));
  }
  auto batch_get = [&] {
    absl::Notification done;
    absl::StatusOr<std::vector<std::shared_ptr<const std::string>>> got;
    reader.BatchGetModels(request, [&](auto result) {
      got = std::move(result);
      done.Notify();
    });
    done.WaitForNotification();
    return got;
  };
  const ModelCache::Stats before = cache.stats();
  auto first = batch_get();
  ASSERT_OK(first);
  EXPECT_EQ(NamesOf(*first), expected);
  EXPECT_EQ(cache.stats().hits - before.hits, 5);
  EXPECT_EQ(cache.stats().entries, 10) << "the models read from PostgreSQL are cached";
  auto second = batch_get();
  ASSERT_OK(second);
  EXPECT_EQ(NamesOf(*second), expected);
  EXPECT_EQ(cache.stats().hits - before.hits, 15);
}

TEST_F(ModelReaderTest, QueuedReadsAreAnsweredBeforeTheReaderIsDestroyed) {
  ModelStore store(&pool());
  std::atomic<int> answered{0};
  {
    ModelReader reader(&store, /*threads=*/1, /*max_batch=*/4);
    for (int i = 0; i < 50; ++i) {
      v1::GetModelRequest request;
      request.set_name(Name(i % kModels));
      reader.GetModel(request, [&](const absl::StatusOr<v1::Model>& result) {
        if (result.ok()) ++answered;
      });
    }
  }
  EXPECT_EQ(answered.load(), 50);
}

}  // namespace
}  // namespace modelreg

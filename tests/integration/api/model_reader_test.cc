// ModelReader against a real PostgreSQL: many concurrent GetModel calls (present, missing, repeated and invalid
// names), coalesced into batched queries, each answered exactly once with its own result.
#include "server/service/model_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
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

// RequestIdStore on PostgreSQL: a call runs at most once per (principal, request id), atomically with its record;
// a concurrent duplicate waits for the first and returns its record; a failed call leaves nothing; old records are
// pruned.
#include "server/storage/request_id_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "server/common/status_macros.h"
#include "server/storage/license_store.h"
#include "server/storage/transaction.h"
#include "tests/integration/storage/storage_test_base.h"
#include "tests/integration/storage/store_test_data.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::NoCheck;
using ::modelreg::testing::StatusIs;

std::string IdFor(int n) { return absl::StrFormat("00000000-0000-4000-8000-%012d", n); }

class RequestIdStoreTest : public ::modelreg::testing::StorageTest {
 protected:
  static RequestIdRepository::Key Key(const std::string& principal, int n) { return {principal, IdFor(n)}; }

  // A call that creates license `id` through the real license store (joining RunOnce's transaction).
  RequestIdRepository::Body CreateLicense(const std::string& id, absl::Duration hold = absl::ZeroDuration()) {
    return [this, id, hold]() -> absl::StatusOr<std::string> {
      ++bodies_;
      v1::License license;
      license.set_name("licenses/" + id);
      MODELREG_ASSIGN_OR_RETURN(v1::License created, licenses_.Create(license, NoCheck));
      absl::SleepFor(hold);
      return created.SerializeAsString();
    };
  }

  bool LicenseExists(const std::string& id) { return licenses_.Get("licenses/" + id).ok(); }

  static int64_t Records() {
    int64_t count = -1;
    EXPECT_OK(RunSingleStatement(pool(), [&](Transaction& tx) {
      count = tx.sql().exec("SELECT count(*) FROM request_ids")[0][0].as<int64_t>();
      return absl::OkStatus();
    }));
    return count;
  }

  RequestIdStore store_{&pool()};
  LicenseStore licenses_{&pool()};
  std::atomic<int> bodies_{0};
};

TEST_F(RequestIdStoreTest, TheFirstCallRunsAndIsRecordedARetryGetsTheRecord) {
  const auto first = store_.RunOnce(Key("alice", 1), "m", "hash-1", CreateLicense("first"));
  ASSERT_OK(first);
  EXPECT_FALSE(first->has_value());
  EXPECT_TRUE(LicenseExists("first"));

  const auto retry = store_.RunOnce(Key("alice", 1), "m", "hash-1", CreateLicense("first"));
  ASSERT_OK(retry);
  ASSERT_TRUE(retry->has_value());
  EXPECT_EQ((*retry)->method, "m");
  EXPECT_EQ((*retry)->request_hash, "hash-1");
  v1::License recorded;
  ASSERT_TRUE(recorded.ParseFromString((*retry)->response));
  EXPECT_EQ(recorded.name(), "licenses/first");
  EXPECT_EQ(bodies_, 1);
  // Another hash under the same key still gets the record (the service compares hashes).
  const auto other = store_.RunOnce(Key("alice", 1), "m2", "hash-2", CreateLicense("second"));
  ASSERT_OK(other);
  ASSERT_TRUE(other->has_value());
  EXPECT_EQ((*other)->request_hash, "hash-1");
  EXPECT_FALSE(LicenseExists("second"));
  EXPECT_EQ(bodies_, 1);
}

TEST_F(RequestIdStoreTest, BinaryHashesAndResponsesRoundTrip) {
  const std::string hash("\0\x01\xff\x80 binary", 11);
  const std::string response("\0\0\x7f\xfe", 4);
  ASSERT_OK(store_.RunOnce(Key("alice", 20), "m", hash, [&] { return absl::StatusOr<std::string>(response); }));
  const auto again = store_.RunOnce(Key("alice", 20), "m", hash, [] { return absl::StatusOr<std::string>("x"); });
  ASSERT_OK(again);
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->request_hash, hash);
  EXPECT_EQ((*again)->response, response);
}

TEST_F(RequestIdStoreTest, PrincipalsAreIndependent) {
  ASSERT_OK(store_.RunOnce(Key("alice", 2), "m", "h", CreateLicense("alice-2")));
  const auto bob = store_.RunOnce(Key("bob", 2), "m", "h", CreateLicense("bob-2"));
  ASSERT_OK(bob);
  EXPECT_FALSE(bob->has_value());
  EXPECT_TRUE(LicenseExists("alice-2"));
  EXPECT_TRUE(LicenseExists("bob-2"));
}

TEST_F(RequestIdStoreTest, AFailedCallLeavesNeitherItsWritesNorARecord) {
  const int64_t before = Records();
  const auto failed = store_.RunOnce(Key("alice", 3), "m", "h", [&]() -> absl::StatusOr<std::string> {
    EXPECT_OK(licenses_
                  .Create(
                      [] {
                        v1::License license;
                        license.set_name("licenses/half-done");
                        return license;
                      }(),
                      NoCheck)
                  .status());
    return absl::FailedPreconditionError("the call failed after a write");
  });
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_FALSE(LicenseExists("half-done"));
  EXPECT_EQ(Records(), before);
  // Its retry runs.
  const auto retry = store_.RunOnce(Key("alice", 3), "m", "h", CreateLicense("half-done"));
  ASSERT_OK(retry);
  EXPECT_FALSE(retry->has_value());
  EXPECT_TRUE(LicenseExists("half-done"));
  EXPECT_EQ(Records(), before + 1);
}

TEST_F(RequestIdStoreTest, ADuplicateWaitsForTheFirstCallAndGetsItsRecord) {
  absl::StatusOr<std::optional<RequestIdRepository::Record>> first, second;
  absl::Duration second_took;
  std::thread a([&] { first = store_.RunOnce(Key("alice", 4), "m", "h", CreateLicense("slow", absl::Seconds(1))); });
  absl::SleepFor(absl::Milliseconds(200));  // `a` holds the claim
  std::thread b([&] {
    const absl::Time start = absl::Now();
    second = store_.RunOnce(Key("alice", 4), "m", "h", CreateLicense("slow"));
    second_took = absl::Now() - start;
  });
  a.join();
  b.join();
  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_FALSE(first->has_value());
  ASSERT_TRUE(second->has_value());
  v1::License recorded;
  ASSERT_TRUE(recorded.ParseFromString((*second)->response));
  EXPECT_EQ(recorded.name(), "licenses/slow");
  EXPECT_EQ(bodies_, 1);
  EXPECT_GT(second_took, absl::Milliseconds(500));  // it waited for the first
}

TEST_F(RequestIdStoreTest, AWaitingDuplicateRunsItselfWhenTheFirstCallFails) {
  absl::StatusOr<std::optional<RequestIdRepository::Record>> first, second;
  std::thread a([&] {
    first = store_.RunOnce(Key("alice", 5), "m", "h", [&]() -> absl::StatusOr<std::string> {
      absl::SleepFor(absl::Milliseconds(600));
      return absl::UnavailableError("lost");
    });
  });
  absl::SleepFor(absl::Milliseconds(200));
  std::thread b([&] { second = store_.RunOnce(Key("alice", 5), "m", "h", CreateLicense("after-failure")); });
  a.join();
  b.join();
  EXPECT_THAT(first, StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_OK(second);
  EXPECT_FALSE(second->has_value());
  EXPECT_TRUE(LicenseExists("after-failure"));
}

TEST_F(RequestIdStoreTest, ConcurrentDuplicatesApplyExactlyOnce) {
  constexpr int kCallers = 12;  // more than the pool: some wait for a connection too
  std::vector<absl::StatusOr<std::optional<RequestIdRepository::Record>>> results(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      results[i] = store_.RunOnce(Key("carol", 6), "m", "h", CreateLicense("once", absl::Milliseconds(50)));
    });
  }
  for (std::thread& t : threads) t.join();
  int ran = 0;
  for (const auto& result : results) {
    ASSERT_OK(result);
    if (!result->has_value()) ++ran;
  }
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(bodies_, 1);
  EXPECT_TRUE(LicenseExists("once"));
}

TEST_F(RequestIdStoreTest, DeleteOlderThanPrunesOldRecordsInBatches) {
  for (int i = 100; i < 105; ++i) {
    ASSERT_OK(store_.RunOnce(Key("pruner", i), "m", "h", [] { return absl::StatusOr<std::string>("r"); }));
  }
  ASSERT_OK(RunTransaction(pool(), [](Transaction& tx) {
    tx.sql().exec(
        "UPDATE request_ids SET create_time = now() - interval '25 hours' WHERE principal = 'pruner' AND "
        "request_id <> '00000000-0000-4000-8000-000000000104'");
    return absl::OkStatus();
  }));
  const int64_t before = Records();
  auto deleted = store_.DeleteOlderThan(absl::Hours(24), 3);
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, 3);
  deleted = store_.DeleteOlderThan(absl::Hours(24), 3);
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, 1);
  deleted = store_.DeleteOlderThan(absl::Hours(24), 3);
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, 0);
  EXPECT_EQ(Records(), before - 4);
  // The young one is kept, and still replays.
  const auto kept = store_.RunOnce(Key("pruner", 104), "m", "h", [] { return absl::StatusOr<std::string>("new"); });
  ASSERT_OK(kept);
  ASSERT_TRUE(kept->has_value());
  EXPECT_EQ((*kept)->response, "r");
  // A pruned one runs again.
  const auto forgotten =
      store_.RunOnce(Key("pruner", 100), "m", "h", [] { return absl::StatusOr<std::string>("again"); });
  ASSERT_OK(forgotten);
  EXPECT_FALSE(forgotten->has_value());
}

}  // namespace
}  // namespace modelreg

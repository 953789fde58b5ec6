// Nested runs join the current transaction (storage/transaction.h): the mechanism that makes a service's store calls
// one atomic unit (idempotent mutations). One connection, one transaction id; an inner error rolls the whole unit
// back even when the outer body ignores it; an inner database exception is mapped once, by the outermost run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>

#include "server/common/errors.h"
#include "server/storage/pooled_connection.h"
#include "server/storage/transaction.h"
#include "tests/integration/storage/storage_test_base.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;

class TransactionNestingTest : public ::modelreg::testing::StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    ASSERT_OK(RunTransaction(pool(), [](Transaction& tx) {
      tx.sql().exec("CREATE TABLE IF NOT EXISTS nesting_probe (id text PRIMARY KEY)");
      tx.sql().exec("DELETE FROM nesting_probe");
      return absl::OkStatus();
    }));
  }

  static absl::Status Insert(const std::string& id) {
    return RunTransaction(pool(), [&](Transaction& tx) {
      tx.sql().exec_params("INSERT INTO nesting_probe VALUES ($1)", id);
      return absl::OkStatus();
    });
  }
  static int64_t Count() {
    int64_t count = -1;
    EXPECT_OK(RunSingleStatement(pool(), [&](Transaction& tx) {
      count = tx.sql().exec("SELECT count(*) FROM nesting_probe")[0][0].as<int64_t>();
      return absl::OkStatus();
    }));
    return count;
  }
  static std::string TransactionId(Transaction& tx) {
    return tx.sql().exec("SELECT txid_current()")[0][0].as<std::string>();
  }
};

TEST_F(TransactionNestingTest, NestedRunsShareTheOuterTransaction) {
  EXPECT_FALSE(InTransaction());
  std::string outer_id, inner_id, single_id;
  ASSERT_OK(RunTransaction(pool(), [&](Transaction& outer) {
    EXPECT_TRUE(InTransaction());
    outer_id = TransactionId(outer);
    EXPECT_OK(Insert("a"));
    EXPECT_OK(RunTransaction(pool(), [&](Transaction& inner) {
      inner_id = TransactionId(inner);
      return absl::OkStatus();
    }));
    EXPECT_OK(RunSingleStatement(pool(), [&](Transaction& single) {
      single_id = TransactionId(single);
      // Sees the uncommitted row of the same transaction.
      EXPECT_EQ(single.sql().exec("SELECT count(*) FROM nesting_probe")[0][0].as<int>(), 1);
      return absl::OkStatus();
    }));
    return absl::OkStatus();
  }));
  EXPECT_FALSE(InTransaction());
  EXPECT_EQ(inner_id, outer_id);
  EXPECT_EQ(single_id, outer_id);
  EXPECT_EQ(Count(), 1);
}

TEST_F(TransactionNestingTest, NestedRunsTakeNoSecondConnection) {
  // Every connection but one is leased: a nested run that asked the pool would wait, then fail.
  std::vector<ConnectionPool::Lease> held;
  for (int i = 0; i < kPoolSize - 1; ++i) {
    auto lease = pool().Acquire(absl::Seconds(1));
    ASSERT_OK(lease.status());
    held.push_back(*std::move(lease));
  }
  EXPECT_OK(RunTransaction(
      pool(), [&](Transaction&) { return Insert("only-connection"); }, absl::Milliseconds(200)));
  held.clear();
  EXPECT_EQ(Count(), 1);
}

TEST_F(TransactionNestingTest, AnInnerErrorRollsBackEverythingEvenIfTheOuterBodyIgnoresIt) {
  const absl::Status status = RunTransaction(pool(), [&](Transaction&) {
    EXPECT_OK(Insert("a"));
    const absl::Status inner = RunTransaction(pool(), [](Transaction& tx) {
      tx.sql().exec("INSERT INTO nesting_probe VALUES ('b')");
      return absl::FailedPreconditionError("inner refused");
    });
    EXPECT_THAT(inner, StatusIs(absl::StatusCode::kFailedPrecondition));
    return absl::OkStatus();  // ignores it
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition, "inner refused"));
  EXPECT_EQ(Count(), 0);
}

TEST_F(TransactionNestingTest, AnInnerDatabaseErrorIsMappedByTheOutermostRun) {
  ASSERT_OK(Insert("taken"));
  int outer_runs = 0;
  const absl::Status status = RunTransaction(pool(), [&](Transaction&) {
    ++outer_runs;
    EXPECT_OK(Insert("new"));
    return Insert("taken");  // unique violation: an exception through this body
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(outer_runs, 1);
  EXPECT_EQ(Count(), 1);  // "new" was rolled back with the rest
}

TEST_F(TransactionNestingTest, AfterTheOuterRunEndsRunsAreIndependentAgain) {
  std::string first, second;
  ASSERT_OK(RunTransaction(pool(), [&](Transaction& tx) {
    first = TransactionId(tx);
    return absl::OkStatus();
  }));
  ASSERT_OK(RunTransaction(pool(), [&](Transaction& tx) {
    second = TransactionId(tx);
    return absl::OkStatus();
  }));
  EXPECT_NE(first, second);
}

}  // namespace
}  // namespace modelreg

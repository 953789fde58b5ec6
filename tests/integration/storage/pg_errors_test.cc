#include "server/storage/pg_errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/storage/transaction.h"
#include "tests/integration/storage/storage_test_base.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::modelreg::testing::StorageTest;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;

class PgErrorsTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    ASSERT_OK(RunTransaction(pool(), [](Transaction& transaction) {
      pqxx::transaction_base& tx = transaction.sql();
      tx.exec("CREATE TABLE IF NOT EXISTS parent (id text PRIMARY KEY)");
      tx.exec("CREATE TABLE IF NOT EXISTS child (id text PRIMARY KEY, parent text REFERENCES parent (id))");
      tx.exec("TRUNCATE child, parent");
      return absl::OkStatus();
    }));
  }

  static absl::Status Exec(const std::string& sql) {
    return RunTransaction(pool(), [&sql](Transaction& transaction) {
      pqxx::transaction_base& tx = transaction.sql();
      tx.exec(sql);
      return absl::OkStatus();
    });
  }
};

TEST_F(PgErrorsTest, UniqueViolationIsAlreadyExistsWithoutSql) {
  ASSERT_OK(Exec("INSERT INTO parent VALUES ('secret-key')"));
  absl::Status status = Exec("INSERT INTO parent VALUES ('secret-key')");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kAlreadyExists,
                               AllOf(Not(HasSubstr("INSERT")), Not(HasSubstr("parent")), Not(HasSubstr("secret")))));
}

TEST_F(PgErrorsTest, ForeignKeyViolationIsInvalidArgument) {
  EXPECT_THAT(Exec("INSERT INTO child VALUES ('c', 'missing')"),
              StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("child"))));
}

TEST_F(PgErrorsTest, ReadOnlyTransactionIsUnavailableReadOnly) {
  // SQLSTATE 25006, what a write on a standby or a demoted primary gets; the SQL is not returned.
  absl::Status status = Exec("SET TRANSACTION READ ONLY; INSERT INTO parent VALUES ('p')");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, Not(HasSubstr("parent"))));
  EXPECT_TRUE(IsReadOnlyDatabaseError(status));
}

TEST_F(PgErrorsTest, OtherErrorsAreInternalAndGeneric) {
  EXPECT_THAT(Exec("SELECT no_such_column FROM parent"),
              StatusIs(absl::StatusCode::kInternal, Eq("internal storage error")));
  EXPECT_THAT(Exec("SELECT 1/0"), StatusIs(absl::StatusCode::kInternal, Eq("internal storage error")));
}

TEST_F(PgErrorsTest, BodyErrorRollsBackAndIsReturnedAsIs) {
  absl::Status status = RunTransaction(pool(), [](Transaction& transaction) {
    pqxx::transaction_base& tx = transaction.sql();
    tx.exec("INSERT INTO parent VALUES ('rolled-back')");
    return absl::NotFoundError("my error");
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound, Eq("my error")));
  int count = -1;
  ASSERT_OK(RunTransaction(pool(), [&count](Transaction& transaction) {
    pqxx::transaction_base& tx = transaction.sql();
    count = tx.exec1("SELECT count(*) FROM parent WHERE id = 'rolled-back'")[0].as<int>();
    return absl::OkStatus();
  }));
  EXPECT_EQ(count, 0);
}

TEST_F(PgErrorsTest, OnEndHooksRunOnceTheTransactionHasEnded) {
  std::vector<std::string> events;
  int visible_in_hook = -1;
  ASSERT_OK(RunTransaction(pool(), [&](Transaction& transaction) {
    transaction.sql().exec("INSERT INTO parent VALUES ('hooked')");
    transaction.OnEnd([&] {
      events.push_back("hook");
      // The commit has happened: another connection sees the row.
      EXPECT_OK(RunSingleStatement(pool(), [&](Transaction& other) {
        visible_in_hook = other.sql().exec1("SELECT count(*) FROM parent WHERE id = 'hooked'")[0].as<int>();
        return absl::OkStatus();
      }));
    });
    events.push_back("body done");
    return absl::OkStatus();
  }));
  EXPECT_THAT(events, ElementsAre("body done", "hook"));
  EXPECT_EQ(visible_in_hook, 1);

  events.clear();
  EXPECT_THAT(RunTransaction(pool(),
                             [&](Transaction& transaction) {
                               transaction.OnEnd([&] { events.push_back("hook"); });
                               return absl::NotFoundError("rolled back");
                             }),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(events, ElementsAre("hook")) << "hooks run whatever the outcome";

  // A retried body's hooks run once per attempt, each after its attempt has ended.
  events.clear();
  int attempts = 0;
  ASSERT_OK(RunTransaction(pool(), [&](Transaction& transaction) {
    const int attempt = ++attempts;
    transaction.OnEnd([&events, attempt] { events.push_back(absl::StrCat("attempt ", attempt)); });
    if (attempt == 1) transaction.sql().exec("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$");
    return absl::OkStatus();
  }));
  EXPECT_THAT(events, ElementsAre("attempt 1", "attempt 2"));
}

TEST_F(PgErrorsTest, SerializationFailuresAreRetriedThenAborted) {
  int attempts = 0;
  absl::Status status = RunTransaction(pool(), [&attempts](Transaction& transaction) {
    pqxx::transaction_base& tx = transaction.sql();
    ++attempts;
    tx.exec("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$");
    return absl::OkStatus();
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(attempts, kMaxTransactionAttempts);

  attempts = 0;
  status = RunTransaction(pool(), [&attempts](Transaction& transaction) {
    pqxx::transaction_base& tx = transaction.sql();
    if (++attempts < 3) tx.exec("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$");
    tx.exec("INSERT INTO parent VALUES ('third-time')");
    return absl::OkStatus();
  });
  EXPECT_OK(status);
  EXPECT_EQ(attempts, 3);
}

TEST_F(PgErrorsTest, RealDeadlockIsRetried) {
  ASSERT_OK(Exec("INSERT INTO parent VALUES ('a'), ('b')"));
  // Two transactions lock a and b in opposite orders; PostgreSQL kills one, RunTransaction retries it.
  std::atomic<int> ready{0};
  auto lock_both = [&ready](const char* first, const char* second) {
    bool waited = false;
    return RunTransaction(pool(), [&, first, second](Transaction& transaction) {
      pqxx::transaction_base& tx = transaction.sql();
      tx.exec_params("SELECT 1 FROM parent WHERE id = $1 FOR UPDATE", first);
      if (!waited) {
        waited = true;
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();
      }
      tx.exec_params("SELECT 1 FROM parent WHERE id = $1 FOR UPDATE", second);
      return absl::OkStatus();
    });
  };
  absl::Status one;
  absl::Status two;
  std::thread t1([&] { one = lock_both("a", "b"); });
  std::thread t2([&] { two = lock_both("b", "a"); });
  t1.join();
  t2.join();
  EXPECT_OK(one);
  EXPECT_OK(two);
}

TEST_F(PgErrorsTest, NonDatabaseExceptionsAreInternal) {
  absl::Status status = RunTransaction(pool(), [](Transaction&) -> absl::Status { throw std::runtime_error("boom"); });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal, Eq("internal storage error")));
}

}  // namespace
}  // namespace modelreg

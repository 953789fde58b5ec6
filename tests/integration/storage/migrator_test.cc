#include "server/storage/migrator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

#include "schema/embedded_migrations.h"
#include "server/storage/connection_pool.h"
#include "server/storage/pg_errors.h"
#include "server/storage/transaction.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_database.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::modelreg::testing::TestDatabase;
using ::testing::HasSubstr;

class MigratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestDatabase>> db = TestDatabase::Create(/*migrate=*/false);
    ASSERT_OK(db);
    db_ = *std::move(db);
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(db_->url(), 2);
    ASSERT_OK(pool);
    pool_ = *std::move(pool);
  }
  void TearDown() override {
    pool_.reset();
    db_.reset();
  }

  int CountRecorded() {
    int count = -1;
    EXPECT_OK(RunTransaction(*pool_, [&count](Transaction& transaction) {
      pqxx::transaction_base& tx = transaction.sql();
      count = tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>();
      return absl::OkStatus();
    }));
    return count;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(MigratorTest, AppliesOnceAndIsIdempotent) {
  EXPECT_THAT(CheckSchemaVersion(*pool_), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("older")));
  ASSERT_OK(ApplyMigrations(*pool_));
  EXPECT_EQ(CountRecorded(), static_cast<int>(EmbeddedMigrations().size()));
  ASSERT_OK(ApplyMigrations(*pool_));
  EXPECT_EQ(CountRecorded(), static_cast<int>(EmbeddedMigrations().size()));
  EXPECT_OK(CheckSchemaVersion(*pool_));
  absl::StatusOr<int> version = CurrentSchemaVersion(*pool_);
  ASSERT_OK(version);
  EXPECT_EQ(*version, LatestSchemaVersion());
  EXPECT_GE(LatestSchemaVersion(), 1);
  // The schema is there.
  EXPECT_OK(RunTransaction(*pool_, [](Transaction& transaction) {
    pqxx::transaction_base& tx = transaction.sql();
    tx.exec("SELECT count(*) FROM models JOIN licenses ON licenses.id = models.weights_license");
    return absl::OkStatus();
  }));
}

TEST_F(MigratorTest, ConcurrentRunsSerialize) {
  absl::Status one;
  absl::Status two;
  std::thread t1([&] { one = ApplyMigrations(*pool_); });
  std::thread t2([&] { two = ApplyMigrations(*pool_); });
  t1.join();
  t2.join();
  EXPECT_OK(one);
  EXPECT_OK(two);
  EXPECT_EQ(CountRecorded(), static_cast<int>(EmbeddedMigrations().size()));
}

TEST_F(MigratorTest, RefusesNewerSchema) {
  ASSERT_OK(ApplyMigrations(*pool_));
  ASSERT_OK(RunTransaction(*pool_, [](Transaction& transaction) {
    pqxx::transaction_base& tx = transaction.sql();
    tx.exec("INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')");
    return absl::OkStatus();
  }));
  const std::string expected =
      "database schema version 9999 is newer than this modelregd knows (" + std::to_string(LatestSchemaVersion()) + ")";
  EXPECT_THAT(CheckSchemaVersion(*pool_), StatusIs(absl::StatusCode::kFailedPrecondition, expected));
  EXPECT_THAT(ApplyMigrations(*pool_), StatusIs(absl::StatusCode::kFailedPrecondition, expected));
}

TEST_F(MigratorTest, RefusesNewerSchemaBeforeApplyingAnything) {
  ASSERT_OK(RunTransaction(*pool_, [](Transaction& transaction) {
    pqxx::transaction_base& tx = transaction.sql();
    tx.exec(
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    tx.exec("INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')");
    return absl::OkStatus();
  }));
  EXPECT_THAT(ApplyMigrations(*pool_), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("newer")));
  EXPECT_EQ(CountRecorded(), 1);
}

}  // namespace
}  // namespace modelreg

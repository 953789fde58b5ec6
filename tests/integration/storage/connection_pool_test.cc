#include "server/storage/connection_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/storage/pg_errors.h"
#include "server/storage/pooled_connection.h"
#include "server/storage/transaction.h"
#include "tests/integration/storage/storage_test_base.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::modelreg::testing::StorageTest;
using ::testing::HasSubstr;

class ConnectionPoolTest : public StorageTest {};

TEST_F(ConnectionPoolTest, UnreachableDatabaseIsUnavailable) {
  EXPECT_THAT(ConnectionPool::Create("postgresql://postgres@/postgres?host=/nonexistent&port=1", 1),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(ConnectionPoolTest, RejectsEmptyPool) {
  EXPECT_THAT(ConnectionPool::Create(db().url(), 0), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ConnectionPoolTest, PingAnswers) { EXPECT_OK(pool().Ping()); }

TEST_F(ConnectionPoolTest, AcquireWaitsForReleaseAndTimesOut) {
  absl::StatusOr<std::unique_ptr<ConnectionPool>> small = ConnectionPool::Create(db().url(), 2);
  ASSERT_OK(small);
  {
    absl::StatusOr<ConnectionPool::Lease> first = (*small)->Acquire();
    absl::StatusOr<ConnectionPool::Lease> second = (*small)->Acquire();
    ASSERT_OK(first);
    ASSERT_OK(second);
    EXPECT_NE(&**first, &**second);
    EXPECT_THAT((*small)->Acquire(absl::Milliseconds(50)),
                StatusIs(absl::StatusCode::kUnavailable, HasSubstr("timed out")));

    // A waiter gets the connection as soon as one is released.
    std::thread waiter([&small] { EXPECT_OK((*small)->Acquire(absl::Seconds(5))); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    { ConnectionPool::Lease released = *std::move(first); }
    waiter.join();
  }
  // Everything is back: both can be leased again.
  absl::StatusOr<ConnectionPool::Lease> again1 = (*small)->Acquire(absl::Milliseconds(100));
  absl::StatusOr<ConnectionPool::Lease> again2 = (*small)->Acquire(absl::Milliseconds(100));
  EXPECT_OK(again1);
  EXPECT_OK(again2);
}

TEST_F(ConnectionPoolTest, PreparedStatementsAreRegistered) {
  absl::StatusOr<ConnectionPool::Lease> lease = pool().Acquire();
  ASSERT_OK(lease);
  pqxx::work tx(**lease);
  pqxx::result rows = tx.exec_prepared("modelreg_models_get_many", "{\"publishers/none/models/none\"}");
  EXPECT_TRUE(rows.empty());
}

// Statements built per call (ExecDynamic) run prepared, answer as the unprepared text would, and at most
// kMaxDynamicStatements stay prepared on a connection: the least recently used is deallocated.
TEST_F(ConnectionPoolTest, DynamicStatementsArePreparedOncePerConnectionAndBounded) {
  absl::StatusOr<std::unique_ptr<ConnectionPool>> single = ConnectionPool::Create(db().url(), 1);
  ASSERT_OK(single);
  auto prepared_dynamic = [&single] {
    int64_t count = -1;
    EXPECT_OK(RunSingleStatement(**single, [&count](Transaction& tx) {
      count = tx.sql()
                  .exec1("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'modelreg_dynamic_%'")[0]
                  .as<int64_t>();
      return absl::OkStatus();
    }));
    return count;
  };
  auto run = [&single](int shape, int value) {
    int64_t answer = -1;
    EXPECT_OK(RunSingleStatement(**single, [&](Transaction& tx) {
      const std::string sql = absl::StrCat("SELECT $1::bigint * ", shape);
      answer = ExecDynamic(tx, sql, value)[0][0].as<int64_t>();
      return absl::OkStatus();
    }));
    return answer;
  };
  const int limit = static_cast<int>(PooledConnection::kMaxDynamicStatements);
  EXPECT_EQ(run(3, 7), 21);
  EXPECT_EQ(run(3, 8), 24);  // the same text: the same statement
  EXPECT_EQ(prepared_dynamic(), 1);
  for (int shape = 1; shape <= limit + 10; ++shape) EXPECT_EQ(run(shape, 2), 2 * shape);
  EXPECT_EQ(prepared_dynamic(), limit);
  // The most recent ones stayed; an evicted one is prepared again under a new name.
  EXPECT_EQ(run(limit + 10, 1), limit + 10);
  EXPECT_EQ(run(1, 5), 5);
  EXPECT_EQ(prepared_dynamic(), limit);
}

TEST_F(ConnectionPoolTest, BrokenConnectionIsReplaced) {
  absl::StatusOr<std::unique_ptr<ConnectionPool>> single = ConnectionPool::Create(db().url(), 1);
  ASSERT_OK(single);
  {
    absl::StatusOr<ConnectionPool::Lease> lease = (*single)->Acquire();
    ASSERT_OK(lease);
    const int backend = (**lease).backendpid();
    {
      pqxx::connection admin(db().admin_url());
      pqxx::nontransaction tx(admin);
      tx.exec_params("SELECT pg_terminate_backend($1)", backend);
    }
    absl::Status status;
    try {
      pqxx::work tx(**lease);
      tx.exec("SELECT 1");
      tx.commit();
    } catch (...) {
      status = StatusFromCurrentException();
    }
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable));
  }
  // The broken connection was dropped on release; the next lease is a working one.
  EXPECT_OK((*single)->Ping());
  EXPECT_OK(RunTransaction(**single, [](Transaction& transaction) {
    pqxx::transaction_base& tx = transaction.sql();
    tx.exec("SELECT 1");
    return absl::OkStatus();
  }));
}

TEST_F(ConnectionPoolTest, TransactionSurvivesAnIdleConnectionKilled) {
  absl::StatusOr<std::unique_ptr<ConnectionPool>> single = ConnectionPool::Create(db().url(), 1);
  ASSERT_OK(single);
  int backend = 0;
  ASSERT_OK(RunTransaction(**single, [&backend](Transaction& transaction) {
    pqxx::transaction_base& tx = transaction.sql();
    backend = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
    return absl::OkStatus();
  }));
  {
    pqxx::connection admin(db().admin_url());
    pqxx::nontransaction tx(admin);
    tx.exec_params("SELECT pg_terminate_backend($1)", backend);
  }
  int attempts = 0;
  int new_backend = 0;
  EXPECT_OK(RunTransaction(**single, [&](Transaction& transaction) {
    pqxx::transaction_base& tx = transaction.sql();
    ++attempts;
    new_backend = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
    return absl::OkStatus();
  }));
  EXPECT_NE(new_backend, backend);
  EXPECT_LE(attempts, 2);
}

// What a connection to a demoted primary sees: its transactions are read-only, and a write fails with SQLSTATE
// 25006. Here one session is made read-only (SET default_transaction_read_only); after a failover it is every
// session of the old server.
void MakeSessionReadOnly(ConnectionPool& pool) {
  absl::StatusOr<ConnectionPool::Lease> lease = pool.Acquire();
  ASSERT_OK(lease);
  pqxx::nontransaction(**lease).exec("SET default_transaction_read_only = on");
}

absl::Status InsertRow(ConnectionPool& pool, int* backend, int* attempts) {
  return RunTransaction(pool, [=](Transaction& transaction) {
    ++*attempts;
    *backend = transaction.sql().exec1("SELECT pg_backend_pid()")[0].as<int>();
    transaction.sql().exec("INSERT INTO read_only_probe VALUES (1)");
    return absl::OkStatus();
  });
}

TEST_F(ConnectionPoolTest, ReadOnlyConnectionIsReplacedAndTheWriteRetried) {
  pqxx::connection admin(db().url());
  pqxx::nontransaction(admin).exec("CREATE TABLE read_only_probe (x integer)");
  absl::StatusOr<std::unique_ptr<ConnectionPool>> single = ConnectionPool::Create(db().url(), 1);
  ASSERT_OK(single);
  MakeSessionReadOnly(**single);
  int backend = 0;
  int attempts = 0;
  // The first attempt fails with 25006 on the read-only connection, which is closed; the retry opens a new one.
  EXPECT_OK(InsertRow(**single, &backend, &attempts));
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(pqxx::nontransaction(admin).exec1("SELECT count(*) FROM read_only_probe")[0].as<int>(), 1);
  EXPECT_OK((*single)->Ping());
  pqxx::nontransaction(admin).exec("DROP TABLE read_only_probe");
}

TEST_F(ConnectionPoolTest, ReadOnlyServerIsUnavailableUntilWritableAgain) {
  pqxx::connection admin(db().url());
  pqxx::nontransaction(admin).exec("CREATE TABLE read_only_probe (x integer)");
  absl::StatusOr<std::unique_ptr<ConnectionPool>> single = ConnectionPool::Create(db().url(), 1);
  ASSERT_OK(single);
  // Every connection, new ones too, is read-only: a standby, or a primary demoted without a restart.
  const std::string database = pqxx::nontransaction(admin).quote_name(db().name());
  pqxx::nontransaction(admin).exec("ALTER DATABASE " + database + " SET default_transaction_read_only = on");
  MakeSessionReadOnly(**single);
  int backend = 0;
  int attempts = 0;
  absl::Status write = InsertRow(**single, &backend, &attempts);
  EXPECT_THAT(write, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("does not accept writes")));
  EXPECT_TRUE(IsReadOnlyDatabaseError(write));
  EXPECT_EQ(attempts, 2);
  // Health follows: the ping asks whether the server accepts writes.
  EXPECT_THAT((*single)->Ping(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("does not accept writes")));

  pqxx::nontransaction(admin).exec("ALTER DATABASE " + database + " RESET default_transaction_read_only");
  // The read-only connection the failed ping saw was discarded: the next ones are writable.
  EXPECT_OK((*single)->Ping());
  attempts = 0;
  EXPECT_OK(InsertRow(**single, &backend, &attempts));
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(pqxx::nontransaction(admin).exec1("SELECT count(*) FROM read_only_probe")[0].as<int>(), 1);
  pqxx::nontransaction(admin).exec("DROP TABLE read_only_probe");
}

TEST_F(ConnectionPoolTest, ManyThreadsShareThePool) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&ok] {
      for (int j = 0; j < 20; ++j) {
        if (RunTransaction(pool(), [](Transaction& transaction) {
              pqxx::transaction_base& tx = transaction.sql();
              tx.exec("SELECT pg_sleep(0.001)");
              return absl::OkStatus();
            }).ok()) {
          ++ok;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 160);
}

// Shutdown (ConnectionPool::CancelAll): a table the cancelled transactions write to, and how many rows they left.
class CancelAllTest : public ConnectionPoolTest {
 protected:
  void SetUp() override {
    ConnectionPoolTest::SetUp();
    pqxx::connection connection(db().url());
    pqxx::nontransaction tx(connection);
    tx.exec("CREATE TABLE IF NOT EXISTS cancel_probe (tag text NOT NULL)");
  }
  static int64_t Rows(const std::string& tag) {
    pqxx::connection connection(db().url());
    pqxx::nontransaction tx(connection);
    return tx.exec_params1("SELECT count(*) FROM cancel_probe WHERE tag = $1", tag)[0].as<int64_t>();
  }
};

TEST_F(CancelAllTest, RunningStatementIsCancelledRolledBackAndUnavailable) {
  absl::StatusOr<std::unique_ptr<ConnectionPool>> own = ConnectionPool::Create(db().url(), 2);
  ASSERT_OK(own);
  std::atomic<bool> inserted{false};
  absl::Status result;
  const auto start = std::chrono::steady_clock::now();
  std::thread writer([&] {
    result = RunTransaction(**own, [&](Transaction& transaction) {
      transaction.sql().exec("INSERT INTO cancel_probe VALUES ('running')");
      inserted = true;
      transaction.sql().exec("SELECT pg_sleep(30)");
      return absl::OkStatus();
    });
  });
  while (!inserted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // inside pg_sleep
  EXPECT_FALSE((*own)->shutting_down());
  EXPECT_EQ((*own)->CancelAll(), 1);
  EXPECT_TRUE((*own)->shutting_down());
  writer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
  EXPECT_EQ(ErrorReason(result), "SHUTTING_DOWN");
  EXPECT_EQ(Rows("running"), 0);
  // No new work starts, at once, and a second call finds nothing running.
  EXPECT_THAT((*own)->Acquire(absl::Seconds(5)), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
  EXPECT_EQ((*own)->CancelAll(), 0);
}

TEST_F(CancelAllTest, NoCommitStartsOnceCancelled) {
  // A connection between two statements ignores the cancel: the transaction must still not commit.
  absl::StatusOr<std::unique_ptr<ConnectionPool>> own = ConnectionPool::Create(db().url(), 2);
  ASSERT_OK(own);
  std::atomic<bool> inserted{false};
  std::atomic<bool> cancelled{false};
  absl::Status result;
  std::thread writer([&] {
    result = RunTransaction(**own, [&](Transaction& transaction) {
      transaction.sql().exec("INSERT INTO cancel_probe VALUES ('idle')");
      inserted = true;
      while (!cancelled) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return absl::OkStatus();
    });
  });
  while (!inserted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  (*own)->CancelAll();
  cancelled = true;
  writer.join();
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("rolled back")));
  EXPECT_EQ(Rows("idle"), 0);
}

TEST_F(CancelAllTest, WaitersForAConnectionGiveUpAtOnce) {
  absl::StatusOr<std::unique_ptr<ConnectionPool>> own = ConnectionPool::Create(db().url(), 1);
  ASSERT_OK(own);
  absl::StatusOr<ConnectionPool::Lease> held = (*own)->Acquire();
  ASSERT_OK(held);
  absl::Status waited;
  const auto start = std::chrono::steady_clock::now();
  std::thread waiter([&] { waited = (*own)->Acquire(absl::Seconds(20)).status(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*own)->CancelAll();
  waiter.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_THAT(waited, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
}

}  // namespace
}  // namespace modelreg

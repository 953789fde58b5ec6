#include "server/storage/connection_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "server/storage/pg_errors.h"
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

}  // namespace
}  // namespace modelreg

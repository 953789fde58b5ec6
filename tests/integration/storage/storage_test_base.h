// A gtest fixture giving each test suite a fresh migrated database and a connection pool on it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "server/storage/connection_pool.h"
#include "tests/support/test_database.h"

namespace modelreg::testing {

class StorageTest : public ::testing::Test {
 protected:
  static constexpr int kPoolSize = 4;

  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<TestDatabase>> db = TestDatabase::Create();
    if (!db.ok()) {
      setup_error_ = std::string(db.status().message());
      return;
    }
    db_ = *std::move(db);
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(db_->url(), kPoolSize);
    if (!pool.ok()) {
      setup_error_ = pool.status().ToString();
      return;
    }
    pool_ = *std::move(pool);
  }

  static void TearDownTestSuite() {
    pool_.reset();
    db_.reset();
  }

  // Fails (never skips) every test when there is no database.
  void SetUp() override { ASSERT_NE(pool_, nullptr) << "no test database: " << setup_error_; }

  static ConnectionPool& pool() { return *pool_; }
  static TestDatabase& db() { return *db_; }

  static inline std::unique_ptr<TestDatabase> db_;
  static inline std::unique_ptr<ConnectionPool> pool_;
  static inline std::string setup_error_;
};

}  // namespace modelreg::testing

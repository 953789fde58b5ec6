#include "tests/support/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <pqxx/pqxx>
#include <random>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/storage/connection_pool.h"
#include "server/storage/migrator.h"
#include "server/storage/pg_errors.h"

namespace modelreg::testing {

std::string WithDatabase(const std::string& url, const std::string& database) {
  if (absl::StartsWith(url, "postgresql://") || absl::StartsWith(url, "postgres://")) {
    const size_t authority = url.find("://") + 3;
    const size_t query = url.find('?', authority);
    const size_t slash = url.find('/', authority);
    const size_t path_end = query == std::string::npos ? url.size() : query;
    const size_t path_begin = (slash == std::string::npos || slash > path_end) ? path_end : slash;
    return absl::StrCat(url.substr(0, path_begin), "/", database, url.substr(path_end));
  }
  // key=value form: a later keyword overrides an earlier one.
  return absl::StrCat(url, " dbname=", database);
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create(bool migrate) {
  const char* admin_url = std::getenv(kTestDatabaseUrlVariable);
  if (admin_url == nullptr || *admin_url == '\0') {
    return absl::FailedPreconditionError(absl::StrCat(
        kTestDatabaseUrlVariable,
        " is not set: integration tests need a running PostgreSQL 15. Set it to an admin URL, e.g. "
        "MODELREG_TEST_DATABASE_URL='postgresql://postgres@/postgres?host=/tmp/pgdev&port=5433' (or run the tests "
        "under pg_virtualenv)"));
  }
  static std::atomic<int> counter{0};
  std::random_device random;
  const std::string name = absl::StrCat("modelreg_test_", ::getpid(), "_", counter++, "_", random() % 1000000);
  try {
    pqxx::connection connection(admin_url);
    pqxx::nontransaction tx(connection);
    tx.exec(absl::StrCat("CREATE DATABASE ", tx.quote_name(name)));
  } catch (...) {
    absl::Status status = StatusFromCurrentException();
    return absl::Status(status.code(), absl::StrCat("cannot create test database on ", kTestDatabaseUrlVariable, ": ",
                                                    status.message(), " (details above)"));
  }
  std::unique_ptr<TestDatabase> db(new TestDatabase(admin_url, name, WithDatabase(admin_url, name)));
  if (migrate) {
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(db->url(), 1);
    if (!pool.ok()) return pool.status();
    absl::Status status = ApplyMigrations(**pool);
    if (!status.ok()) return status;
  }
  return db;
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection connection(admin_url_);
    pqxx::nontransaction tx(connection);
    tx.exec(absl::StrCat("DROP DATABASE IF EXISTS ", tx.quote_name(name_), " WITH (FORCE)"));
  } catch (...) {
    // Logs and leaves the database behind; the name says where it came from.
    (void)StatusFromCurrentException();
  }
}

}  // namespace modelreg::testing

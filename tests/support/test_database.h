// A throwaway PostgreSQL database for integration tests, on the cluster named by MODELREG_TEST_DATABASE_URL.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace modelreg::testing {

inline constexpr char kTestDatabaseUrlVariable[] = "MODELREG_TEST_DATABASE_URL";

class TestDatabase {
 public:
  // Creates a fresh, uniquely named database on the cluster of MODELREG_TEST_DATABASE_URL (an admin URL, libpq URI or
  // key=value form) and, when `migrate`, applies the embedded migrations. FAILED_PRECONDITION explaining what to set
  // when the variable is unset: tests must fail, not skip, without a database.
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create(bool migrate = true);

  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  // Drops the database (terminating its leftover connections).
  ~TestDatabase();

  // Connection string of the new database.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  const std::string& admin_url() const { return admin_url_; }

 private:
  TestDatabase(std::string admin_url, std::string name, std::string url)
      : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// `url` (libpq URI or key=value string) with its database replaced by `database`.
std::string WithDatabase(const std::string& url, const std::string& database);

}  // namespace modelreg::testing

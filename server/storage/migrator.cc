#include "server/storage/migrator.h"

#include <cstdlib>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "schema/embedded_migrations.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/storage/pg_errors.h"
#include "server/storage/pooled_connection.h"
#include "server/storage/transaction.h"

namespace modelreg {
namespace {

// Arbitrary constant identifying the migration lock among advisory locks ("modelreg" in ASCII).
constexpr int64_t kMigrationLockKey = 0x6d6f64656c726567;

struct Migration {
  int version;
  std::string name;
  const char* sql;
};

absl::StatusOr<std::vector<Migration>> ParseMigrations() {
  std::vector<Migration> migrations;
  for (const EmbeddedFile& file : EmbeddedMigrations()) {
    std::string name = file.name;
    if (name.size() < 5 || !absl::ascii_isdigit(static_cast<unsigned char>(name[0])) || name[4] != '_') {
      MODELREG_LOG(ERROR) << "migration file name without NNNN_ prefix: " << name;
      return absl::InternalError("malformed embedded migration name");
    }
    for (int i = 0; i < 4; ++i) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(name[static_cast<size_t>(i)]))) {
        return absl::InternalError("malformed embedded migration name");
      }
    }
    int version = std::atoi(name.substr(0, 4).c_str());
    if (!migrations.empty() && migrations.back().version >= version) {
      MODELREG_LOG(ERROR) << "embedded migrations out of order or duplicated at " << name;
      return absl::InternalError("malformed embedded migrations");
    }
    migrations.push_back({version, name, file.content});
  }
  return migrations;
}

constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())";

// 0 when schema_migrations is missing or empty.
int ReadVersion(pqxx::transaction_base& tx) {
  pqxx::row exists = tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists[0].as<bool>()) return 0;
  pqxx::row row = tx.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return row[0].as<int>();
}

absl::Status NewerError(int db_version, int latest) {
  return absl::FailedPreconditionError(
      absl::StrCat("database schema version ", db_version, " is newer than this modelregd knows (", latest, ")"));
}

}  // namespace

int LatestSchemaVersion() {
  absl::StatusOr<std::vector<Migration>> migrations = ParseMigrations();
  if (!migrations.ok() || migrations->empty()) return 0;
  return migrations->back().version;
}

absl::Status ApplyMigrations(ConnectionPool& pool) {
  MODELREG_ASSIGN_OR_RETURN(std::vector<Migration> migrations, ParseMigrations());
  const int latest = migrations.empty() ? 0 : migrations.back().version;

  MODELREG_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, pool.Acquire());
  pqxx::connection& connection = *lease;
  bool locked = false;
  absl::Status result;
  try {
    // Migrations (an index build on a large table) may legitimately run long and wait for locks: no limits on
    // this connection while it migrates; RunTransaction sets them again when it next uses it.
    connection.set_variable("statement_timeout", "0");
    connection.set_variable("lock_timeout", "0");
    {
      pqxx::nontransaction tx(connection);
      tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
      locked = true;
    }
    {
      pqxx::work tx(connection);
      tx.exec(kCreateTable);
      tx.commit();
    }
    for (const Migration& migration : migrations) {
      pqxx::work tx(connection);
      pqxx::result applied = tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", migration.version);
      if (!applied.empty()) continue;
      const int db_version = ReadVersion(tx);
      if (db_version > latest) {
        result = NewerError(db_version, latest);
        break;
      }
      MODELREG_LOG(INFO) << "applying migration " << migration.name;
      tx.exec(migration.sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())",
                     migration.version, migration.name);
      tx.commit();
    }
    if (result.ok()) {
      pqxx::work tx(connection);
      const int db_version = ReadVersion(tx);
      if (db_version > latest) result = NewerError(db_version, latest);
    }
  } catch (...) {
    result = StatusFromCurrentException();
  }
  if (locked) {
    try {
      pqxx::nontransaction tx(connection);
      tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    } catch (...) {
      // The session lock ends with the connection anyway.
      MODELREG_LOG(WARNING) << "could not release the migration lock";
    }
  }
  return result;
}

absl::StatusOr<int> CurrentSchemaVersion(ConnectionPool& pool) {
  int version = 0;
  MODELREG_RETURN_IF_ERROR(RunTransaction(pool, [&version](Transaction& tx) {
    version = ReadVersion(tx.sql());
    return absl::OkStatus();
  }));
  return version;
}

absl::Status CheckSchemaVersion(ConnectionPool& pool) {
  MODELREG_ASSIGN_OR_RETURN(const int version, CurrentSchemaVersion(pool));
  const int latest = LatestSchemaVersion();
  if (version > latest) return NewerError(version, latest);
  if (version < latest) {
    return absl::FailedPreconditionError(absl::StrCat("database schema version ", version,
                                                      " is older than this modelregd needs (", latest,
                                                      "); apply the migrations"));
  }
  return absl::OkStatus();
}

}  // namespace modelreg

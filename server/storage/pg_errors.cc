#include "server/storage/pg_errors.h"

#include <exception>
#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/logging.h"

namespace modelreg {
namespace {

absl::Status TransactionConflict(absl::string_view message) {
  return ErrorWithReason(absl::StatusCode::kAborted, "TRANSACTION_CONFLICT", message);
}
absl::Status DatabaseUnavailable(absl::string_view message) {
  return ErrorWithReason(absl::StatusCode::kUnavailable, "DATABASE_UNAVAILABLE", message);
}
absl::Status InternalStorageError() {
  return ErrorWithReason(absl::StatusCode::kInternal, "INTERNAL", "internal storage error");
}

void LogSqlError(const char* kind, const pqxx::sql_error& e) {
  MODELREG_LOG(ERROR) << "storage: " << kind << " sqlstate=" << e.sqlstate() << " error=" << e.what()
                      << " query=" << e.query();
}

// Classifies by SQLSTATE the errors libpqxx 6.4 has no class for.
absl::Status StatusFromSqlState(const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  if (state == "40001" || state == "40P01") {
    LogSqlError("transaction conflict", e);
    return TransactionConflict("transaction conflict; retry");
  }
  if (absl::StartsWith(state, "08") || absl::StartsWith(state, "57P") || state == "53300") {
    LogSqlError("database unavailable", e);
    return DatabaseUnavailable("database unavailable");
  }
  if (state == "25006") {
    LogSqlError("database read-only", e);
    return ReadOnlyDatabaseError();
  }
  if (state == "55P03") {
    LogSqlError("lock timeout", e);
    return ErrorWithReason(absl::StatusCode::kAborted, "LOCK_TIMEOUT",
                           "a lock the request needs was not granted within the lock timeout; retry");
  }
  if (state == "57014") {
    LogSqlError("statement canceled", e);
    return ErrorWithReason(absl::StatusCode::kDeadlineExceeded, "DATABASE_TIMEOUT",
                           "database statement timed out or was canceled");
  }
  LogSqlError("database error", e);
  return InternalStorageError();
}

}  // namespace

absl::Status ReadOnlyDatabaseError() {
  return ErrorWithReason(absl::StatusCode::kUnavailable, "DATABASE_READ_ONLY",
                         "the database server does not accept writes (failover in progress?); retry");
}

bool IsReadOnlyDatabaseError(const absl::Status& status) { return ErrorReason(status) == "DATABASE_READ_ONLY"; }

absl::Status StatusFromCurrentException() {
  try {
    throw;
  } catch (const pqxx::unique_violation& e) {
    LogSqlError("unique violation", e);
    return ErrorWithReason(absl::StatusCode::kAlreadyExists, "RESOURCE_ALREADY_EXISTS", "resource already exists");
  } catch (const pqxx::foreign_key_violation& e) {
    LogSqlError("foreign key violation", e);
    return ErrorWithReason(absl::StatusCode::kInvalidArgument, "REFERENCE_NOT_FOUND",
                           "a referenced resource does not exist");
  } catch (const pqxx::serialization_failure& e) {
    MODELREG_LOG(WARNING) << "storage: serialization failure: " << e.what();
    return TransactionConflict("transaction conflict; retry");
  } catch (const pqxx::deadlock_detected& e) {
    MODELREG_LOG(WARNING) << "storage: deadlock: " << e.what();
    return TransactionConflict("transaction conflict; retry");
  } catch (const pqxx::sql_error& e) {
    return StatusFromSqlState(e);
  } catch (const pqxx::broken_connection& e) {
    MODELREG_LOG(ERROR) << "storage: broken connection: " << e.what();
    return DatabaseUnavailable("database unavailable");
  } catch (const pqxx::in_doubt_error& e) {
    MODELREG_LOG(ERROR) << "storage: commit outcome unknown: " << e.what();
    return ErrorWithReason(absl::StatusCode::kUnavailable, "OUTCOME_UNKNOWN",
                           "database connection lost during commit; the outcome is unknown");
  } catch (const pqxx::statement_completion_unknown& e) {
    MODELREG_LOG(ERROR) << "storage: statement outcome unknown: " << e.what();
    return ErrorWithReason(absl::StatusCode::kUnavailable, "OUTCOME_UNKNOWN",
                           "database connection lost; the outcome is unknown");
  } catch (const std::exception& e) {
    MODELREG_LOG(ERROR) << "storage: unexpected exception: " << e.what();
    return InternalStorageError();
  } catch (...) {
    MODELREG_LOG(ERROR) << "storage: unexpected non-standard exception";
    return InternalStorageError();
  }
}

}  // namespace modelreg

#include "server/storage/pg_errors.h"

#include <chrono>
#include <exception>
#include <pqxx/pqxx>
#include <random>
#include <thread>
#include <utility>
#include <vector>

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
  if (state == "57014") {
    LogSqlError("statement canceled", e);
    return ErrorWithReason(absl::StatusCode::kDeadlineExceeded, "DATABASE_TIMEOUT",
                           "database statement timed out or was canceled");
  }
  LogSqlError("database error", e);
  return InternalStorageError();
}

// The transaction RunTransaction is running on this thread, if any.
struct ActiveTransaction {
  ConnectionPool* pool;
  pqxx::dbtransaction* tx;
  std::vector<std::function<void()>>* after;  // the outermost transaction's AfterTransaction hooks
};
thread_local ActiveTransaction* active_transaction = nullptr;

// Sets the thread's active transaction for a scope.
class ActiveScope {
 public:
  explicit ActiveScope(ActiveTransaction* transaction) : saved_(std::exchange(active_transaction, transaction)) {}
  ActiveScope(const ActiveScope&) = delete;
  ActiveScope& operator=(const ActiveScope&) = delete;
  ~ActiveScope() { active_transaction = saved_; }

 private:
  ActiveTransaction* saved_;
};

absl::Status RunNested(ActiveTransaction& outer, const TransactionBody& body) {
  try {
    pqxx::subtransaction savepoint(*outer.tx, "modelreg_nested");
    ActiveTransaction inner{outer.pool, &savepoint, outer.after};
    ActiveScope scope(&inner);
    absl::Status status = body(savepoint);
    if (!status.ok()) {
      savepoint.abort();
      return status;
    }
    savepoint.commit();
    return absl::OkStatus();
  } catch (...) {
    return StatusFromCurrentException();
  }
}

}  // namespace

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

absl::Status RunTransaction(ConnectionPool& pool, const TransactionBody& body, absl::Duration acquire_timeout) {
  if (active_transaction != nullptr && active_transaction->pool == &pool) {
    return RunNested(*active_transaction, body);
  }
  std::vector<std::function<void()>> after;
  struct RunAfter {
    std::vector<std::function<void()>>& hooks;
    ~RunAfter() {
      for (auto& hook : hooks) hook();
    }
  } run_after{after};
  absl::Status last;
  bool broken_retried = false;
  for (int attempt = 1; attempt <= kMaxTransactionAttempts; ++attempt) {
    absl::StatusOr<ConnectionPool::Lease> lease = pool.Acquire(acquire_timeout);
    if (!lease.ok()) return lease.status();
    try {
      pqxx::work tx(**lease);
      ActiveTransaction active{&pool, &tx, &after};
      absl::Status status;
      {
        ActiveScope scope(&active);
        status = body(tx);
      }
      if (!status.ok()) {
        tx.abort();
        return status;
      }
      tx.commit();
      return absl::OkStatus();
    } catch (const pqxx::transaction_rollback&) {
      // serialization_failure, deadlock_detected (and statement_completion_unknown, handled below).
      last = StatusFromCurrentException();
      if (last.code() != absl::StatusCode::kAborted) return last;
    } catch (const pqxx::sql_error&) {
      last = StatusFromCurrentException();
      if (last.code() != absl::StatusCode::kAborted) return last;  // 40001/40P01 without a dedicated class
    } catch (const pqxx::broken_connection&) {
      // The pooled connection died while idle (e.g. a server restart) or during the body, before any commit was
      // attempted (a lost commit is in_doubt_error): nothing was written, so one retry on a fresh connection is safe.
      // The broken connection is dropped when the lease returns.
      last = StatusFromCurrentException();
      if (broken_retried) return last;
      broken_retried = true;
    } catch (...) {
      return StatusFromCurrentException();
    }
    if (attempt < kMaxTransactionAttempts) {
      // Seeded only on a retry: random_device is costly, and the fast path never needs it.
      thread_local std::minstd_rand jitter(std::random_device{}());
      const int max_ms = 5 << attempt;  // 10, 20, 40 ms
      std::this_thread::sleep_for(std::chrono::milliseconds(1 + static_cast<int>(jitter() % max_ms)));
    }
  }
  if (last.code() != absl::StatusCode::kAborted) return last;
  return TransactionConflict(
      absl::StrCat("transaction conflict persisted after ", kMaxTransactionAttempts, " attempts; retry"));
}

void AfterTransaction(std::function<void()> hook) {
  if (active_transaction == nullptr) {
    hook();
  } else {
    active_transaction->after->push_back(std::move(hook));
  }
}

absl::Status RunSingleStatement(ConnectionPool& pool, const TransactionBody& body, absl::Duration acquire_timeout) {
  if (active_transaction != nullptr && active_transaction->pool == &pool) {
    return RunNested(*active_transaction, body);
  }
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<ConnectionPool::Lease> lease = pool.Acquire(acquire_timeout);
    if (!lease.ok()) return lease.status();
    try {
      pqxx::nontransaction tx(**lease);
      return body(tx);
    } catch (const pqxx::broken_connection&) {
      // A read has no effect: retrying once on a fresh connection is safe.
      if (attempt == 2) return StatusFromCurrentException();
    } catch (...) {
      return StatusFromCurrentException();
    }
  }
}

}  // namespace modelreg

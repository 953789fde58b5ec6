#include "server/storage/transaction.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "server/common/call_deadline.h"
#include "server/common/errors.h"
#include "server/common/status_macros.h"
#include "server/storage/change_signal.h"
#include "server/storage/pg_errors.h"
#include "server/storage/pooled_connection.h"

namespace modelreg {
namespace {

// Sleeps before retry `attempt` + 1: 1 to 10, 20, 40 ms.
void Backoff(int attempt) {
  // Seeded only on a retry: random_device is costly, and the fast path never needs it.
  thread_local std::minstd_rand jitter(std::random_device{}());
  const int max_ms = 5 << attempt;
  std::this_thread::sleep_for(std::chrono::milliseconds(1 + static_cast<int>(jitter() % max_ms)));
}

// The transaction whose body this thread is running (RunTransaction), joined by nested runs.
thread_local Transaction* current_transaction = nullptr;

// Makes `transaction` the thread's current one for its lifetime.
class CurrentTransactionScope {
 public:
  explicit CurrentTransactionScope(Transaction* transaction) : previous_(current_transaction) {
    current_transaction = transaction;
  }
  CurrentTransactionScope(const CurrentTransactionScope&) = delete;
  CurrentTransactionScope& operator=(const CurrentTransactionScope&) = delete;
  ~CurrentTransactionScope() { current_transaction = previous_; }

 private:
  Transaction* previous_;
};

// A nested run: `body` in the current transaction. Exceptions are left to the outermost run.
absl::Status RunJoined(Transaction& transaction, const TransactionBody& body) {
  absl::Status status = body(transaction);
  if (!status.ok()) transaction.SetRollbackOnly(status);
  return status;
}

std::atomic<int64_t> max_statement_timeout_ms{30000};
std::atomic<int64_t> lock_timeout_ms{5000};

int64_t CeilMillis(absl::Duration d) {
  return std::max<int64_t>(1, absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1))));
}

absl::Status DeadlinePassed(absl::string_view what) {
  return ErrorWithReason(absl::StatusCode::kDeadlineExceeded, "DEADLINE_PASSED",
                         absl::StrCat("the call's deadline passed ", what, "; nothing was written"));
}

// The statement timeout for work with `remaining` time left, in ms (0 = none): the smaller of the two.
int64_t StatementTimeoutMs(absl::Duration remaining) {
  const int64_t cap = max_statement_timeout_ms.load(std::memory_order_relaxed);
  if (remaining == absl::InfiniteDuration()) return cap;
  const int64_t left = CeilMillis(remaining);
  return cap == 0 ? left : std::min(cap, left);
}

// Sets session variables through libpqxx's cache of them: a round trip only when a value changes. Outside any
// transaction (inside one, libpqxx would set it for that transaction).
void SetSessionTimeouts(pqxx::connection& connection, int64_t statement_ms) {
  const std::string statement = absl::StrCat(statement_ms);
  const std::string lock = absl::StrCat(lock_timeout_ms.load(std::memory_order_relaxed));
  if (connection.get_variable("statement_timeout") != statement) {
    connection.set_variable("statement_timeout", statement);
  }
  if (connection.get_variable("lock_timeout") != lock) connection.set_variable("lock_timeout", lock);
}

// The error of the database exception being handled. Once the pool cancels statements for a shutdown, a cancelled
// statement (57014) or a lost connection is UNAVAILABLE (SHUTTING_DOWN), not a timeout: the caller may retry elsewhere.
absl::Status CurrentDatabaseError(const ConnectionPool& pool) {
  absl::Status status = StatusFromCurrentException();
  if (!pool.shutting_down()) return status;
  const std::string reason = ErrorReason(status);
  if (reason == "DATABASE_TIMEOUT" || reason == "DATABASE_UNAVAILABLE") {
    return ConnectionPool::ShuttingDownError("the statement was cancelled and its transaction rolled back");
  }
  return status;
}

}  // namespace

void SetStatementLimits(const StatementLimits& limits) {
  max_statement_timeout_ms =
      limits.max_statement_timeout <= absl::ZeroDuration() ? 0 : CeilMillis(limits.max_statement_timeout);
  lock_timeout_ms = limits.lock_timeout <= absl::ZeroDuration() ? 0 : CeilMillis(limits.lock_timeout);
}

StatementLimits GetStatementLimits() {
  return {absl::Milliseconds(max_statement_timeout_ms.load()), absl::Milliseconds(lock_timeout_ms.load())};
}

bool InTransaction() { return current_transaction != nullptr; }

absl::Status RunTransaction(ConnectionPool& pool, const TransactionBody& body, absl::Duration acquire_timeout) {
  if (current_transaction != nullptr) return RunJoined(*current_transaction, body);
  absl::Status last;
  bool broken_retried = false;
  const absl::Time deadline = CallDeadline();
  for (int attempt = 1; attempt <= kMaxTransactionAttempts; ++attempt) {
    if (absl::Now() >= deadline) return DeadlinePassed("before the transaction started");
    MODELREG_ASSIGN_OR_RETURN(ConnectionPool::Lease lease,
                              pool.Acquire(std::min(acquire_timeout, deadline - absl::Now())));
    const LocalWriteEndMark write_end;       // ends after `transaction` and `tx`
    std::optional<Transaction> transaction;  // outlives `tx`: its OnEnd hooks run once `tx` has ended
    try {
      const int64_t cap_ms = StatementTimeoutMs(absl::InfiniteDuration());
      SetSessionTimeouts(*lease, cap_ms);
      pqxx::work tx(*lease);
      if (deadline != absl::InfiniteFuture()) {
        const int64_t statement_ms = StatementTimeoutMs(deadline - absl::Now());
        if (statement_ms != cap_ms) tx.exec(absl::StrCat("SET LOCAL statement_timeout = ", statement_ms));
      }
      absl::Status status;
      {
        const CurrentTransactionScope current(&transaction.emplace(&tx, &*lease));
        status = body(*transaction);
      }
      if (status.ok()) status = transaction->rollback_only();
      if (!status.ok()) {
        tx.abort();
        return status;
      }
      if (absl::Now() >= deadline) {
        // The caller has been told DEADLINE_EXCEEDED already: what it gave up on must not happen behind its back.
        tx.abort();
        return DeadlinePassed("before the transaction could commit; it was rolled back");
      }
      if (pool.shutting_down()) {
        // The shutdown's grace period is over: no commit starts after it (ConnectionPool::CancelAll).
        tx.abort();
        return ConnectionPool::ShuttingDownError("the transaction was rolled back before its commit");
      }
      tx.commit();
      return absl::OkStatus();
    } catch (const pqxx::transaction_rollback&) {
      // serialization_failure, deadlock_detected (and statement_completion_unknown, mapped to UNAVAILABLE).
      last = CurrentDatabaseError(pool);
      if (last.code() != absl::StatusCode::kAborted) return last;
    } catch (const pqxx::sql_error&) {
      last = CurrentDatabaseError(pool);
      if (IsReadOnlyDatabaseError(last)) {
        // The server was demoted (failover, switchover) or turned read-only: a read-only transaction wrote nothing,
        // so one retry on a fresh connection, which finds the current primary, is safe.
        lease.Discard();
        if (broken_retried) return last;
        broken_retried = true;
      } else if (last.code() != absl::StatusCode::kAborted || ErrorReason(last) == "LOCK_TIMEOUT") {
        // 40001/40P01 without a dedicated class are retried; a lock timeout is not (it already waited).
        return last;
      }
    } catch (const pqxx::broken_connection&) {
      // The pooled connection died while idle (e.g. a server restart) or during the body, before any commit was
      // attempted (a lost commit is in_doubt_error): nothing was written, so one retry on a fresh connection is safe.
      // The broken connection is dropped when the lease returns.
      last = CurrentDatabaseError(pool);
      if (broken_retried) return last;
      broken_retried = true;
    } catch (...) {
      return CurrentDatabaseError(pool);
    }
    if (attempt < kMaxTransactionAttempts) Backoff(attempt);
    if (absl::Now() >= deadline) return last;
  }
  if (last.code() != absl::StatusCode::kAborted) return last;
  return ErrorWithReason(
      absl::StatusCode::kAborted, "TRANSACTION_CONFLICT",
      absl::StrCat("transaction conflict persisted after ", kMaxTransactionAttempts, " attempts; retry"));
}

absl::Status RunSingleStatement(ConnectionPool& pool, const TransactionBody& body, absl::Duration acquire_timeout) {
  if (current_transaction != nullptr) return RunJoined(*current_transaction, body);
  const absl::Time deadline = CallDeadline();
  for (int attempt = 1;; ++attempt) {
    if (absl::Now() >= deadline) return DeadlinePassed("before the statement started");
    MODELREG_ASSIGN_OR_RETURN(ConnectionPool::Lease lease,
                              pool.Acquire(std::min(acquire_timeout, deadline - absl::Now())));
    try {
      SetSessionTimeouts(*lease, StatementTimeoutMs(deadline == absl::InfiniteFuture()
                                                        ? absl::InfiniteDuration()
                                                        : absl::Ceil(deadline - absl::Now(), absl::Seconds(1))));
      pqxx::nontransaction tx(*lease);
      Transaction transaction(&tx, &*lease);
      return body(transaction);
    } catch (const pqxx::broken_connection&) {
      // A read has no effect: retrying once on a fresh connection is safe.
      if (attempt == 2) return CurrentDatabaseError(pool);
    } catch (...) {
      return CurrentDatabaseError(pool);
    }
  }
}

}  // namespace modelreg

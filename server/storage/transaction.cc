#include "server/storage/transaction.h"

#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/status_macros.h"
#include "server/storage/pg_errors.h"

namespace modelreg {
namespace {

// Sleeps before retry `attempt` + 1: 1 to 10, 20, 40 ms.
void Backoff(int attempt) {
  // Seeded only on a retry: random_device is costly, and the fast path never needs it.
  thread_local std::minstd_rand jitter(std::random_device{}());
  const int max_ms = 5 << attempt;
  std::this_thread::sleep_for(std::chrono::milliseconds(1 + static_cast<int>(jitter() % max_ms)));
}

}  // namespace

absl::Status RunTransaction(ConnectionPool& pool, const TransactionBody& body, absl::Duration acquire_timeout) {
  absl::Status last;
  bool broken_retried = false;
  for (int attempt = 1; attempt <= kMaxTransactionAttempts; ++attempt) {
    MODELREG_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, pool.Acquire(acquire_timeout));
    std::optional<Transaction> transaction;  // outlives `tx`: its OnEnd hooks run once `tx` has ended
    try {
      pqxx::work tx(*lease);
      absl::Status status = body(transaction.emplace(&tx));
      if (!status.ok()) {
        tx.abort();
        return status;
      }
      tx.commit();
      return absl::OkStatus();
    } catch (const pqxx::transaction_rollback&) {
      // serialization_failure, deadlock_detected (and statement_completion_unknown, mapped to UNAVAILABLE).
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
    if (attempt < kMaxTransactionAttempts) Backoff(attempt);
  }
  if (last.code() != absl::StatusCode::kAborted) return last;
  return ErrorWithReason(
      absl::StatusCode::kAborted, "TRANSACTION_CONFLICT",
      absl::StrCat("transaction conflict persisted after ", kMaxTransactionAttempts, " attempts; retry"));
}

absl::Status RunSingleStatement(ConnectionPool& pool, const TransactionBody& body, absl::Duration acquire_timeout) {
  for (int attempt = 1;; ++attempt) {
    MODELREG_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, pool.Acquire(acquire_timeout));
    try {
      pqxx::nontransaction tx(*lease);
      Transaction transaction(&tx);
      return body(transaction);
    } catch (const pqxx::broken_connection&) {
      // A read has no effect: retrying once on a fresh connection is safe.
      if (attempt == 2) return StatusFromCurrentException();
    } catch (...) {
      return StatusFromCurrentException();
    }
  }
}

}  // namespace modelreg

// Database transactions, passed explicitly: a store call that must share a transaction takes a Transaction&, and
// work that must follow the transaction's end (cache invalidation) is attached to it with OnEnd, so a new write path
// cannot forget it. Runs nest: a store call made while this thread runs a transaction's body joins that transaction
// (see RunTransaction), which is how a service makes several store calls one atomic unit (service/idempotent_calls.h).
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/storage/connection_pool.h"

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace modelreg {

class PooledConnection;

class Transaction {
 public:
  // `sql` may be null for a transaction that never reaches a database (fakes in service unit tests); `pooled` is
  // the pooled connection `sql` runs on, when it does.
  explicit Transaction(pqxx::transaction_base* sql, PooledConnection* pooled = nullptr) : sql_(sql), pooled_(pooled) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // The transaction has ended: runs the OnEnd hooks.
  ~Transaction() {
    for (auto& hook : end_hooks_) hook();
  }

  // The libpqxx transaction. Storage layer only.
  pqxx::transaction_base& sql() const { return *sql_; }
  // The pooled connection the transaction runs on (its statements built per call), or null. Storage layer only.
  PooledConnection* pooled_connection() const { return pooled_; }

  // Runs `hook` once this transaction has ended, whatever its outcome (committed, rolled back, failed, or unknown
  // after a lost commit). For cache invalidation, which is harmless when nothing changed and must not run before the
  // commit.
  void OnEnd(std::function<void()> hook) { end_hooks_.push_back(std::move(hook)); }

  // A joined run (a nested RunTransaction or RunSingleStatement) failed with `status`: the transaction must not
  // commit, even if the outer body goes on and returns OK. The first such status is kept.
  void SetRollbackOnly(const absl::Status& status) {
    if (rollback_only_.ok()) rollback_only_ = status;
  }
  const absl::Status& rollback_only() const { return rollback_only_; }

 private:
  pqxx::transaction_base* sql_;
  PooledConnection* pooled_;
  std::vector<std::function<void()>> end_hooks_;
  absl::Status rollback_only_;
};

using TransactionBody = std::function<absl::Status(Transaction&)>;

// Time limits on database work, process-wide (modelregd sets them from its flags at start-up).
struct StatementLimits {
  // Longest any statement may run (`--max-statement-timeout`); zero means no server cap.
  absl::Duration max_statement_timeout = absl::Seconds(30);
  // Longest a statement waits for a row or table lock (`lock_timeout`); zero means no limit.
  absl::Duration lock_timeout = absl::Seconds(5);
};
void SetStatementLimits(const StatementLimits& limits);
StatementLimits GetStatementLimits();

// Deadlines. Both runners bound their work by the thread's call deadline (server/common/call_deadline.h, set by
// the gRPC adapters from the client's deadline for the duration of the call; InfiniteFuture() off a call):
// - Every pooled connection runs with session `lock_timeout` = StatementLimits::lock_timeout and a session
//   `statement_timeout` (set through libpqxx's variable cache, so a round trip only when the value changes).
// - RunTransaction: session statement_timeout = the server maximum; when the call has less time left, the
//   transaction also runs `SET LOCAL statement_timeout` = the time left (one more round trip). A body whose
//   deadline passed is rolled back, never committed: the deadline is checked again just before COMMIT (what
//   remains is the commit's own round trip). No attempt starts, and no retry, once the deadline has passed.
// - RunSingleStatement: session statement_timeout = the time left rounded up to whole seconds (so that callers with
//   similar deadlines share a value and skip the round trip), capped by the server maximum. A read may thus run
//   up to a second past its deadline; it changes nothing.
// A statement cut short by either timeout is DEADLINE_EXCEEDED (DATABASE_TIMEOUT); a lock not granted within
// lock_timeout is ABORTED (LOCK_TIMEOUT, not retried); a call whose deadline passed is DEADLINE_EXCEEDED
// (DEADLINE_PASSED), with nothing written. The connection pool's wait is bounded by the deadline too.

inline constexpr int kMaxTransactionAttempts = 4;

// Runs `body` in one read-committed transaction on a pooled connection, commits it when `body` returns OK, else rolls
// back and returns the error. Serialization failures and deadlocks are retried (the body runs again: no state across
// attempts) up to kMaxTransactionAttempts times, then ABORTED; a connection broken before the commit, or reaching a
// server that turned read-only (SQLSTATE 25006: the connection is discarded), is retried once on a fresh connection.
// Other errors: StatusFromCurrentException (pg_errors.h). UNAVAILABLE if no connection frees up in `acquire_timeout`;
// UNAVAILABLE SHUTTING_DOWN, rolled back, once the pool's CancelAll ran (no COMMIT starts after it; a cancelled
// statement). Each attempt's OnEnd hooks run once that attempt has ended.
//
// Nesting: while `body` runs, it is this thread's current transaction. A RunTransaction or RunSingleStatement called
// from inside it (a store method called by a service body that runs in RunTransaction) does not take another
// connection: it runs its body in the current transaction and returns that body's status. Its database exceptions
// propagate to the outermost run, which maps them and retries the whole outer body; an error it returns marks the
// transaction rollback-only (Transaction::SetRollbackOnly), so the outer run rolls back and returns that error even if
// the outer body ignored it. Its OnEnd hooks run when the outer transaction ends.
absl::Status RunTransaction(ConnectionPool& pool, const TransactionBody& body,
                            absl::Duration acquire_timeout = absl::Seconds(5));

// Runs `body`, which must issue exactly one statement (a single SELECT), without BEGIN/COMMIT: one round trip
// instead of three, and as consistent under read committed. Retried once on a connection that broke while idle.
// Inside a RunTransaction body it joins that transaction, as a nested RunTransaction does.
absl::Status RunSingleStatement(ConnectionPool& pool, const TransactionBody& body,
                                absl::Duration acquire_timeout = absl::Seconds(5));

// Whether this thread is running a RunTransaction body (a store call now would join that transaction).
bool InTransaction();

}  // namespace modelreg

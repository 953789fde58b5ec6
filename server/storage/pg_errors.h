// Internal to the storage layer (includes libpqxx). The one place where libpqxx and std exceptions become absl::Status,
// and the transaction runner every store uses.
#pragma once

#include <functional>
#include <pqxx/transaction>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/storage/connection_pool.h"

namespace modelreg {

// Call only inside a `catch` block: maps the exception in flight to a status. The SQL and the server's message are
// logged, never returned. Each status carries an ErrorInfo reason (server/common/errors.h):
//   unique_violation                      -> ALREADY_EXISTS ("resource already exists"), RESOURCE_ALREADY_EXISTS
//   foreign_key_violation                 -> INVALID_ARGUMENT ("a referenced resource does not exist"),
//                                            REFERENCE_NOT_FOUND
//   serialization_failure, deadlock       -> ABORTED, TRANSACTION_CONFLICT
//   broken_connection, SQLSTATE 08xxx/57P -> UNAVAILABLE, DATABASE_UNAVAILABLE
//   in_doubt_error                        -> UNAVAILABLE (outcome of the commit unknown), OUTCOME_UNKNOWN
//   query_canceled (statement timeout)    -> DEADLINE_EXCEEDED, DATABASE_TIMEOUT
//   anything else                         -> INTERNAL ("internal storage error"), INTERNAL
absl::Status StatusFromCurrentException();

// Runs `body` in one read-committed transaction on a pooled connection and commits it when `body` returns OK; when
// `body` returns an error the transaction is rolled back and the error returned as is. Serialization failures and
// deadlocks are retried (the body runs again, so it must not keep state across attempts) up to
// kMaxTransactionAttempts times, then ABORTED. Other database errors are mapped by StatusFromCurrentException.
// UNAVAILABLE if no connection frees up within `acquire_timeout`.
//
// Nesting: when called on a thread that is already inside RunTransaction for the same pool (a store method called
// from a store Mutation callback), `body` runs in a savepoint of the enclosing transaction instead of taking a second
// connection, which could exhaust the pool under load. An error (status or exception) rolls back to the savepoint
// and is returned as a status; the enclosing transaction decides whether to commit.
using TransactionBody = std::function<absl::Status(pqxx::transaction_base&)>;
absl::Status RunTransaction(ConnectionPool& pool, const TransactionBody& body,
                            absl::Duration acquire_timeout = absl::Seconds(5));

// Runs `body`, which must issue exactly one statement (a single SELECT), without BEGIN/COMMIT: one round trip
// instead of three, and as consistent under read committed. Retried once on a connection that broke while idle.
// Inside RunTransaction on this thread it runs in the enclosing transaction's savepoint instead.
absl::Status RunSingleStatement(ConnectionPool& pool, const TransactionBody& body,
                                absl::Duration acquire_timeout = absl::Seconds(5));

// Runs `hook` once the outermost RunTransaction on this thread has ended, whatever its outcome (committed, rolled
// back, failed, or unknown after a lost commit); outside a transaction, runs it now. For cache invalidation, which is
// harmless when nothing changed and must not run before the commit.
void AfterTransaction(std::function<void()> hook);

inline constexpr int kMaxTransactionAttempts = 4;

}  // namespace modelreg

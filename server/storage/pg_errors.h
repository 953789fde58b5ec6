// Internal to the storage layer. The one place where libpqxx and std exceptions become absl::Status (the
// transaction runner, transaction.h, uses it).
#pragma once

#include "absl/status/status.h"

namespace modelreg {

// Call only inside a `catch` block: maps the exception in flight to a status. The SQL and the server's message are
// logged, never returned. Each status carries an ErrorInfo reason (server/common/errors.h):
//   unique_violation                      -> ALREADY_EXISTS ("resource already exists"), RESOURCE_ALREADY_EXISTS
//   foreign_key_violation                 -> INVALID_ARGUMENT ("a referenced resource does not exist"),
//                                            REFERENCE_NOT_FOUND
//   serialization_failure, deadlock       -> ABORTED, TRANSACTION_CONFLICT
//   broken_connection, SQLSTATE 08xxx/57P -> UNAVAILABLE, DATABASE_UNAVAILABLE
//   read_only_sql_transaction (25006)     -> UNAVAILABLE, DATABASE_READ_ONLY (the connection reaches a server that
//                                            no longer accepts writes: a demoted primary, a standby)
//   in_doubt_error                        -> UNAVAILABLE (outcome of the commit unknown), OUTCOME_UNKNOWN
//   query_canceled (statement timeout)    -> DEADLINE_EXCEEDED, DATABASE_TIMEOUT
//   lock_not_available (lock timeout)     -> ABORTED, LOCK_TIMEOUT
//   anything else                         -> INTERNAL ("internal storage error"), INTERNAL
absl::Status StatusFromCurrentException();

// Whether `status` (from StatusFromCurrentException) is DATABASE_READ_ONLY: the connection must not be reused
// (ConnectionPool::Lease::Discard); a fresh one finds the current primary (`target_session_attrs=read-write`).
bool IsReadOnlyDatabaseError(const absl::Status& status);

// UNAVAILABLE, DATABASE_READ_ONLY: the server a connection reaches does not accept writes.
absl::Status ReadOnlyDatabaseError();

}  // namespace modelreg

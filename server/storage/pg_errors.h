// Internal to the storage layer. The one place where libpqxx and std exceptions become absl::Status (the
// transaction runner, transaction.h, uses it).
#pragma once

#include "absl/status/status.h"

namespace modelreg {

// Call only inside a `catch` block: maps the exception in flight to a status. The SQL and the server's message are
// logged, never returned:
//   unique_violation                      -> ALREADY_EXISTS ("resource already exists")
//   foreign_key_violation                 -> INVALID_ARGUMENT ("a referenced resource does not exist")
//   serialization_failure, deadlock       -> ABORTED
//   broken_connection, SQLSTATE 08xxx/57P -> UNAVAILABLE
//   in_doubt_error                        -> UNAVAILABLE (outcome of the commit unknown)
//   query_canceled (statement timeout)    -> DEADLINE_EXCEEDED
//   anything else                         -> INTERNAL ("internal storage error")
absl::Status StatusFromCurrentException();

}  // namespace modelreg

// Schema migrations: the embedded schema/NNNN_*.sql files, applied in order and recorded in schema_migrations.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/storage/connection_pool.h"

namespace modelreg {

// Version of the newest embedded migration (the NNNN prefix of its file name).
int LatestSchemaVersion();

// Under a PostgreSQL advisory lock (so concurrent modelregd processes serialize), creates schema_migrations if
// missing and applies each embedded migration not recorded there, each in its own transaction together with its
// record. Idempotent. FAILED_PRECONDITION if the database has a version newer than LatestSchemaVersion();
// UNAVAILABLE if the database is unreachable; INTERNAL if a migration fails (details logged).
absl::Status ApplyMigrations(ConnectionPool& pool);

// Highest version recorded in schema_migrations, 0 when the table is missing or empty.
absl::StatusOr<int> CurrentSchemaVersion(ConnectionPool& pool);

// OK when the database is exactly at LatestSchemaVersion(). FAILED_PRECONDITION "database schema version N is newer
// than this modelregd knows (M)" when it is ahead, or "... is older than this modelregd needs (M); apply the
// migrations" when it is behind.
absl::Status CheckSchemaVersion(ConnectionPool& pool);

}  // namespace modelreg

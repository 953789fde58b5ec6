// The row statements of a resource kind's table, generated from its description: every kind's table has the key
// column, `record` (the serialized protobuf, output-only fields cleared), the derived columns, `derived_version`
// (ResourceKind::DerivedVersion() of the code that computed them), `revision` and the three times. Pure text.
#pragma once

#include <string>

#include "server/domain/resource/resource_kind.h"

namespace modelreg::sql {

struct TableSql {
  // The columns every read selects, in this order: record, revision, create, update and delete time as bigint
  // microseconds since the epoch (NULL delete time when live).
  std::string record_columns;
  // The row's version as a bigint: PostgreSQL's xmin, the transaction that wrote the row as it is now. Every write
  // changes it, including those that keep the revision (a reassessment, a rewrite), so two reads of a key that got
  // the same version got the same row. (A transaction id repeats only after 2^32 transactions.)
  std::string row_version;
  // The key, then the row version: what a List selects instead of record_columns when it needs no record.
  std::string key_version_columns;
  // The writes that change a record append its history row (table `revisions`) in the same statement, from
  // two more parameters at the end: the principal and the request id (server/common/change_author.h).
  //
  // $1 key, $2 record, then one parameter per derived column, then derived_version, principal, request id. Inserts
  // revision 1 at now(); returns no row when the key exists. Returns the revision and the three times (microseconds).
  std::string insert;
  // Inserts many rows in one statement, as insert does each: $1 text[] of keys, $2 bytea[] of records, then one text[]
  // per derived column (each value the column's text form, NULL for NULL), then derived_version, principal and
  // request id. Keys that exist are skipped. Returns the inserted rows' key, revision and three times (microseconds).
  std::string insert_many;
  // Same parameters, with the delete flag before the principal: revision + 1, update_time now(), delete_time kept
  // (or set to now()) when the flag is true, cleared otherwise. History: DELETE, UNDELETE or UPDATE. Returns as
  // insert.
  std::string update;
  // $1 key, $2 record, derived columns, derived_version: rewrites record and derived columns only, no revision bump
  // and no history (derived-column backfill, bookkeeping such as a token's last use).
  std::string rewrite;
  // As rewrite, then principal and request id; history REASSESS (the computed openness changed). Returns as insert.
  std::string reassess;
  // $1 key, principal, request id: deletes the row, clears the records of its earlier revisions and appends a PURGE
  // revision without a record (revision + 1). Returns the new revision's sequence, revision and commit time
  // (microseconds); no row, changing nothing, when the key is missing.
  std::string purge;
  // $1 key, $2 record, derived columns, derived_version, then the revision and the create, update and delete times as
  // bigint microseconds since the epoch (delete NULL when live): inserts the row as the history recorded it, with no
  // history of its own. For the as-of tables (storage/as_of_tables.h), run unprepared so that the name reaches the
  // temporary table.
  std::string restore;
  // $1 text[] of keys: record columns, then the row version.
  std::string get_many;
  // As get_many, the rows locked FOR SHARE.
  std::string get_many_shared;
  // $1 key, FOR UPDATE.
  std::string lock;
  // $1 key after which to start, $2 limit: record columns, then the row version, in key order.
  std::string scan;
  // $1 derived_version, $2 limit: rows derived by another version (record columns, then the key), in key order,
  // FOR UPDATE.
  std::string stale;
  // $1 derived_version: one row if any is derived by another version, nothing locked.
  std::string any_stale;
};

TableSql BuildTableSql(const ResourceKind& kind);

}  // namespace modelreg::sql

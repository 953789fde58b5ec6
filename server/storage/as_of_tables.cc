#include "server/storage/as_of_tables.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/storage/kind_tables.h"
#include "server/storage/record_codec.h"
#include "server/storage/sql/sql_expressions.h"

namespace modelreg {
namespace {

// Resources copied per query: bounds the records held in memory at once.
constexpr int kCopyBatchSize = 200;

// The last revision at or before $2 (microseconds since the epoch) of up to $4 resources of kind $1 whose names sort
// after $3, in name order: the record columns (ResourceTable::Decode; a NULL record is a purge), then the name.
const std::string& LatestRevisionsSql() {
  static const auto* sql = new std::string(absl::StrCat(
      "SELECT record, revision, ", sql::MicrosExpr("create_time"), ", ", sql::MicrosExpr("update_time"), ", ",
      sql::MicrosExpr("delete_time"),
      ", resource FROM (SELECT DISTINCT ON (resource) resource, record, revision, create_time, update_time, "
      "delete_time FROM revisions WHERE kind = $1 AND commit_time <= ",
      sql::TimestampFromMicrosExpr("$2::bigint"),
      " AND resource > $3 ORDER BY resource, sequence DESC LIMIT $4::integer) latest ORDER BY resource"));
  return *sql;
}

// Fills the temporary table of `table`'s kind with its rows as of `micros`.
absl::Status Fill(Transaction& tx, const ResourceTable& table, int64_t micros) {
  std::string after;  // keyset: names sort after ""
  while (true) {
    const pqxx::result rows =
        tx.sql().exec_params(LatestRevisionsSql(), table.kind().table, micros, after, kCopyBatchSize);
    for (const pqxx::row& row : rows) {
      if (row[0].is_null()) continue;  // purged
      MODELREG_RETURN_IF_ERROR(table.Restore(tx, table.kind().KeyOf(row[5].as<std::string>()), row));
    }
    if (rows.size() < static_cast<pqxx::result::size_type>(kCopyBatchSize)) return absl::OkStatus();
    after = rows[rows.size() - 1][5].as<std::string>();
  }
}

}  // namespace

absl::Status RunAsOf(ConnectionPool& pool, const google::protobuf::Timestamp& time,
                     const std::vector<std::string>& kinds, const TransactionBody& body) {
  const int64_t micros = storage_internal::TimestampToMicros(time);
  return RunTransaction(pool, [&](Transaction& tx) -> absl::Status {
    for (const std::string& kind : kinds) {
      const ResourceTable* table = TableOfKind(kind);
      if (table == nullptr) return absl::InternalError(absl::StrCat("as-of table of an unknown kind `", kind, "`"));
      // Names from the kinds' descriptions, not from a request. LIKE copies the columns, NOT NULL and defaults only
      // (no triggers: nothing is notified).
      tx.sql().exec(
          absl::StrCat("CREATE TEMPORARY TABLE ", kind, " (LIKE ", kind, " INCLUDING DEFAULTS) ON COMMIT DROP"));
    }
    // pg_temp first explicitly: a new search path, so every prepared statement run from here on is analyzed again and
    // resolves the kinds' names to the temporary tables (and again to the real ones once the transaction has ended).
    tx.sql().exec("SELECT set_config('search_path', 'pg_temp, ' || current_setting('search_path'), true)");
    for (const std::string& kind : kinds) MODELREG_RETURN_IF_ERROR(Fill(tx, *TableOfKind(kind), micros));
    return body(tx);
  });
}

}  // namespace modelreg

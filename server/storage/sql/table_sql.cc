#include "server/storage/sql/table_sql.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/sql/sql_expressions.h"

namespace modelreg::sql {
namespace {

// Every write that changes a record is one statement: the write as the CTE `w` (RETURNING its row), the history
// row appended from it (the revisions table, schema/0011_revisions.sql), then the revision and the three times as
// bigint microseconds. `change` is the ChangeKind number as an SQL expression; `author` the number of the first of
// two parameters, principal and request id.
// The resource name of the row whose key is $1, as an SQL expression.
std::string ResourceExpr(const ResourceKind& kind) {
  return kind.key_prefix.empty() ? "$1" : absl::StrCat("'", kind.key_prefix, "' || $1");
}

std::string WithHistory(const ResourceKind& kind, const std::string& write, const std::string& change, int author,
                        const std::string& prior_cte = "") {
  const std::string resource = ResourceExpr(kind);
  return absl::StrCat(
      "WITH ", prior_cte, "w AS (", write,
      " RETURNING revision, record, create_time, update_time, delete_time), history AS (INSERT INTO revisions "
      "(resource, kind, revision, change, record, create_time, update_time, delete_time, principal, request_id) "
      "SELECT ",
      resource, ", '", kind.table, "', w.revision, ", change,
      ", w.record, w.create_time, w.update_time, w.delete_time, $", author, "::text, $", author + 1, "::text FROM w",
      prior_cte.empty() ? "" : ", prior", ") SELECT w.revision, ", MicrosExpr("w.create_time"), ", ",
      MicrosExpr("w.update_time"), ", ", MicrosExpr("w.delete_time"), " FROM w");
}

}  // namespace

TableSql BuildTableSql(const ResourceKind& kind) {
  const std::string& a = kind.alias;
  const std::string& key = kind.key_column;
  const std::string from = absl::StrCat(" FROM ", kind.table, " ", a);
  TableSql t;
  t.record_columns = absl::StrCat(a, ".record, ", a, ".revision, ", MicrosExpr(a + ".create_time"), ", ",
                                  MicrosExpr(a + ".update_time"), ", ", MicrosExpr(a + ".delete_time"));
  t.row_version = absl::StrCat("(", a, ".xmin::text)::bigint");
  t.key_version_columns = absl::StrCat(a, ".", kind.key_column, ", ", t.row_version);

  // Parameters: $1 key, $2 record, $3.. derived columns, then derived_version.
  std::vector<std::string> names = {key, "record"};
  std::vector<std::string> values = {"$1", "$2"};
  std::vector<std::string> sets = {"record = $2"};
  int n = 2;
  for (const DerivedColumn& c : kind.columns) {
    const std::string param = absl::StrCat("$", ++n, ColumnCast(c.type));
    names.push_back(c.name);
    values.push_back(param);
    sets.push_back(absl::StrCat(c.name, " = ", param));
  }
  const std::string version = absl::StrCat("$", ++n, "::integer");
  names.push_back("derived_version");
  values.push_back(version);
  sets.push_back(absl::StrCat("derived_version = ", version));

  // Many rows at once: one array parameter per column, unnested in order (derived columns as text, cast per column).
  {
    std::vector<std::string> arrays = {"$1::text[]", "$2::bytea[]"};
    std::vector<std::string> aliases = {"k", "record"};
    std::vector<std::string> selected = {"u.k", "u.record"};
    int m = 2;
    for (const DerivedColumn& c : kind.columns) {
      arrays.push_back(absl::StrCat("$", ++m, "::text[]"));
      aliases.push_back(absl::StrCat("d", m));
      selected.push_back(absl::StrCat("u.d", m, ColumnCast(c.type)));
    }
    const int many_version = ++m;
    const std::string resource =
        kind.key_prefix.empty() ? absl::StrCat("w.", key) : absl::StrCat("'", kind.key_prefix, "' || w.", key);
    t.insert_many = absl::StrCat(
        "WITH w AS (INSERT INTO ", kind.table, " (", absl::StrJoin(names, ", "),
        ", revision, create_time, update_time, delete_time) SELECT ", absl::StrJoin(selected, ", "), ", $",
        many_version, "::integer, 1, now(), now(), NULL FROM unnest(", absl::StrJoin(arrays, ", "),
        ") WITH ORDINALITY AS u(", absl::StrJoin(aliases, ", "), ", ord) ORDER BY u.ord ON CONFLICT (", key,
        ") DO NOTHING RETURNING ", key, ", revision, record, create_time, update_time, delete_time), history AS ",
        "(INSERT INTO revisions (resource, kind, revision, change, record, create_time, update_time, delete_time, "
        "principal, request_id) SELECT ",
        resource, ", '", kind.table, "', w.revision, 1, w.record, w.create_time, w.update_time, w.delete_time, $",
        many_version + 1, "::text, $", many_version + 2, "::text FROM w) SELECT w.", key, ", w.revision, ",
        MicrosExpr("w.create_time"), ", ", MicrosExpr("w.update_time"), ", ", MicrosExpr("w.delete_time"), " FROM w");
  }

  // ChangeKind numbers (proto/modelreg/v1/history.proto): CREATE 1, UPDATE 2, DELETE 3, UNDELETE 4, REASSESS 6.
  t.insert = WithHistory(
      kind,
      absl::StrCat("INSERT INTO ", kind.table, " (", absl::StrJoin(names, ", "),
                   ", revision, create_time, update_time, delete_time) VALUES (", absl::StrJoin(values, ", "),
                   ", 1, now(), now(), NULL) ON CONFLICT (", key, ") DO NOTHING"),
      "1", n + 1);
  // `prior` reads the row as it was (every CTE sees the statement's snapshot), to tell a delete or an undelete.
  t.update = WithHistory(
      kind,
      absl::StrCat("UPDATE ", kind.table, " SET ", absl::StrJoin(sets, ", "),
                   ", revision = revision + 1, update_time = now(), delete_time = CASE WHEN $", n + 1,
                   "::boolean THEN COALESCE(delete_time, now()) ELSE NULL END WHERE ", key, " = $1"),
      "CASE WHEN prior.delete_time IS NULL AND w.delete_time IS NOT NULL THEN 3 WHEN prior.delete_time IS NOT NULL "
      "AND w.delete_time IS NULL THEN 4 ELSE 2 END",
      n + 2, absl::StrCat("prior AS (SELECT delete_time FROM ", kind.table, " WHERE ", key, " = $1), "));
  t.restore = absl::StrCat("INSERT INTO ", kind.table, " (", absl::StrJoin(names, ", "),
                           ", revision, create_time, update_time, delete_time) VALUES (", absl::StrJoin(values, ", "),
                           ", $", n + 1, "::bigint, ", TimestampFromMicrosExpr(absl::StrCat("$", n + 2, "::bigint")),
                           ", ", TimestampFromMicrosExpr(absl::StrCat("$", n + 3, "::bigint")), ", ",
                           TimestampFromMicrosExpr(absl::StrCat("$", n + 4, "::bigint")), ")");
  const std::string rewrite =
      absl::StrCat("UPDATE ", kind.table, " SET ", absl::StrJoin(sets, ", "), " WHERE ", key, " = $1");
  t.rewrite = rewrite;
  t.reassess = WithHistory(kind, rewrite, "6", n + 1);
  // PURGE is ChangeKind 5. The earlier revisions' records are cleared only when the row was deleted.
  const std::string resource = ResourceExpr(kind);
  t.purge = absl::StrCat(
      "WITH w AS (DELETE FROM ", kind.table, " WHERE ", key,
      " = $1 RETURNING revision), cleared AS (UPDATE revisions SET record = NULL WHERE resource = ", resource,
      " AND record IS NOT NULL AND EXISTS (SELECT 1 FROM w)), history AS (INSERT INTO revisions (resource, kind, "
      "revision, change, principal, request_id) SELECT ",
      resource, ", '", kind.table,
      "', w.revision + 1, 5, $2::text, $3::text FROM w RETURNING sequence, revision, commit_time) SELECT sequence, "
      "revision, ",
      MicrosExpr("commit_time"), " FROM history");
  t.get_many = absl::StrCat("SELECT ", t.record_columns, ", ", t.row_version, from, " WHERE ", a, ".", key,
                            " = ANY($1::text[]) ORDER BY ", a, ".", key);
  t.get_many_shared = t.get_many + " FOR SHARE";
  t.lock = absl::StrCat("SELECT ", t.record_columns, from, " WHERE ", a, ".", key, " = $1 FOR UPDATE");
  t.scan = absl::StrCat("SELECT ", t.record_columns, ", ", t.row_version, from, " WHERE ", a, ".", key,
                        " > $1 ORDER BY ", a, ".", key, " LIMIT $2::integer");
  t.stale = absl::StrCat("SELECT ", t.record_columns, ", ", a, ".", key, from, " WHERE ", a,
                         ".derived_version <> $1::integer ORDER BY ", a, ".", key, " LIMIT $2::integer FOR UPDATE");
  t.any_stale = absl::StrCat("SELECT 1 FROM ", kind.table, " WHERE derived_version <> $1::integer LIMIT 1");
  return t;
}

}  // namespace modelreg::sql

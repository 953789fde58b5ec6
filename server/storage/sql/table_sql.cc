#include "server/storage/sql/table_sql.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/sql/sql_expressions.h"

namespace modelreg::sql {
namespace {

std::string Returning() {
  return absl::StrCat(" RETURNING revision, ", MicrosExpr("create_time"), ", ", MicrosExpr("update_time"), ", ",
                      MicrosExpr("delete_time"));
}

}  // namespace

TableSql BuildTableSql(const ResourceKind& kind) {
  const std::string& a = kind.alias;
  const std::string& key = kind.key_column;
  const std::string from = absl::StrCat(" FROM ", kind.table, " ", a);
  TableSql t;
  t.record_columns = absl::StrCat(a, ".record, ", a, ".revision, ", MicrosExpr(a + ".create_time"), ", ",
                                  MicrosExpr(a + ".update_time"), ", ", MicrosExpr(a + ".delete_time"));

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

  t.insert = absl::StrCat("INSERT INTO ", kind.table, " (", absl::StrJoin(names, ", "),
                          ", revision, create_time, update_time, delete_time) VALUES (", absl::StrJoin(values, ", "),
                          ", 1, now(), now(), NULL) ON CONFLICT (", key, ") DO NOTHING", Returning());
  t.update =
      absl::StrCat("UPDATE ", kind.table, " SET ", absl::StrJoin(sets, ", "),
                   ", revision = revision + 1, update_time = now(), delete_time = CASE WHEN $", n + 1,
                   "::boolean THEN COALESCE(delete_time, now()) ELSE NULL END WHERE ", key, " = $1", Returning());
  t.rewrite = absl::StrCat("UPDATE ", kind.table, " SET ", absl::StrJoin(sets, ", "), " WHERE ", key, " = $1");
  t.get_many = absl::StrCat("SELECT ", t.record_columns, from, " WHERE ", a, ".", key, " = ANY($1::text[]) ORDER BY ",
                            a, ".", key);
  t.lock = absl::StrCat("SELECT ", t.record_columns, from, " WHERE ", a, ".", key, " = $1 FOR UPDATE");
  t.scan = absl::StrCat("SELECT ", t.record_columns, from, " WHERE ", a, ".", key, " > $1 ORDER BY ", a, ".", key,
                        " LIMIT $2::integer");
  t.stale = absl::StrCat("SELECT ", t.record_columns, ", ", a, ".", key, from, " WHERE ", a,
                         ".derived_version <> $1::integer ORDER BY ", a, ".", key, " LIMIT $2::integer FOR UPDATE");
  return t;
}

}  // namespace modelreg::sql

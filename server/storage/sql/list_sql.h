// SQL for a List (domain/query/list_query.h): the WHERE condition (parent, show_deleted, filter, keyset), ORDER BY,
// the key columns selected for the next page token, and the full SELECT. Pure text generation.
//
// Keyset: the next page adds `(k1, ..., kn) > ($a, ..., $n)` (`<` when descending). Mixed directions expand to
// `k1 >= $a AND (k1 > $a OR (k1 = $a AND k2 < $b) OR ...)` (the leading bound lets the index range-scan).
// Timestamps are keyed by their microseconds since the epoch (exact, independent of TimeZone and DateStyle).
#pragma once

#include <string>
#include <vector>

#include "server/domain/query/list_query.h"

namespace modelreg::sql {

struct ListSql {
  // Boolean expression over the kind's alias with placeholders $1..$n for `params`.
  std::string where = "TRUE";
  // Values for $1..$n, all sent as text; the SQL casts them where needed ($3::bigint).
  std::vector<std::string> params;
  // ORDER BY clause without the keywords, ending with the key column, e.g. "m.release_date DESC, m.name ASC".
  std::string order_by;
  // Expressions of the ordering keys, selected (as text) after the record columns to make the next page token.
  std::vector<std::string> key_columns;
  int limit = 50;
};

ListSql BuildListSql(const ListQuery& query);

// `SELECT <columns>, (<key>)::text... FROM <table> <alias> WHERE (<where>) ORDER BY <order_by> LIMIT $<n+1>`; the
// limit is bound as the last parameter.
std::string SelectSql(const std::string& columns, const ResourceKind& kind, const ListSql& list);

}  // namespace modelreg::sql

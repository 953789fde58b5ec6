// SQL for a List (domain/query/list_query.h): the WHERE condition (parent, show_deleted, filter, keyset), ORDER BY,
// the key columns selected for the next page token, and the full SELECT. Pure text generation.
//
// Keyset: the next page adds `(k1, ..., kn) > ($a, ..., $n)` (`<` when descending). Mixed directions expand to
// `k1 >= $a AND (k1 > $a OR (k1 = $a AND k2 < $b) OR ...)` (the leading bound lets the index range-scan).
// Timestamps are keyed by their microseconds since the epoch (exact, independent of TimeZone and DateStyle).
#pragma once

#include <cstdint>
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
  // The ORDER BY terms one by one (order_by joined).
  struct SortTerm {
    std::string expr;
    bool desc;
  };
  std::vector<SortTerm> sort;
  int limit = 50;
  // ListQuery::max_bytes: 0 for no page byte budget.
  int64_t max_bytes = 0;
};

ListSql BuildListSql(const ListQuery& query);

// `SELECT <columns>, (<key>)::text... FROM <table> <alias> WHERE (<where>) ORDER BY <order_by> LIMIT $<n+1>`; the
// limit is bound as the last parameter.
//
// With a page byte budget (max_bytes > 0) that query is wrapped so that PostgreSQL sends only the rows the page can
// hold, plus the first that does not fit (which tells the store that another page follows):
//   SELECT * FROM (SELECT <columns>, (<key>)::text..., <row bytes> AS page_row_bytes,
//                         sum(<row bytes>) OVER (ORDER BY <order_by> ROWS UNBOUNDED PRECEDING) AS page_bytes,
//                         <sort expression> AS page_sort_1, ...
//                  FROM ... WHERE ... ORDER BY <order_by> LIMIT $<n+1>) AS page
//   WHERE page.page_bytes - page.page_row_bytes <= <max_bytes> ORDER BY page.page_sort_1, ...
// where <row bytes> = octet_length(<alias>.record) + kResponseBytesPerRecord (octet_length of a compressed or
// TOASTed value does not decompress it). The running sum follows the index order, so the page is still one index
// range scan; the outer ORDER BY repeats the inner one on the selected sort expressions, which PostgreSQL already
// knows to be sorted (no Sort node). Row i (from 0) is in the page when i == 0 or its page_bytes <= max_bytes
// (PageBytesColumn).
std::string SelectSql(const std::string& columns, const ResourceKind& kind, const ListSql& list);

// The position of page_bytes in a row of SelectSql with a byte budget, given the number of `columns`.
int PageBytesColumn(int record_column_count, const ListSql& list);

}  // namespace modelreg::sql

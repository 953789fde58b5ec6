// A compiled List query: the SQL fragments the store pastes around its fixed SELECT, with every value bound.
#pragma once

#include <string>
#include <vector>

namespace modelreg {

struct SqlQuery {
  // Boolean SQL expression over the table alias (`m` for models, `l` for licenses), using placeholders $1..$n for
  // `params`. It already contains the show_deleted, parent and keyset (page token) conditions.
  std::string where = "TRUE";
  // Values for $1..$n, in order, all sent as text; the SQL casts them where needed ($3::bigint).
  std::vector<std::string> params;
  // ORDER BY clause without the keywords, ending with the primary key, e.g. "m.release_date DESC, m.name ASC".
  std::string order_by;
  // SQL expressions of the ordering keys; the store selects them (as text) for the last row of a page so the
  // next page token can resume after it.
  std::vector<std::string> key_columns;
  // Rows to return. The store fetches limit + 1 to tell whether another page follows.
  int limit = 50;
};

}  // namespace modelreg

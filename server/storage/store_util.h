// Small helpers the stores share. Internal to the storage layer (includes libpqxx).
#pragma once

#include <optional>
#include <pqxx/row>
#include <string>
#include <vector>

#include "server/domain/query/sql_query.h"

namespace modelreg::storage_internal {

// A text parameter that is NULL when `value` is empty.
inline const char* NullIfEmpty(const std::string& value) { return value.empty() ? nullptr : value.c_str(); }

// `SELECT <columns>, (<key>)::text... FROM <from> WHERE (<where>) ORDER BY <order_by> LIMIT $<n+1>`, where n is the
// number of query parameters; the limit is bound as the last parameter.
std::string ListSql(const char* columns, const char* from, const SqlQuery& query);

// The `count` key values selected after the first `first` columns of `row`, NULL as nullopt.
std::vector<std::optional<std::string>> KeyOf(const pqxx::row& row, int first, size_t count);

}  // namespace modelreg::storage_internal

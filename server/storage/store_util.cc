#include "server/storage/store_util.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"

namespace modelreg::storage_internal {

std::string ListSql(const char* columns, const char* from, const SqlQuery& query) {
  std::string sql = absl::StrCat("SELECT ", columns);
  for (const std::string& key : query.key_columns) absl::StrAppend(&sql, ", (", key, ")::text");
  absl::StrAppend(&sql, " FROM ", from, " WHERE (", query.where.empty() ? "TRUE" : query.where, ")");
  if (!query.order_by.empty()) absl::StrAppend(&sql, " ORDER BY ", query.order_by);
  absl::StrAppend(&sql, " LIMIT $", query.params.size() + 1, "::integer");
  return sql;
}

std::vector<std::optional<std::string>> KeyOf(const pqxx::row& row, int first, size_t count) {
  std::vector<std::optional<std::string>> key;
  key.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const pqxx::field field = row[static_cast<pqxx::row::size_type>(first) + static_cast<pqxx::row::size_type>(i)];
    if (field.is_null()) {
      key.push_back(std::nullopt);
    } else {
      key.emplace_back(field.c_str());
    }
  }
  return key;
}

}  // namespace modelreg::storage_internal

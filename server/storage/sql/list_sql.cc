#include "server/storage/sql/list_sql.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/limits.h"
#include "server/storage/sql/filter_sql.h"
#include "server/storage/sql/sql_expressions.h"

namespace modelreg::sql {
namespace {

std::string BindKey(const FieldSpec& field, const std::string& value, ParamBinder& binder) {
  switch (field.key_type) {
    case KeyType::kText:
      return binder.Bind(value);
    case KeyType::kInt:
      return binder.Bind(value, "::bigint");
    case KeyType::kDate:
      return binder.Bind(value, "::date");
    case KeyType::kTimestamp:
      return TimestampFromMicrosExpr(binder.Bind(value, "::bigint"));
  }
  return binder.Bind(value);
}

std::string KeysetCondition(const ListQuery& query, ParamBinder& binder) {
  const ResourceKind& kind = *query.kind;
  const std::vector<OrderKey>& keys = query.order;
  std::vector<std::string> exprs;
  std::vector<std::string> values;
  bool mixed = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    exprs.push_back(SortExpr(kind, *keys[i].field));
    values.push_back(BindKey(*keys[i].field, (*query.after)[i], binder));
    mixed = mixed || keys[i].desc != keys[0].desc;
  }
  auto after = [&](size_t i) { return keys[i].desc ? " < " : " > "; };
  if (!mixed) {
    if (keys.size() == 1) return absl::StrCat(exprs[0], after(0), values[0]);
    return absl::StrCat("(", absl::StrJoin(exprs, ", "), ")", after(0), "(", absl::StrJoin(values, ", "), ")");
  }
  std::vector<std::string> branches;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::vector<std::string> conj;
    for (size_t j = 0; j < i; ++j) conj.push_back(absl::StrCat(exprs[j], " = ", values[j]));
    conj.push_back(absl::StrCat(exprs[i], after(i), values[i]));
    branches.push_back(conj.size() == 1 ? conj[0] : absl::StrCat("(", absl::StrJoin(conj, " AND "), ")"));
  }
  return absl::StrCat("(", exprs[0], keys[0].desc ? " <= " : " >= ", values[0], " AND (",
                      absl::StrJoin(branches, " OR "), "))");
}

}  // namespace

ListSql BuildListSql(const ListQuery& query) {
  const ResourceKind& kind = *query.kind;
  ListSql out;
  out.limit = query.limit;
  ParamBinder binder(&out.params);
  std::vector<std::string> conditions;
  for (const Predicate& p : query.parent) conditions.push_back(PredicateSql(p, kind, binder));
  if (query.scope.has_value()) conditions.push_back(FilterSql(*query.scope, kind, binder));
  if (!query.show_deleted) conditions.push_back(absl::StrCat(kind.alias, ".delete_time IS NULL"));
  if (query.filter.has_value()) conditions.push_back(FilterSql(*query.filter, kind, binder));
  std::vector<std::string> order;
  for (const OrderKey& key : query.order) {
    out.sort.push_back({SortExpr(kind, *key.field), key.desc});
    order.push_back(absl::StrCat(out.sort.back().expr, key.desc ? " DESC" : " ASC"));
    out.key_columns.push_back(KeyExpr(kind, *key.field));
  }
  out.max_bytes = query.max_bytes;
  out.order_by = absl::StrJoin(order, ", ");
  if (query.after.has_value()) conditions.push_back(KeysetCondition(query, binder));
  if (!conditions.empty()) out.where = absl::StrJoin(conditions, " AND ");
  return out;
}

std::string SelectSql(const std::string& columns, const ResourceKind& kind, const ListSql& list) {
  std::string sql = absl::StrCat("SELECT ", columns);
  for (const std::string& key : list.key_columns) absl::StrAppend(&sql, ", (", key, ")::text");
  const bool budget = list.max_bytes > 0 && !list.order_by.empty();
  if (budget) {
    const std::string row_bytes = absl::StrCat("octet_length(", kind.alias, ".record) + ", kResponseBytesPerRecord);
    absl::StrAppend(&sql, ", ", row_bytes, " AS page_row_bytes, sum(", row_bytes, ") OVER (ORDER BY ", list.order_by,
                    " ROWS UNBOUNDED PRECEDING) AS page_bytes");
    for (size_t i = 0; i < list.sort.size(); ++i) absl::StrAppend(&sql, ", ", list.sort[i].expr, " AS page_sort_", i);
  }
  absl::StrAppend(&sql, " FROM ", kind.table, " ", kind.alias, " WHERE (", list.where, ")");
  if (!list.order_by.empty()) absl::StrAppend(&sql, " ORDER BY ", list.order_by);
  absl::StrAppend(&sql, " LIMIT $", list.params.size() + 1, "::integer");
  if (!budget) return sql;
  std::vector<std::string> outer_order;
  for (size_t i = 0; i < list.sort.size(); ++i) {
    outer_order.push_back(absl::StrCat("page.page_sort_", i, list.sort[i].desc ? " DESC" : " ASC"));
  }
  return absl::StrCat("SELECT * FROM (", sql,
                      ") AS page WHERE page.page_bytes - page.page_row_bytes <= ", list.max_bytes, " ORDER BY ",
                      absl::StrJoin(outer_order, ", "));
}

int PageBytesColumn(int record_column_count, const ListSql& list) {
  return record_column_count + static_cast<int>(list.key_columns.size()) + 1;
}

}  // namespace modelreg::sql

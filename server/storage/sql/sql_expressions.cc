#include "server/storage/sql/sql_expressions.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace modelreg::sql {

std::string ParamBinder::Bind(std::string value, absl::string_view cast) {
  params_->push_back(std::move(value));
  return absl::StrCat("$", params_->size(), cast);
}

absl::string_view ColumnCast(ColumnType type) {
  switch (type) {
    case ColumnType::kText:
      return "";
    case ColumnType::kDate:
      return "::date";
    case ColumnType::kBigint:
      return "::bigint";
    case ColumnType::kInteger:
      return "::integer";
    case ColumnType::kSmallint:
      return "::smallint";
    case ColumnType::kBoolean:
      return "::boolean";
    case ColumnType::kSmallintArray:
      return "::smallint[]";
    case ColumnType::kTextArray:
      return "::text[]";
    case ColumnType::kJsonbMap:
      return "::jsonb";
  }
  return "";
}

std::string ColumnExpr(const ResourceKind& kind, absl::string_view column) {
  const DerivedColumn* derived = kind.Column(column);
  return absl::StrCat(kind.alias, ".", column, derived != nullptr && derived->byte_order ? " COLLATE \"C\"" : "");
}

const ResourceKind& OwnerOf(const ResourceKind& kind, const FieldSpec& field) {
  return field.via != nullptr ? *field.via : kind;
}

std::string FieldExpr(const ResourceKind& kind, const FieldSpec& field) {
  return ColumnExpr(OwnerOf(kind, field), field.column);
}

std::string SortExpr(const ResourceKind& kind, const FieldSpec& field) {
  std::string expr = FieldExpr(kind, field);
  if (!field.nullable) return expr;
  switch (field.key_type) {
    case KeyType::kDate:
      return absl::StrCat("COALESCE(", expr, ", '-infinity'::date)");
    case KeyType::kInt:
      return absl::StrCat("COALESCE(", expr, ", -1)");
    case KeyType::kText:
    case KeyType::kTimestamp:
      break;
  }
  return expr;
}

std::string KeyExpr(const ResourceKind& kind, const FieldSpec& field) {
  if (field.key_type == KeyType::kTimestamp) return MicrosExpr(FieldExpr(kind, field));
  return SortExpr(kind, field);
}

std::string MicrosExpr(absl::string_view expr) {
  return absl::StrCat("(EXTRACT(EPOCH FROM ", expr, ") * 1000000)::bigint");
}

std::string TimestampFromMicrosExpr(absl::string_view micros) {
  return absl::StrCat("(TIMESTAMPTZ 'epoch' + ", micros, " * INTERVAL '1 microsecond')");
}

}  // namespace modelreg::sql

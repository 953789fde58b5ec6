#include "server/storage/sql/filter_sql.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace modelreg::sql {
namespace {

// The filter's comparators are SQL's but for `!=` and `:` (has).
absl::string_view SqlOperator(Comparator op) {
  if (op == Comparator::kNe) return "<>";
  if (op == Comparator::kHas) return "=";
  return ComparatorText(op);
}

absl::string_view ValueCast(const FieldSpec& f) {
  switch (f.type) {
    case FieldType::kDate:
      return "::date";
    case FieldType::kTimestamp:
      return "::timestamptz";
    case FieldType::kInt:
      return f.smallint ? "::smallint" : "::bigint";
    case FieldType::kBool:
      return "::boolean";
    case FieldType::kEnum:
    case FieldType::kEnumSet:
      return "::smallint";
    case FieldType::kText:
    case FieldType::kTextSet:
    case FieldType::kLabels:
    case FieldType::kPresence:
    case FieldType::kLineage:
      break;
  }
  return "";
}

std::string EscapeLike(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 1);
  for (char ch : text) {
    if (ch == '\\' || ch == '%' || ch == '_') out.push_back('\\');
    out.push_back(ch);
  }
  out.push_back('%');
  return out;
}

std::string Present(const FieldSpec& f, const std::string& expr) {
  switch (f.type) {
    case FieldType::kText:
      return f.nullable ? absl::StrCat(expr, " IS NOT NULL") : absl::StrCat(expr, " <> ''");
    case FieldType::kInt:
      return f.nullable ? absl::StrCat(expr, " IS NOT NULL") : absl::StrCat(expr, " <> 0");
    case FieldType::kDate:
    case FieldType::kTimestamp:
      return absl::StrCat(expr, " IS NOT NULL");
    case FieldType::kEnum:
      return absl::StrCat(expr, " <> 0");
    case FieldType::kEnumSet:
    case FieldType::kTextSet:
      return absl::StrCat("cardinality(", expr, ") > 0");
    case FieldType::kLabels:
      return absl::StrCat(expr, " <> '{}'::jsonb");
    case FieldType::kBool:
      return f.nullable ? absl::StrCat(expr, " IS NOT NULL") : expr;
    case FieldType::kPresence:
    case FieldType::kLineage:
      break;
  }
  return expr;
}

std::string Guarded(const FieldSpec& f, const std::string& expr, const std::string& condition) {
  if (!f.nullable) return condition;
  return absl::StrCat("(", expr, " IS NOT NULL AND ", condition, ")");
}

std::string LabelsSql(const Predicate& p, const std::string& expr, ParamBinder& binder) {
  if (p.test == Predicate::Test::kLabelKey) return absl::StrCat(expr, " ? ", binder.Bind(p.value, "::text"));
  const std::string k = binder.Bind(p.label_key, "::text");
  const std::string value_expr = absl::StrCat("(", expr, " ->> ", k, ") COLLATE \"C\"");
  if (p.test == Predicate::Test::kPrefix) {
    return absl::StrCat("(", expr, " ? ", k, " AND ", value_expr, p.op == Comparator::kNe ? " NOT LIKE " : " LIKE ",
                        binder.Bind(EscapeLike(p.value)), ")");
  }
  if (p.op == Comparator::kEq || p.op == Comparator::kHas) {
    return absl::StrCat(expr, " @> jsonb_build_object(", k, ", ", binder.Bind(p.value, "::text"), ")");
  }
  return absl::StrCat("(", expr, " ? ", k, " AND ", value_expr, " ", SqlOperator(p.op), " ",
                      binder.Bind(p.value, "::text"), ")");
}

std::string LineageSql(const Predicate& p, const ResourceKind& kind, ParamBinder& binder) {
  const std::string& key = kind.key_column;
  const std::string& parent = p.field->column;
  const std::string v = binder.Bind(p.value);
  return absl::StrCat(kind.alias, ".", key, " = ANY (ARRAY(WITH RECURSIVE chain(", key, ") AS (SELECT c.", key,
                      " FROM ", kind.table, " c WHERE c.", parent, " = ", v, " AND c.", parent,
                      " <> '' UNION SELECT c.", key, " FROM ", kind.table, " c JOIN chain ON c.", parent, " = chain.",
                      key, " WHERE c.", parent, " <> '') SELECT chain.", key, " FROM chain))");
}

// The predicate over the owner's columns, before a `via` wrap.
std::string OwnSql(const Predicate& p, const ResourceKind& kind, ParamBinder& binder) {
  const FieldSpec& f = *p.field;
  const std::string expr = FieldExpr(kind, f);
  if (f.type == FieldType::kLabels) {
    if (p.test == Predicate::Test::kPresent) return Present(f, expr);
    return LabelsSql(p, expr, binder);
  }
  switch (p.test) {
    case Predicate::Test::kPresent:
      return Present(f, expr);
    case Predicate::Test::kPrefix:
      return Guarded(
          f, expr,
          absl::StrCat(expr, p.op == Comparator::kNe ? " NOT LIKE " : " LIKE ", binder.Bind(EscapeLike(p.value))));
    case Predicate::Test::kLabelKey:
    case Predicate::Test::kCompare:
      break;
  }
  switch (f.type) {
    case FieldType::kEnumSet:
      return absl::StrCat(expr, " @> ARRAY[", binder.Bind(p.value, "::smallint"), "]");
    case FieldType::kTextSet:
      return absl::StrCat(expr, " @> ARRAY[", binder.Bind(p.value, "::text"), "]");
    case FieldType::kLineage:
      return LineageSql(p, kind, binder);
    default:
      break;
  }
  // A nullable sortable column compares on its sort expression, so one index serves the filter and the order.
  const std::string compared = f.nullable && f.sortable ? SortExpr(kind, f) : expr;
  return Guarded(f, expr, absl::StrCat(compared, " ", SqlOperator(p.op), " ", binder.Bind(p.value, ValueCast(f))));
}

}  // namespace

std::string PredicateSql(const Predicate& p, const ResourceKind& kind, ParamBinder& binder) {
  const FieldSpec& f = *p.field;
  if (f.via == nullptr) return OwnSql(p, kind, binder);
  const ResourceKind& via = *f.via;
  const std::string reference = absl::StrCat(kind.alias, ".", f.via_column);
  std::string condition;
  if (f.via_field != nullptr) {
    Predicate inner = p;
    inner.field = f.via_field;
    condition = PredicateSql(inner, via, binder);
  } else {
    condition = OwnSql(p, via, binder);
  }
  return absl::StrCat("(", reference, " IS NOT NULL AND ", reference, " IN (SELECT ", via.alias, ".", via.key_column,
                      " FROM ", via.table, " ", via.alias, " WHERE ", condition, "))");
}

std::string FilterSql(const CheckedFilter& filter, const ResourceKind& kind, ParamBinder& binder) {
  switch (filter.kind) {
    case CheckedFilter::Kind::kAnd:
    case CheckedFilter::Kind::kOr: {
      std::vector<std::string> parts;
      parts.reserve(filter.children.size());
      for (const CheckedFilter& child : filter.children) parts.push_back(FilterSql(child, kind, binder));
      return absl::StrCat("(", absl::StrJoin(parts, filter.kind == CheckedFilter::Kind::kAnd ? " AND " : " OR "), ")");
    }
    case CheckedFilter::Kind::kNot:
      return absl::StrCat("(NOT ", FilterSql(filter.children[0], kind, binder), ")");
    case CheckedFilter::Kind::kPredicate:
      return PredicateSql(filter.predicate, kind, binder);
  }
  return "FALSE";
}

}  // namespace modelreg::sql

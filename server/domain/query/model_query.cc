// ListModels / ListLicenses compilation: page size, parent, show_deleted, filter, order_by and keyset pagination.
//
// Ordering: `order_by` is a comma list of sortable fields, each optionally followed by `asc` or `desc`; default
// `name`. The primary key (`name`) ends every ordering, in the direction of the last listed key, so an ordering
// and its reverse are both served by one btree index on (key, name). Keys after `name` are ignored (name is unique).
//
// NULLs: release_date and parameter_count sort on `COALESCE(m.release_date, '-infinity'::date)` and
// `COALESCE(m.parameter_count, -1)`: an unknown value sorts before every known one (first ascending, last
// descending). Every ordering key is thus non-NULL, the keyset condition is a plain row comparison, and
// schema/0002_query_indexes.sql indexes exactly these expressions.
//
// Keyset: the page token carries the text of the last row's key_columns; the next page adds
// `(k1, ..., kn) > ($a, ..., $n)` (`<` when descending). Mixed directions expand to
// `k1 >= $a AND (k1 > $a OR (k1 = $a AND k2 < $b) OR ...)` (the leading bound lets the index range-scan).
// Timestamps are keyed by their microseconds since the epoch (exact, independent of TimeZone and DateStyle).
#include "server/domain/query/model_query.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/domain/names.h"
#include "server/domain/query/filter_compiler.h"
#include "server/domain/query/filter_parser.h"
#include "server/domain/query/page_token.h"

namespace modelreg {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr size_t kMaxOrderByLength = 1024;

struct OrderKey {
  const FieldSpec* field;
  bool desc;
};

// The request fields a page token is bound to.
struct ListParams {
  const FieldCatalog* catalog;
  std::string parent;  // "" for licenses
  std::string filter;
  std::string order_by;
  bool show_deleted;
  int32_t page_size;
  std::string page_token;
};

uint64_t RequestFingerprint(const ListParams& p) {
  return Fingerprint({p.catalog->resource, p.parent, p.filter, p.order_by, p.show_deleted ? "1" : "0"});
}

absl::StatusOr<int> PageSize(int32_t page_size) {
  if (page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must not be negative, got ", page_size, "; expected 0 (default 50) to 1000"));
  }
  if (page_size == 0) return kDefaultPageSize;
  return page_size > kMaxPageSize ? kMaxPageSize : page_size;
}

absl::StatusOr<std::vector<OrderKey>> ParseOrderBy(absl::string_view order_by, const FieldCatalog& catalog) {
  std::vector<OrderKey> keys;
  if (order_by.size() > kMaxOrderByLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("order_by: too long (", order_by.size(), " bytes); expected at most ", kMaxOrderByLength));
  }
  size_t bad = 0;
  if (!IsValidUtf8(order_by, &bad)) {
    return absl::InvalidArgumentError(absl::StrCat("order_by: invalid UTF-8 at byte ", bad + 1));
  }
  bool has_primary = false;
  if (!absl::StripAsciiWhitespace(order_by).empty()) {
    size_t offset = 0;
    for (absl::string_view item : absl::StrSplit(order_by, ',')) {
      const size_t item_offset = offset;
      offset += item.size() + 1;
      const size_t lead = item.size() - absl::StripLeadingAsciiWhitespace(item).size();
      const size_t column = ColumnOf(order_by, item_offset + lead);
      const std::vector<absl::string_view> words = absl::StrSplit(item, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
      if (words.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("order_by: empty item at column ", column,
                                                       "; expected `field` or `field desc`, comma-separated"));
      }
      bool desc = false;
      if (words.size() > 2 || (words.size() == 2 && !absl::EqualsIgnoreCase(words[1], "desc") &&
                               !absl::EqualsIgnoreCase(words[1], "asc"))) {
        return absl::InvalidArgumentError(absl::StrCat("order_by: unexpected `", words.back().substr(0, 64),
                                                       "` after `", words[0].substr(0, 64), "` at column ", column,
                                                       "; expected `asc`, `desc` or `,`"));
      }
      if (words.size() == 2) desc = absl::EqualsIgnoreCase(words[1], "desc");
      const FieldSpec* field = catalog.Find(words[0]);
      if (field == nullptr || field->sort_sql.empty()) {
        const std::string suggestion = catalog.Suggest(words[0], /*sortable_only=*/true);
        return absl::InvalidArgumentError(absl::StrCat("order_by: ", field == nullptr ? "unknown" : "unsortable",
                                                       " field `", words[0].substr(0, 64), "` at column ", column,
                                                       suggestion.empty() || suggestion == words[0]
                                                           ? absl::StrCat("; expected one of ", catalog.Names(true))
                                                           : absl::StrCat("; did you mean `", suggestion, "`?")));
      }
      for (const OrderKey& key : keys) {
        if (key.field == field) {
          return absl::InvalidArgumentError(
              absl::StrCat("order_by: `", field->name, "` listed twice at column ", column, "; expected each once"));
        }
      }
      if (has_primary) continue;  // keys after the unique primary key cannot change the order
      keys.push_back({field, desc});
      has_primary = field == catalog.primary_key;
    }
  }
  if (!has_primary) keys.push_back({catalog.primary_key, !keys.empty() && keys.back().desc});
  return keys;
}

// Validates a key value from a page token and returns the SQL value expression binding it.
absl::StatusOr<std::string> BindKey(const FieldSpec& field, const std::optional<std::string>& value,
                                    ParamBinder& binder) {
  auto invalid = [] {
    return absl::InvalidArgumentError(
        "page_token: not a valid page token; expected the next_page_token of a previous response, unchanged");
  };
  if (!value.has_value()) return invalid();
  const std::string& v = *value;
  int64_t n = 0;
  switch (field.key_type) {
    case KeyType::kText:
      if (v.find('\0') != std::string::npos || !IsValidUtf8(v)) return invalid();
      return binder.Bind(v);
    case KeyType::kInt:
      if (!absl::SimpleAtoi(v, &n)) return invalid();
      return binder.Bind(absl::StrCat(n), "::bigint");
    case KeyType::kDate:
      if (v != "-infinity" && v != "infinity" && !IsValidDate(v, /*allow_long_year=*/true)) return invalid();
      return binder.Bind(v, "::date");
    case KeyType::kTimestamp:
      if (!absl::SimpleAtoi(v, &n)) return invalid();
      return absl::StrCat("(TIMESTAMPTZ 'epoch' + ", binder.Bind(absl::StrCat(n), "::bigint"),
                          " * INTERVAL '1 microsecond')");
  }
  return invalid();
}

absl::StatusOr<std::string> KeysetCondition(const std::vector<OrderKey>& keys, const PageTokenData& token,
                                            ParamBinder& binder) {
  if (token.key.size() != keys.size()) {
    return absl::InvalidArgumentError(
        "page_token: not a valid page token; expected the next_page_token of a previous response, unchanged");
  }
  std::vector<std::string> values;
  bool mixed = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto v = BindKey(*keys[i].field, token.key[i], binder);
    if (!v.ok()) return v.status();
    values.push_back(*std::move(v));
    mixed = mixed || keys[i].desc != keys[0].desc;
  }
  auto after = [&](size_t i) { return keys[i].desc ? " < " : " > "; };
  if (!mixed) {
    if (keys.size() == 1) return absl::StrCat(keys[0].field->sort_sql, after(0), values[0]);
    std::vector<std::string> exprs;
    for (const OrderKey& key : keys) exprs.push_back(key.field->sort_sql);
    return absl::StrCat("(", absl::StrJoin(exprs, ", "), ")", after(0), "(", absl::StrJoin(values, ", "), ")");
  }
  std::vector<std::string> branches;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::vector<std::string> conj;
    for (size_t j = 0; j < i; ++j) conj.push_back(absl::StrCat(keys[j].field->sort_sql, " = ", values[j]));
    conj.push_back(absl::StrCat(keys[i].field->sort_sql, after(i), values[i]));
    branches.push_back(conj.size() == 1 ? conj[0] : absl::StrCat("(", absl::StrJoin(conj, " AND "), ")"));
  }
  return absl::StrCat("(", keys[0].field->sort_sql, keys[0].desc ? " <= " : " >= ", values[0], " AND (",
                      absl::StrJoin(branches, " OR "), "))");
}

absl::StatusOr<SqlQuery> Compile(const ListParams& p) {
  const FieldCatalog& catalog = *p.catalog;
  SqlQuery query;
  auto limit = PageSize(p.page_size);
  if (!limit.ok()) return limit.status();
  query.limit = *limit;
  ParamBinder binder(&query.params);
  std::vector<std::string> conditions;

  if (catalog.alias == "m") {
    auto publisher = ParsePublisherName(p.parent, /*allow_wildcard=*/true, "parent");
    if (!publisher.ok()) return publisher.status();
    if (*publisher != "-") conditions.push_back(absl::StrCat("m.publisher = ", binder.Bind(*publisher)));
  }
  if (!p.show_deleted) conditions.push_back(absl::StrCat(catalog.alias, ".delete_time IS NULL"));

  auto ast = ParseFilter(p.filter);
  if (!ast.ok()) return ast.status();
  if (*ast != nullptr) {
    auto sql = CompileFilter(**ast, catalog, binder);
    if (!sql.ok()) return sql.status();
    conditions.push_back(*std::move(sql));
  }

  auto keys = ParseOrderBy(p.order_by, catalog);
  if (!keys.ok()) return keys.status();
  std::vector<std::string> order;
  for (const OrderKey& key : *keys) {
    order.push_back(absl::StrCat(key.field->sort_sql, key.desc ? " DESC" : " ASC"));
    query.key_columns.push_back(key.field->key_sql);
  }
  query.order_by = absl::StrJoin(order, ", ");

  if (!p.page_token.empty()) {
    auto token = DecodePageToken(p.page_token);
    if (!token.ok()) return token.status();
    if (token->fingerprint != RequestFingerprint(p)) {
      return absl::InvalidArgumentError(
          "page_token: the token belongs to a request with another parent, filter, order_by or show_deleted; "
          "expected the same request as the previous page (or no page_token to start over)");
    }
    auto keyset = KeysetCondition(*keys, *token, binder);
    if (!keyset.ok()) return keyset.status();
    conditions.push_back(*std::move(keyset));
  }

  if (!conditions.empty()) query.where = absl::StrJoin(conditions, " AND ");
  return query;
}

ListParams Params(const v1::ListModelsRequest& r) {
  return {&ModelFields(), r.parent(), r.filter(), r.order_by(), r.show_deleted(), r.page_size(), r.page_token()};
}
ListParams Params(const v1::ListLicensesRequest& r) {
  return {&LicenseFields(), "", r.filter(), r.order_by(), r.show_deleted(), r.page_size(), r.page_token()};
}

}  // namespace

absl::StatusOr<SqlQuery> CompileListModels(const v1::ListModelsRequest& request) { return Compile(Params(request)); }
absl::StatusOr<SqlQuery> CompileListLicenses(const v1::ListLicensesRequest& request) {
  return Compile(Params(request));
}

std::string MakeNextPageToken(const v1::ListModelsRequest& request,
                              const std::vector<std::optional<std::string>>& last_key) {
  return EncodePageToken({RequestFingerprint(Params(request)), last_key});
}
std::string MakeNextPageToken(const v1::ListLicensesRequest& request,
                              const std::vector<std::optional<std::string>>& last_key) {
  return EncodePageToken({RequestFingerprint(Params(request)), last_key});
}

}  // namespace modelreg

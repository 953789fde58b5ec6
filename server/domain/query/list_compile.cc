// Checking the parts every List request shares (page size, filter, order_by, page token) into a ListQuery.
//
// Ordering: `order_by` is a comma list of sortable fields, each optionally followed by `asc` or `desc`; default
// `name`. The primary key (`name`) ends every ordering, in the direction of the last listed key, so an ordering
// and its reverse are both served by one index on (key, name). Keys after `name` are ignored (name is unique).
// Unknown dates and counts (nullable fields) sort before every known one (first ascending, last descending).
//
// Keyset pagination: the page token carries the previous page's last ordering-key values (as the store returned
// them) and a fingerprint of the request; the next page starts strictly after them. The SQL is built by
// storage/sql/list_sql.h.
#include "server/domain/query/list_compile.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/limits.h"
#include "server/common/status_macros.h"
#include "server/domain/query/filter_check.h"
#include "server/domain/query/filter_parser.h"
#include "server/domain/query/page_token.h"
#include "server/domain/query/time_values.h"

namespace modelreg {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr size_t kMaxOrderByLength = 1024;

absl::StatusOr<int> PageSize(int32_t page_size) {
  if (page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must not be negative, got ", page_size, "; expected 0 (default 50) to 1000"));
  }
  if (page_size == 0) return kDefaultPageSize;
  return page_size > kMaxPageSize ? kMaxPageSize : page_size;
}

absl::StatusOr<std::vector<OrderKey>> ParseOrderBy(absl::string_view order_by, const ResourceKind& catalog) {
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
      if (field == nullptr || !field->sortable) {
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

// Validates the page token's key values against the ordering keys' types.
absl::StatusOr<std::vector<std::string>> CheckKeys(const std::vector<OrderKey>& keys, const PageTokenData& token) {
  auto invalid = [] {
    return absl::InvalidArgumentError(
        "page_token: not a valid page token; expected the next_page_token of a previous response, unchanged");
  };
  if (token.key.size() != keys.size()) return invalid();
  std::vector<std::string> values;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!token.key[i].has_value()) return invalid();
    const std::string& v = *token.key[i];
    int64_t n = 0;
    bool valid = false;
    switch (keys[i].field->key_type) {
      case KeyType::kText:
        valid = v.find('\0') == std::string::npos && IsValidUtf8(v);
        break;
      case KeyType::kInt:
        valid = absl::SimpleAtoi(v, &n);
        break;
      case KeyType::kTimestamp:
        // Bound as microseconds since the epoch; outside PostgreSQL's range the statement would fail (INTERNAL).
        valid = absl::SimpleAtoi(v, &n) && n >= kMinTimestampMicros && n <= kMaxTimestampMicros;
        break;
      case KeyType::kDate:
        // Bound as a date: a year past PostgreSQL's last (kMaxPostgresDateYear) is rejected here, not by PostgreSQL.
        valid = v == "-infinity" || v == "infinity" || IsValidDate(v, /*allow_long_year=*/true);
        break;
    }
    if (!valid) return invalid();
    values.push_back(
        keys[i].field->key_type == KeyType::kDate || keys[i].field->key_type == KeyType::kText ? v : absl::StrCat(n));
  }
  return values;
}

}  // namespace

uint64_t RequestFingerprint(const ListParams& p) {
  std::vector<std::string> parts = {p.kind->table, p.parent, p.filter, p.order_by, p.show_deleted ? "1" : "0"};
  // Only when set, so that the tokens of a List of now stay what they were before read_time existed.
  if (p.read_time != nullptr) parts.push_back(absl::StrCat(p.read_time->seconds(), ".", p.read_time->nanos()));
  return Fingerprint(parts);
}

absl::StatusOr<ListQuery> CompileListQuery(const ListParams& p, std::vector<Predicate> parent) {
  const ResourceKind& kind = *p.kind;
  ListQuery query;
  query.kind = &kind;
  query.show_deleted = p.show_deleted;
  MODELREG_ASSIGN_OR_RETURN(query.limit, PageSize(p.page_size));
  query.max_bytes = ResponseRecordBudget();

  query.parent = std::move(parent);

  MODELREG_ASSIGN_OR_RETURN(std::unique_ptr<FilterNode> ast, ParseFilter(p.filter));
  if (ast != nullptr) {
    MODELREG_ASSIGN_OR_RETURN(query.filter, CheckFilter(*ast, kind));
  }

  MODELREG_ASSIGN_OR_RETURN(query.order, ParseOrderBy(p.order_by, kind));

  if (!p.page_token.empty()) {
    MODELREG_ASSIGN_OR_RETURN(PageTokenData token, DecodePageToken(p.page_token));
    if (token.fingerprint != RequestFingerprint(p)) {
      return absl::InvalidArgumentError(
          "page_token: the token belongs to a request with another parent, filter, order_by, show_deleted or "
          "read_time; expected the same request as the previous page (or no page_token to start over)");
    }
    MODELREG_ASSIGN_OR_RETURN(query.after, CheckKeys(query.order, token));
  }
  return query;
}

Predicate EqualsPredicate(const ResourceKind& kind, absl::string_view field, std::string value) {
  Predicate predicate;
  predicate.field = kind.Find(field);
  predicate.value = std::move(value);
  return predicate;
}

void RestrictTo(const ResourceKind& kind, absl::string_view field, const std::vector<std::string>& values,
                ListQuery& query) {
  CheckedFilter any;
  any.kind = CheckedFilter::Kind::kOr;
  for (const std::string& value : values) {
    CheckedFilter one;
    one.predicate = EqualsPredicate(kind, field, value);
    any.children.push_back(std::move(one));
  }
  query.scope = any.children.size() == 1 ? std::move(any.children[0]) : std::move(any);
}

std::string NextPageToken(const ListParams& params, const std::vector<std::optional<std::string>>& last_key) {
  return EncodePageToken({RequestFingerprint(params), last_key});
}

}  // namespace modelreg

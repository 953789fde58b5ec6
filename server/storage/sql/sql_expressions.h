// SQL text for the columns and fields of a resource kind (domain/resource/resource_kind.h): the one place that turns
// the description into expressions, so filters, orderings, keyset conditions and the indexes of schema/ agree.
// Pure text generation, no libpqxx.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/domain/resource/resource_kind.h"

namespace modelreg::sql {

// Appends values to `params` as $n and returns the reference text, with `cast` appended (`$3::bigint`). Every value
// reaches SQL this way, never as text.
class ParamBinder {
 public:
  explicit ParamBinder(std::vector<std::string>* params) : params_(params) {}
  std::string Bind(std::string value, absl::string_view cast = "");

 private:
  std::vector<std::string>* params_;
};

// The cast of a parameter for a column of `type` (`::bigint`; "" for text).
absl::string_view ColumnCast(ColumnType type);

// `alias.column`, with COLLATE "C" for byte-ordered derived text columns. `kind` owns the column.
std::string ColumnExpr(const ResourceKind& kind, absl::string_view column);

// The kind owning `field`'s column: `field.via` for fields of a referenced resource, else `kind`.
const ResourceKind& OwnerOf(const ResourceKind& kind, const FieldSpec& field);

// The expression a filter compares (`m.family COLLATE "C"`).
std::string FieldExpr(const ResourceKind& kind, const FieldSpec& field);
// The ORDER BY expression of a sortable field, never NULL: unknown dates sort as -infinity and unknown counts as -1,
// before every known value. schema/ indexes exactly these expressions (followed by the key column).
std::string SortExpr(const ResourceKind& kind, const FieldSpec& field);
// The expression selected as the field's page-token key: SortExpr, or a timestamp's microseconds since the epoch.
std::string KeyExpr(const ResourceKind& kind, const FieldSpec& field);

// A timestamptz expression as bigint microseconds since the epoch.
std::string MicrosExpr(absl::string_view expr);
// The timestamptz of a bigint expression (a bound parameter, e.g. `$3::bigint`) of microseconds since the epoch;
// exact, unlike to_timestamp's double precision seconds.
std::string TimestampFromMicrosExpr(absl::string_view micros);

}  // namespace modelreg::sql

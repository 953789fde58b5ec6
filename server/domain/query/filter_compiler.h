// Field catalogs (the whitelist of filterable and sortable fields per resource) and the compiler from a parsed filter
// to a SQL boolean expression with bound parameters. Pure.
//
// Semantics every field follows:
// - Values never appear in SQL text: each becomes a text parameter `$n`, cast in SQL (`$n::bigint`, `$n::date`,
//   `$n::timestamptz`, `$n::smallint`, `$n::boolean`).
// - Comparisons are two-valued. A comparison on an unknown (NULL) value is false, whatever the comparator
//   (`release_date < 2020-01-01` and `release_date != 2020-01-01` both exclude models without a release date), and
//   `NOT` / `-` makes it true. Test presence with `field:*`.
// - Text compares in byte order (COLLATE "C"), the order `order_by` uses.
// - `field:value` on a single-valued field means `field = value`; `field:*` means present: non-NULL for nullable
//   columns, non-empty text, an enum other than its UNSPECIFIED value, a true boolean, a non-empty repeated field.
// - A trailing `*` (`family = "llama*"`, `name:publishers/meta-llama/*`) is a prefix match, allowed with `=`, `:` and
//   `!=`; `%`, `_` and `\` in the prefix match themselves.
// - Enum fields take the value name in upper case, short (`OPEN_DOWNLOAD`) or full (`ACCESS_OPEN_DOWNLOAD`); `<` and
//   `>` compare their proto numbers (for openness.mof_class the numbers grow with openness).
// - Models: `license.*` fields are those of the weights license, compiled as
//   `(m.weights_license IS NOT NULL AND m.weights_license IN (SELECT l.id FROM licenses l WHERE ...))`. A model
//   without a weights license matches no `license.*` comparison (not even `!=`); `NOT license.x = v` matches it.
//   Soft-deleted licenses still count: they are still the model's license.
// - Models: `base_model_chain:"publishers/p/models/m"` (or `=`) matches models whose base_model chain reaches that
//   model (its fine-tunes, their quantizations, ...), not the model itself. The chain follows every stored row,
//   soft-deleted ones included (lineage is a fact); `show_deleted` still decides which matches are listed. Cycles in
//   bad data end because the recursive CTE uses UNION. Compiled as `m.name = ANY (ARRAY(WITH RECURSIVE ...))`: an
//   init plan run once, then primary-key probes (an `IN (subquery)` made the planner merge-join the whole table).
// - Models: `labels:KEY` is true when the label is set; `labels.KEY = "v"` compiles to jsonb containment (`@>`, GIN
//   index); `labels.KEY != "v"` and ordering comparisons are true only when the label is set.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "server/domain/query/filter_parser.h"

namespace modelreg {

enum class FieldType {
  kText,       // text column; `strip_prefix` removed from values (`publishers/`, `licenses/`)
  kDate,       // date column; values YYYY-MM-DD
  kTimestamp,  // timestamptz column; values RFC 3339 or YYYY-MM-DD (midnight UTC)
  kInt,        // bigint / smallint column
  kBool,       // boolean column
  kEnum,       // smallint column holding the proto enum number
  kEnumSet,    // smallint[] column (repeated enum); `:` only
  kLabels,     // jsonb map: `labels:KEY`, `labels.KEY op value`
  kPresence,   // `field:*` only; `sql` is a boolean expression (e.g. `usage_thresholds:*`)
  kLineage,    // base_model_chain
};

// How an ordering key is selected, encoded in the page token, and compared in the keyset condition.
enum class KeyType {
  kText,       // text; compared as `$n`
  kInt,        // integer text; `$n::bigint`
  kDate,       // date text (ISO, or -infinity); `$n::date`
  kTimestamp,  // microseconds since the Unix epoch; `(TIMESTAMPTZ 'epoch' + $n::bigint * INTERVAL '1 microsecond')`
};

struct FieldSpec {
  std::string name;  // as written in filters and order_by
  FieldType type = FieldType::kText;
  // SQL expression over the alias (`m` or `l`); for `via_license` fields, over `l`.
  std::string sql;
  bool nullable = false;
  // Integer range (kInt): smallint columns reject values outside it.
  bool smallint = false;
  const google::protobuf::EnumDescriptor* enum_type = nullptr;
  std::string strip_prefix;
  // Models: the field belongs to the weights license.
  bool via_license = false;
  // Sortable when non-empty: the ORDER BY expression (never NULL), the expression the store selects as the key, and
  // how that key is typed.
  std::string sort_sql;
  std::string key_sql;
  KeyType key_type = KeyType::kText;
};

struct FieldCatalog {
  std::string resource;  // "models" or "licenses"
  std::string alias;     // "m" or "l"
  std::vector<FieldSpec> fields;
  // The primary key, always the last ordering key.
  const FieldSpec* primary_key = nullptr;

  // Exact lookup; `labels.KEY` resolves to the labels field (kLabels).
  const FieldSpec* Find(absl::string_view name) const;
  // The closest field name by edit distance (also against the dot-separated parts), or "" if none is close.
  std::string Suggest(absl::string_view name, bool sortable_only) const;
  // Comma-separated names, for error messages.
  std::string Names(bool sortable_only) const;
};

const FieldCatalog& ModelFields();
const FieldCatalog& LicenseFields();

// Appends values to `params` as $n and returns the reference text, with `cast` appended (`$3::bigint`).
class ParamBinder {
 public:
  explicit ParamBinder(std::vector<std::string>* params) : params_(params) {}
  std::string Bind(std::string value, absl::string_view cast = "");

 private:
  std::vector<std::string>* params_;
};

// Compiles a parsed filter (non-null) to a SQL boolean expression. INVALID_ARGUMENT naming `field_name`.
absl::StatusOr<std::string> CompileFilter(const FilterNode& node, const FieldCatalog& catalog, ParamBinder& binder,
                                          absl::string_view field_name = "filter");

// Levenshtein distance, capped at `cap` + 1 (cheap for long inputs).
size_t EditDistance(absl::string_view a, absl::string_view b, size_t cap);

// Parses RFC 3339 (`2024-01-01T10:00:00Z`, `...+02:00`, fractional seconds) or a date (midnight UTC) into
// microseconds since the Unix epoch. Years 1-9999.
bool ParseTimestampMicros(absl::string_view text, int64_t* micros);
// Formats microseconds since the Unix epoch as RFC 3339 UTC with microseconds (`2024-01-01T10:00:00.000000Z`).
std::string FormatTimestampMicros(int64_t micros);
// Checks YYYY-MM-DD with a real calendar day, year 1-9999 (`allow_long_year`: more than 4 year digits, as
// PostgreSQL prints far-future dates).
bool IsValidDate(absl::string_view text, bool allow_long_year = false);

}  // namespace modelreg

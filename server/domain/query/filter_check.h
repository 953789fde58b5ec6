// Checks a parsed filter against a resource kind's fields: every field known, every comparator allowed for its
// type, every value well-formed. The result names fields and normalized values, never SQL: the storage layer
// turns it into SQL (storage/sql/filter_sql.h). Pure.
//
// Semantics every field follows (the SQL the storage layer generates keeps them):
// - Comparisons are two-valued. A comparison on an unknown (NULL) value is false, whatever the comparator
//   (`release_date < 2020-01-01` and `release_date != 2020-01-01` both exclude models without a release date), and
//   `NOT` / `-` makes it true. Test presence with `field:*`.
// - Text compares in byte order, the order `order_by` uses.
// - `field:value` on a single-valued field means `field = value`; `field:*` means present: known for nullable
//   fields, non-empty text, an enum other than its UNSPECIFIED value, a true boolean, a non-empty repeated field.
// - A trailing `*` (`family = "llama*"`, `name:publishers/meta-llama/*`) is a prefix match, allowed with `=`, `:` and
//   `!=`; `%`, `_` and `\` in the prefix match themselves.
// - Enum fields take the value name in upper case, short (`OPEN_DOWNLOAD`) or full (`ACCESS_OPEN_DOWNLOAD`); `<` and
//   `>` compare their proto numbers (for openness.mof_class the numbers grow with openness).
// - `via` fields (a model's `license.*`) are those of the referenced resource (the weights license). A model without
//   one matches no comparison (not even `!=`); `NOT license.x = v` matches it. Soft-deleted licenses still count.
// - `base_model_chain:"publishers/p/models/m"` (or `=`) matches models whose base_model chain reaches that model (its
//   fine-tunes, their quantizations, ...), not the model itself; the chain follows soft-deleted rows too.
// - `labels:KEY` is true when the label is set; `labels.KEY = "v"` when it is set to v; `labels.KEY != "v"` and
//   ordering comparisons are true only when the label is set.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/query/filter_parser.h"
#include "server/domain/resource/resource_kind.h"

namespace modelreg {

// One checked restriction.
struct Predicate {
  enum class Test {
    kPresent,   // `field:*`
    kCompare,   // `field op value`
    kPrefix,    // `field = "p*"` (op kEq or kHas) or `field != "p*"` (op kNe)
    kLabelKey,  // `labels:KEY` or `labels.KEY:*`: `value` is the key
  };
  const FieldSpec* field = nullptr;
  Test test = Test::kCompare;
  Comparator op = Comparator::kEq;
  // Normalized value: text without strip_prefix, YYYY-MM-DD, RFC 3339 UTC with microseconds, a decimal integer (enum
  // values as their number), `true` or `false`.
  std::string value;
  // `labels.KEY` fields: the key.
  std::string label_key;
};

struct CheckedFilter {
  enum class Kind { kAnd, kOr, kNot, kPredicate };
  Kind kind = Kind::kPredicate;
  std::vector<CheckedFilter> children;  // kAnd, kOr: two or more; kNot: one
  Predicate predicate;                  // kPredicate
};

// INVALID_ARGUMENT naming `field_name` with the column and what was expected.
absl::StatusOr<CheckedFilter> CheckFilter(const FilterNode& node, const ResourceKind& kind,
                                          absl::string_view field_name = "filter");

}  // namespace modelreg

// SQL for a checked filter (domain/query/filter_check.h): a boolean expression over the kind's alias, every value a
// bound parameter. Pure text generation.
//
// How the semantics of filter_check.h become SQL:
// - Comparisons on nullable columns are guarded (`(col IS NOT NULL AND ...)`) so that NULL gives false, never
//   unknown; a nullable sortable column compares on its sort expression (COALESCE) so one index serves filter
//   and order.
// - Prefix matches are LIKE with `\`, `%`, `_` escaped.
// - `via` fields: `(m.weights_license IS NOT NULL AND m.weights_license IN (SELECT l.id FROM licenses l WHERE ...))`.
// - Lineage: `m.name = ANY (ARRAY(WITH RECURSIVE chain ...))`, an init plan run once, then primary-key probes (an
//   `IN (subquery)` made the planner merge-join the whole table). UNION ends cycles in bad data.
// - Labels: `labels.KEY = "v"` is jsonb containment (`@>`, GIN index); `labels:KEY` is the `?` operator.
#pragma once

#include <string>

#include "server/domain/query/filter_check.h"
#include "server/storage/sql/sql_expressions.h"

namespace modelreg::sql {

std::string FilterSql(const CheckedFilter& filter, const ResourceKind& kind, ParamBinder& binder);

// One restriction (also used for the equality restrictions of a List's parent).
std::string PredicateSql(const Predicate& predicate, const ResourceKind& kind, ParamBinder& binder);

}  // namespace modelreg::sql

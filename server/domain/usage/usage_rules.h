// Usage checks: whether a planned use (a UsageProfile) of a model is allowed by the license terms of the model and
// of every model on its `base_model` chain. Pure rules, no I/O; documented as a table in
// server/domain/usage/RULES.md, where every rule has an id (U1, L2, ...) that its unit test names.
#pragma once

#include <cstdint>
#include <vector>

#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "modelreg/v1/usage.pb.h"
#include "server/domain/openness/assessment.h"
#include "server/domain/usage/lineage.h"

namespace modelreg {

struct UsageCheck {
  v1::Verdict verdict = v1::VERDICT_ALLOWED;
  // The most severe first; rule order within one verdict.
  std::vector<v1::UsageFinding> findings;
};

// Checks `profile` against the terms of `model`'s weights license, the weights access of `model`, and the licenses
// of `lineage.ancestors` (each distinct license once). `licenses` maps resource names to records; a license named
// by a model but absent from the map is unknown. Deterministic.
UsageCheck CheckUsage(const v1::Model& model, const Lineage& lineage, const LicenseMap& licenses,
                      const v1::UsageProfile& profile);

// The more severe of two verdicts: PROHIBITED > LICENSE_REQUIRED > UNKNOWN > ALLOWED_WITH_OBLIGATIONS > ALLOWED
// (> UNSPECIFIED).
v1::Verdict MoreSevere(v1::Verdict a, v1::Verdict b);

// Whether `figure` is past `threshold` as its license words it: `>= limit` for COMPARISON_AT_LEAST, else `> limit`.
bool PastThreshold(const v1::License::UsageThreshold& threshold, int64_t figure);

// Whether the catalog records the license's terms, not just its name: it is open (openness RULES.md section 1),
// states its commercial use, belongs to a category that settles it (permissive, copyleft, open data, non-commercial,
// research only), or records any threshold, use restriction, derivative term or remote-restriction clause.
bool TermsRecorded(const v1::License& license);

// Whether the license's terms bind models derived from the licensed one: `derivative_terms.restrictions_propagate`,
// or any license that is not open (RULES.md, lineage). Open licenses put no condition on a use that these rules check.
bool TermsPropagate(const v1::License& license);

}  // namespace modelreg

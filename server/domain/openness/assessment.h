// The openness assessment: pure rules over a model's facts and its licenses' terms. No I/O.
// The rules are documented as a table in server/domain/openness/RULES.md; change kRulesVersion whenever they change.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "modelreg/v1/openness.pb.h"

namespace modelreg {

// Bump when any rule changes: stored assessments with another version are recomputed at start-up.
inline constexpr int kRulesVersion = 3;

// Licenses by resource name (`licenses/apache-2.0`). A name the model uses but absent here counts as unknown.
using LicenseMap = std::map<std::string, v1::License>;

// The MOF notion of an open license: OSI-approved, FSF-libre, on the open-data list, or OpenMDW-1.0; never one with
// usage thresholds, use restrictions or territorial restrictions, and never a non-commercial, research-only or
// proprietary one.
bool IsOpenLicense(const v1::License& license);

// The license has at least one usage threshold (monthly active users, revenue).
bool HasUsageThreshold(const v1::License& license);

// The license restricts uses: an acceptable use policy, named restricted uses, or restrictions that must be passed
// on to derivatives.
bool HasUseRestrictions(const v1::License& license);

// The license asks for a displayed attribution: `derivative_terms.attribution_text` (e.g. "Built with Llama"), or a
// usage threshold whose consequence is ATTRIBUTION_REQUIRED. Notices that permissive licenses ask to keep (a NOTICE
// file, a copyright line) are not structured terms in the catalog and are not counted.
bool HasAttributionRequirement(const v1::License& license);

// The territories (`EU`, ISO 3166-1 alpha-2 codes) where the license withholds rights from some licensees: its
// `territorial_restrictions`, sorted, each once.
std::vector<std::string> WithheldTerritories(const v1::License& license);
// The license records no terms at all: no category, no commercial-use term, not OSI/FSF/open-data/OpenMDW, no
// threshold or restriction (e.g. a bare record an import created for an unknown name). The rules treat its openness
// as unknown, like a license absent from the catalog.
bool HasUnknownTerms(const v1::License& license);

// The license forbids commercial use or allows research only.
bool IsNonCommercial(const v1::License& license);

// Computes level, MOF class, OSAID candidacy, flags and reasons of `model`. Deterministic.
v1::Openness AssessOpenness(const v1::Model& model, const LicenseMap& licenses);

}  // namespace modelreg

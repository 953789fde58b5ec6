// License names as records and requests write them, resolved against the stored licenses: `licenses/{id}` or
// `licenses/{alias}` (an SPDX id, a Hugging Face id, a full name such as `licenses/Apache License 2.0`). The service
// layer's one use of the pure resolver (domain/licenses/license_names.h) over the store: exact names by one GetMany,
// the rest by one FindByKeys. Model references are rewritten to the canonical name before validation, so a stored
// record only ever names licenses by their ids.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "modelreg/v1/model.pb.h"
#include "server/domain/licenses/license_names.h"
#include "server/domain/openness/assessment.h"
#include "server/storage/repositories.h"

namespace modelreg {

// Looks up, in `repository`, the licenses `names` name (resource names or `licenses/{alias}`) that `resolver` does not
// resolve yet, and adds them to it. `tx` as for LicenseRepository::GetMany.
absl::Status LoadLicenses(LicenseRepository& repository, const std::vector<std::string>& names, Transaction* tx,
                          LicenseResolver* resolver);

// Resolves the model's license references (weights, components, datasets; field paths under `prefix`) through
// `resolver`, loading what it lacks: each reference becomes the canonical `licenses/{id}`, and the licenses named are
// returned. INVALID_ARGUMENT `UNKNOWN_LICENSE` (no license answers to the name), `LICENSE_DELETED` (it is
// soft-deleted), `LICENSE_ALIAS_AMBIGUOUS` (several licenses answer to an alias). A reference without the `licenses/`
// prefix, or longer than 256 bytes after it, is left for validation to reject (INVALID_NAME).
absl::StatusOr<LicenseMap> ResolveModelLicenses(LicenseRepository& repository, v1::Model* model,
                                                const std::string& prefix, Transaction* tx, LicenseResolver* resolver);

// The license `name` names (GetLicense: an id or an alias after `licenses/`), soft-deleted included. NOT_FOUND when
// none; INVALID_ARGUMENT `INVALID_NAME` without the `licenses/` prefix or with a blank or over-long name,
// `LICENSE_ALIAS_AMBIGUOUS`.
absl::StatusOr<v1::License> FindLicense(LicenseRepository& repository, const std::string& name);

}  // namespace modelreg

// Reads a Model Openness Framework model file (the YAML the Model Openness Tool writes) into a Model record.
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli/importers/import_result.h"
#include "client/cli/importers/import_rules.h"

namespace modelreg::cli {

// Maps release{name, version, type, architecture, treatment, huggingface, repository, license, components[]} as the
// Model Openness Tool reads them (its ModelUpdater and ModelEvaluator::resolveLicense):
// - each listed component becomes a Component: STATUS_RELEASED, or STATUS_NOT_RELEASED when its license says
//   "Component not included" (or a misspelling of it); a component listed twice: the last listing counts;
// - a component's license is its own `license` (older files: `license_name`) when the key is present and not null,
//   even when it says "unlicensed" (released without a license) or "undisclosed" (license unknown); otherwise the
//   release-wide license of its content type (code, data, document), else the distribution license;
// - license names resolve through `licenses` (aliases included); an unknown name becomes an unverified license.
// The name comes from `options.name`, else the Hugging Face repository, else producer / release name, else
// producer / the file's name (ids by IdSlug). Only a file that is not a MOF model file at all (not YAML, no
// `framework` map named "Model Openness Framework", no `release` map) is an error (INVALID_ARGUMENT); every other
// problem drops the fact with a warning.
absl::StatusOr<ImportResult> ImportMof(absl::string_view text, const ImportOptions& options, ImportLicenses* licenses);

}  // namespace modelreg::cli

// Reads a Model Openness Framework model file (the YAML the Model Openness Tool writes) into a Model record.
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli/importers/import_result.h"

namespace modelreg::cli {

// Maps release{name, version, type, architecture, treatment, huggingface, repository, license, components[]}.
// Each listed component becomes a Component with status RELEASED (NOT_RELEASED when its license says "Component not
// included"); its license is the component's own, else the release-wide license for its content type (code, data,
// document), else the distribution license; names map to ids lowercased (`Apache-2.0` -> `licenses/apache-2.0`).
// The name comes from `options.name`, else the Hugging Face URL, else producer/release name.
// Both the current (`license`, `component_path`) and the older (`license_name`, `location`) component keys are read.
absl::StatusOr<ImportResult> ImportMof(absl::string_view text, const ImportOptions& options);

}  // namespace modelreg::cli

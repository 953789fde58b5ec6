// Reads the YAML front matter of a Hugging Face model card (README.md) into a Model record.
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli/importers/import_result.h"

namespace modelreg::cli {

// `options.name` is required (a card does not name its repository); in the `x/y` form it is also taken as the Hugging
// Face repository. Maps license / license_name / license_link, base_model / base_model_relation, datasets, gated,
// pipeline_tag, library_name and tags; facts the card leaves unknown stay empty and are reported as warnings.
// INVALID_ARGUMENT with the file line and field for a card without front matter or with malformed fields.
absl::StatusOr<ImportResult> ImportHfCard(absl::string_view card, const ImportOptions& options);

}  // namespace modelreg::cli

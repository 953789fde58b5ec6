// Reads the YAML front matter of a Hugging Face model card (README.md) into a Model record.
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli/importers/import_result.h"
#include "client/cli/importers/import_rules.h"

namespace modelreg::cli {

// `options.name` is required (a card does not name its repository); in the `x/y` form it is also taken as the Hugging
// Face repository. Maps license / license_name / license_link (names resolved through `licenses`, aliases included;
// an unknown name becomes an unverified license), base_model / base_model_relation, datasets, gated (and the
// `extra_gated_*` fields: gated, approval kind unknown), pipeline_tag (every Hub tag, see ModalityOfPipelineTag),
// library_name and tags. Only a card that has no front matter or whose front matter is not YAML is an error
// (INVALID_ARGUMENT with the file line); a field that cannot be read is dropped with a warning.
absl::StatusOr<ImportResult> ImportHfCard(absl::string_view card, const ImportOptions& options,
                                          ImportLicenses* licenses);

}  // namespace modelreg::cli

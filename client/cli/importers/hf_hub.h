// Reads one model info of the Hugging Face Hub API's model listing (`GET https://huggingface.co/api/models?full=true&
// cardData=true`, one JSON object per model) into a Model record. `modelreg import hf-hub` streams a listing through
// it (client/cli/hf_hub_listing.h splits the listing into model infos).
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli/importers/import_result.h"
#include "client/cli/importers/import_rules.h"

namespace modelreg::cli {

// Maps what the model info holds and leaves the rest unknown:
// - `id` (or `modelId`): the name (`owner/repo` lowercased), huggingface_repo, weights.download_uri and a source;
// - `gated`: false OPEN_DOWNLOAD, "auto" GATED_CLICK_THROUGH, "manual" GATED_MANUAL_APPROVAL (true: gated, kind
//   unknown); absent, another value, or `private: true`: unknown, with a warning;
// - the license: `cardData.license` (else the `license:…` tag), `license_name` when it is `other`, `license_link`
//   as a source, through the registry's names and aliases (hf_fields.h, MapHfLicense);
// - lineage: `cardData.base_model` (else the `base_model:…` tags), the relation from `cardData.base_model_relation`,
//   else from the tag `base_model:{finetune,adapter,quantized,merge}:{id}` of that base model;
// - `cardData.datasets`, `pipeline_tag` (modality; else `cardData.pipeline_tag`), `library_name`, the other tags as
//   `hf-tag/…` labels;
// - `createdAt`: release_date, marked in the label `modelreg.io/unverified` as the repository's creation date;
// - `safetensors.total`: parameter_count, unless the weights are stored packed (integer dtypes in
//   `safetensors.parameters`, or a quantized model without that breakdown), where the element count is not the
//   parameter count.
// INVALID_ARGUMENT when `json` is not a JSON object or has no usable `id`; any other bad field is dropped with a
// warning.
absl::StatusOr<ImportResult> ImportHfHubModel(absl::string_view json, const ImportOptions& options,
                                              ImportLicenses* licenses);

}  // namespace modelreg::cli

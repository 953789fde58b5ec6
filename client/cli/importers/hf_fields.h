// The Hugging Face vocabulary both Hub importers read (model cards, `import hf-card`, and the Hub API's model
// listing, `import hf-hub`): pipeline tags and their modality, tags as labels, the license fields, base models and
// their relation, dataset ids, and the `gated` values. Each function maps values already read from the source and
// adds a warning (one sentence) for what it drops; the callers know where a value sits in their file.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "client/cli/importers/import_result.h"
#include "client/cli/importers/import_rules.h"
#include "modelreg/v1/model.pb.h"

namespace modelreg::cli {

inline constexpr absl::string_view kHuggingFaceHub = "https://huggingface.co/";

// The modality of a Hugging Face pipeline tag (huggingface.js packages/tasks/src/pipelines.ts, PIPELINE_DATA);
// MODALITY_UNSPECIFIED for a tag without a Model.Modality value (tabular, time series, RL, graph, 3-D, `other`) or
// not defined by the Hub.
v1::Model::Modality ModalityOfPipelineTag(absl::string_view tag);

// Sets `modality` from `pipeline_tag` (lowercased) and the `hf-pipeline-tag` label; a tag without a modality leaves
// it unknown with a warning. Nothing for an empty tag.
void MapPipelineTag(absl::string_view pipeline_tag, ImportResult* result);

// Sets the `hf-library` label; a value the server would refuse (too long, control characters) is dropped with a
// warning. Nothing for an empty name.
void MapLibraryName(absl::string_view library_name, ImportResult* result);

// Adds the label `hf-tag/{tag}` = "true" (lowercased, other characters than `a-z0-9-_./` as `-`). False once the
// record holds 64 labels (a warning says the rest are dropped): stop adding. A tag too long for a key is dropped with
// a warning.
bool AddTagLabel(absl::string_view tag, ImportResult* result);

// The `license`, `license_name` and `license_link` fields as the Hub defines them: `license` an id (resolved through
// `licenses`, aliases included; a name nothing answers to becomes an unverified license), `other` meaning
// `license_name` names it; `license_link` (absolute, or relative to the repository `hf_repo`) is added to `sources`.
// `none`/`unknown`-like values and links leave weights.license unknown with a warning.
void MapHfLicense(const std::string& license, const std::string& license_name, const std::string& license_link,
                  const std::string& hf_repo, const ImportOptions& options, ImportLicenses* licenses,
                  ImportResult* result);

// `finetune`, `adapter`, `quantized`, `merge` (any case) as a relation; UNSPECIFIED for anything else.
v1::Model::BaseModelRelation BaseModelRelationOf(absl::string_view relation);

// The model name of a Hub model id `owner/repo` (lowercased); "" when `id` is not one.
std::string BaseModelNameOf(absl::string_view id);

// Sets `base_model` to the first of `names` (model names); a warning lists the others, which the record cannot hold.
// With no names, a warning when `relation_given` (a relation without a base model is dropped by the caller).
void SetBaseModels(const std::vector<std::string>& names, bool relation_given, ImportResult* result);

// Adds a dataset named by its Hub id (`owner/name` or `name`, or its page https://huggingface.co/datasets/{id}) to
// `data_disclosure` (level LISTED). False, adding nothing, when `id` is not a Hub repository id as huggingface_hub's
// validate_repo_id accepts it (letters, digits, `_`, `-`, `.`; no `--` or `..`; at most 96 characters).
bool AddHubDataset(absl::string_view id, ImportResult* result);

}  // namespace modelreg::cli

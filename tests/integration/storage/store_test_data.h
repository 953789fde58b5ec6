// Records with every field set, for the store tests.
#pragma once

#include <google/protobuf/text_format.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "server/storage/transaction.h"

namespace modelreg::testing {

inline v1::License FullLicense(const std::string& id) {
  v1::License license;
  const bool ok = google::protobuf::TextFormat::ParseFromString(
      R"pb(
        display_name: "Llama 3.1 Community License Agreement"
        spdx_id: "LicenseRef-llama3.1"
        uri: "https://www.llama.com/llama3_1/license/"
        version_date: "2024-07-23"
        osi_approved: false
        fsf_libre: false
        open_data: false
        category: CATEGORY_COMMUNITY
        commercial_use: COMMERCIAL_USE_CONDITIONAL
        usage_thresholds {
          metric: METRIC_MONTHLY_ACTIVE_USERS
          limit: 700000000
          consequence: CONSEQUENCE_REQUEST_LICENSE
          clause: "greater than 700 million monthly active users"
        }
        use_restrictions {
          acceptable_use_policy_uri: "https://www.llama.com/llama3_1/use-policy/"
          restricted_uses: "military"
          restricted_uses: "surveillance"
        }
        derivative_terms {
          attribution_text: "Built with Llama"
          required_name_prefix: "Llama"
          restrictions_propagate: true
          outputs_may_not_train_models: false
          distillation_is_derivative: true
        }
        remote_restriction_clause: "none"
        sources: "https://example.com/a"
        sources: "https://example.com/b"
      )pb",
      &license);
  if (!ok) std::abort();
  license.set_name(absl::StrCat("licenses/", id));
  return license;
}

// LicenseStore::Create's check, for licenses a test sets up.
inline absl::Status NoCheck(Transaction& /*tx*/) { return absl::OkStatus(); }

inline v1::License SimpleLicense(const std::string& id) {
  v1::License license;
  license.set_name(absl::StrCat("licenses/", id));
  license.set_display_name(id);
  license.set_category(v1::License::CATEGORY_PERMISSIVE);
  license.set_osi_approved(true);
  return license;
}

// A model with every field set, referencing the licenses `weights`, `component` and `dataset` (ids).
inline v1::Model FullModel(const std::string& name, const std::string& weights, const std::string& component,
                           const std::string& dataset) {
  v1::Model model;
  const bool ok = google::protobuf::TextFormat::ParseFromString(
      R"pb(
        display_name: "Llama 3.1 8B Instruct"
        description: "A \"quoted\" description\nwith a newline and ünïcode"
        family: "llama-3.1"
        version: "3.1"
        release_date: "2024-07-23"
        parameter_count: 8030261248
        modality: MODALITY_TEXT
        architecture: "decoder-only transformer"
        treatment: TREATMENT_INSTRUCT
        huggingface_repo: "meta-llama/Llama-3.1-8B-Instruct"
        homepage_uri: "https://llama.com"
        labels { key: "team" value: "a\"b\\c" }
        labels { key: "tier" value: "gold" }
        labels { key: "z.last/key_1" value: "" }
        base_model: "publishers/meta/models/llama-3.1-8b"
        base_model_relation: BASE_MODEL_RELATION_FINETUNE
        weights { access: ACCESS_GATED_CLICK_THROUGH download_uri: "https://hf.co/x" }
        components { kind: COMPONENT_KIND_MODEL_ARCHITECTURE status: STATUS_RELEASED uri: "https://x/arch" }
        components { kind: COMPONENT_KIND_TRAINING_CODE status: STATUS_NOT_RELEASED }
        components { kind: COMPONENT_KIND_INFERENCE_CODE status: STATUS_RELEASED uri: "https://x/code" }
        data_disclosure {
          level: LEVEL_DESCRIBED
          datasets { display_name: "web" uri: "https://x/web" }
          complete_description: false
          public_sources_listed: true
        }
        sources: "https://x/card"
        openness {
          level: 2
          level_name: "open weights, restrictive license"
          mof_class: MOF_CLASS_UNCLASSIFIED
          mof_progress { mof_class: MOF_CLASS_III met: 3 required: 7 missing: COMPONENT_KIND_DATA_CARD }
          osaid_candidate: false
          osaid_note: "training data not disclosed"
          flags: OPENNESS_FLAG_USAGE_THRESHOLD
          flags: OPENNESS_FLAG_USE_RESTRICTIONS
          reasons { code: "WEIGHTS_DOWNLOADABLE" level: 2 satisfied: true message: "The weights can be downloaded." }
          rules_version: 1
        }
      )pb",
      &model);
  if (!ok) std::abort();
  model.set_name(name);
  model.mutable_weights()->set_license(absl::StrCat("licenses/", weights));
  model.mutable_components(2)->set_license(absl::StrCat("licenses/", component));
  model.mutable_data_disclosure()->mutable_datasets(0)->set_license(absl::StrCat("licenses/", dataset));
  return model;
}

// A model with only a name (and optionally a weights license id).
inline v1::Model MinimalModel(const std::string& name, const std::string& weights = "") {
  v1::Model model;
  model.set_name(name);
  if (!weights.empty()) model.mutable_weights()->set_license(absl::StrCat("licenses/", weights));
  model.mutable_openness()->set_rules_version(1);
  return model;
}

}  // namespace modelreg::testing

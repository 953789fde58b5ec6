// What the openness rules give for each model of the shipped catalog (schema/catalog/models.yaml), from the facts
// recorded there. Asserted twice: on the pure rules (tests/unit/openness/catalog_openness_test.cc) and through the
// gRPC API on a real database (tests/integration/api/catalog_api_test.cc). When a row changes, the facts or the rules
// changed, and the example table in server/domain/openness/RULES.md must change with it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "modelreg/v1/openness.pb.h"

namespace modelreg::testing {

using v1::MofClass;
using v1::OpennessFlag;

inline constexpr OpennessFlag kThreshold = v1::OPENNESS_FLAG_USAGE_THRESHOLD;
inline constexpr OpennessFlag kNonCommercial = v1::OPENNESS_FLAG_NON_COMMERCIAL;
inline constexpr OpennessFlag kRestrictions = v1::OPENNESS_FLAG_USE_RESTRICTIONS;
inline constexpr OpennessFlag kUnknown = v1::OPENNESS_FLAG_UNKNOWN_FACTS;
inline constexpr MofClass kUnclassified = v1::MOF_CLASS_UNCLASSIFIED;

struct ExpectedOpenness {
  int level;
  MofClass mof_class;
  std::vector<OpennessFlag> flags;
  bool osaid_candidate = false;
};

inline const std::map<std::string, ExpectedOpenness>& ExpectedCatalogAssessments() {
  static const auto* table = new std::map<std::string, ExpectedOpenness>{
      // Closed.
      {"publishers/openai/models/gpt-4o", {1, kUnclassified, {}}},
      {"publishers/google/models/gemini-1.5-pro", {1, kUnclassified, {}}},
      // Access is unverified for this version, so it is unknown: level 1 proven, nothing more.
      {"publishers/anthropic/models/claude-3.5-sonnet", {1, kUnclassified, {kUnknown}}},
      // Open weights, restrictive license.
      {"publishers/meta-llama/models/llama-3.1-8b", {2, kUnclassified, {kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-2-7b", {2, kUnclassified, {kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/meta-llama-3-8b", {2, kUnclassified, {kThreshold, kRestrictions}}},
      {"publishers/google/models/gemma-2-9b", {2, kUnclassified, {kRestrictions}}},
      {"publishers/qwen/models/qwen2.5-72b-instruct", {2, kUnclassified, {kThreshold}}},
      {"publishers/qwen/models/qwen2.5-3b", {2, kUnclassified, {kNonCommercial}}},
      {"publishers/deepseek-ai/models/deepseek-v3", {2, kUnclassified, {kRestrictions}}},
      {"publishers/stabilityai/models/stable-diffusion-3-medium", {2, kUnclassified, {kThreshold, kRestrictions}}},
      {"publishers/tiiuae/models/falcon-180b", {2, kUnclassified, {kRestrictions}}},
      {"publishers/mistralai/models/mistral-large-instruct-2407", {2, kUnclassified, {kNonCommercial}}},
      {"publishers/cohereforai/models/c4ai-command-r-v01", {2, kUnclassified, {kNonCommercial}}},
      // BLOOM and StarCoder2: the facts say their training code is released but not under which license, so the
      // rules cannot show that the code would reach level 4: no LICENSE_BLOCKED (see RULES.md).
      {"publishers/bigscience/models/bloom", {2, kUnclassified, {kRestrictions}}},
      {"publishers/bigcode/models/starcoder2-15b", {2, kUnclassified, {kRestrictions}}},
      // Open weights, permissive license; training code not released.
      {"publishers/mistralai/models/mistral-7b-v0.1", {3, kUnclassified, {}}},
      {"publishers/mistralai/models/mixtral-8x7b-v0.1", {3, kUnclassified, {}}},
      {"publishers/deepseek-ai/models/deepseek-r1", {3, kUnclassified, {}}},
      {"publishers/microsoft/models/phi-3-mini-4k-instruct", {3, kUnclassified, {}}},
      {"publishers/xai-org/models/grok-1", {3, kUnclassified, {}}},
      {"publishers/openai/models/gpt-oss-20b", {3, kUnclassified, {}}},
      // Training code not in the facts.
      {"publishers/tiiuae/models/falcon-40b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen2.5-7b", {3, kUnclassified, {kUnknown}}},
      // Training code, inference code and architecture under Apache-2.0, data under ODC-By; no source read names the
      // data preprocessing code, so level 5 stays unknown.
      {"publishers/allenai/models/olmo-2-1124-7b", {4, kUnclassified, {kUnknown}}},
      // Open source (datasets Apache-2.0 per the model card); MOF unclassified because the MOF file read leaves the
      // documents and evaluation data unlicensed.
      {"publishers/llm360/models/amber", {5, kUnclassified, {}, /*osaid_candidate=*/true}},
      // Open source.
      {"publishers/allenai/models/olmo-7b", {5, v1::MOF_CLASS_I, {}}},
      {"publishers/eleutherai/models/pythia-6.9b", {5, v1::MOF_CLASS_I, {}, /*osaid_candidate=*/true}},
  };
  return *table;
}

}  // namespace modelreg::testing

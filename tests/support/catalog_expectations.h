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
inline constexpr OpennessFlag kManualGate = v1::OPENNESS_FLAG_MANUAL_APPROVAL_GATE;
inline constexpr MofClass kUnclassified = v1::MOF_CLASS_UNCLASSIFIED;

struct ExpectedOpenness {
  int level;
  MofClass mof_class;
  std::vector<OpennessFlag> flags;
  bool osaid_candidate = false;
};

inline const std::map<std::string, ExpectedOpenness>& ExpectedCatalogAssessments() {
  static const auto* table = new std::map<std::string, ExpectedOpenness>{
      // Closed: API only.
      {"publishers/openai/models/gpt-4o", {1, kUnclassified, {}}},
      {"publishers/openai/models/gpt-4.1", {1, kUnclassified, {}}},
      {"publishers/openai/models/gpt-5", {1, kUnclassified, {}}},
      {"publishers/anthropic/models/claude-3.5-sonnet", {1, kUnclassified, {}}},
      {"publishers/anthropic/models/claude-3.7-sonnet", {1, kUnclassified, {}}},
      {"publishers/anthropic/models/claude-sonnet-4", {1, kUnclassified, {}}},
      {"publishers/anthropic/models/claude-opus-4", {1, kUnclassified, {}}},
      {"publishers/google/models/gemini-1.5-pro", {1, kUnclassified, {}}},
      {"publishers/google/models/gemini-2.5-pro", {1, kUnclassified, {}}},
      // Meta Llama: gated by manual approval; 700M MAU threshold; acceptable use policy (3.2, 3.3 and 4 also withhold
      // their multimodal models in the EU, which is a license term, not an openness flag).
      {"publishers/meta-llama/models/llama-2-7b", {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-2-7b-chat", {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/meta-llama-3-8b", {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/meta-llama-3-8b-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/meta-llama-3-70b", {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/meta-llama-3-70b-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.1-8b", {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.1-8b-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.1-70b", {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.1-70b-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.1-405b", {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.1-405b-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.2-1b", {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.2-1b-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.2-3b", {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.2-3b-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.2-1b-instruct-qlora-int4-eo8",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.2-11b-vision",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.2-11b-vision-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.2-90b-vision",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.2-90b-vision-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-3.3-70b-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-4-scout-17b-16e",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-4-scout-17b-16e-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-4-maverick-17b-128e",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-4-maverick-17b-128e-instruct",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      {"publishers/meta-llama/models/llama-4-maverick-17b-128e-instruct-fp8",
       {2, kUnclassified, {kManualGate, kThreshold, kRestrictions}}},
      // Gemma: click-through gate; prohibited use policy passed on to derivatives.
      {"publishers/google/models/gemma-2-9b", {2, kUnclassified, {kRestrictions}}},
      {"publishers/google/models/gemma-2-9b-it", {2, kUnclassified, {kRestrictions}}},
      {"publishers/google/models/gemma-3-1b-pt", {2, kUnclassified, {kRestrictions}}},
      {"publishers/google/models/gemma-3-1b-it", {2, kUnclassified, {kRestrictions}}},
      {"publishers/google/models/gemma-3-4b-pt", {2, kUnclassified, {kRestrictions}}},
      {"publishers/google/models/gemma-3-4b-it", {2, kUnclassified, {kRestrictions}}},
      {"publishers/google/models/gemma-3-12b-pt", {2, kUnclassified, {kRestrictions}}},
      {"publishers/google/models/gemma-3-12b-it", {2, kUnclassified, {kRestrictions}}},
      {"publishers/google/models/gemma-3-27b-pt", {2, kUnclassified, {kRestrictions}}},
      {"publishers/google/models/gemma-3-27b-it", {2, kUnclassified, {kRestrictions}}},
      // Qwen: Tongyi Qianwen (2023) and Qwen (2024) licenses have a 100M MAU threshold; the Apache-2.0 models stop at
      // level 3 because no source says whether training code is released.
      {"publishers/qwen/models/qwen-7b", {2, kUnclassified, {kThreshold}}},
      {"publishers/qwen/models/qwen2.5-3b", {2, kUnclassified, {kNonCommercial}}},
      {"publishers/qwen/models/qwen2.5-7b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen2.5-7b-instruct", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen2.5-14b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen2.5-32b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen2.5-72b", {2, kUnclassified, {kThreshold}}},
      {"publishers/qwen/models/qwen2.5-72b-instruct", {2, kUnclassified, {kThreshold}}},
      {"publishers/qwen/models/qwen2.5-math-1.5b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen2.5-math-7b", {3, kUnclassified, {kUnknown}}},
      {"publishers/google/models/gemma-4-e2b", {3, kUnclassified, {kUnknown}}},
      {"publishers/google/models/gemma-4-e2b-it", {3, kUnclassified, {kUnknown}}},
      {"publishers/google/models/gemma-4-e4b", {3, kUnclassified, {kUnknown}}},
      {"publishers/google/models/gemma-4-e4b-it", {3, kUnclassified, {kUnknown}}},
      {"publishers/google/models/gemma-4-26b-a4b", {3, kUnclassified, {kUnknown}}},
      {"publishers/google/models/gemma-4-26b-a4b-it", {3, kUnclassified, {kUnknown}}},
      {"publishers/google/models/gemma-4-31b", {3, kUnclassified, {kUnknown}}},
      {"publishers/google/models/gemma-4-31b-it", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-0.6b-base", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-0.6b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-1.7b-base", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-1.7b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-4b-base", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-4b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-8b-base", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-8b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-14b-base", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-14b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-32b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-30b-a3b-base", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-30b-a3b", {3, kUnclassified, {kUnknown}}},
      {"publishers/qwen/models/qwen3-235b-a22b", {3, kUnclassified, {kUnknown}}},
      // DeepSeek: V3 under the DeepSeek License (use restrictions); R1, V3-0324 and the Qwen distills MIT; the Llama
      // distills carry their base models' Llama licenses.
      {"publishers/deepseek-ai/models/deepseek-v3-base", {2, kUnclassified, {kRestrictions}}},
      {"publishers/deepseek-ai/models/deepseek-v3", {2, kUnclassified, {kRestrictions}}},
      {"publishers/deepseek-ai/models/deepseek-v3-0324", {3, kUnclassified, {}}},
      {"publishers/deepseek-ai/models/deepseek-r1-zero", {3, kUnclassified, {}}},
      {"publishers/deepseek-ai/models/deepseek-r1", {3, kUnclassified, {}}},
      {"publishers/deepseek-ai/models/deepseek-r1-distill-qwen-1.5b", {3, kUnclassified, {kUnknown}}},
      {"publishers/deepseek-ai/models/deepseek-r1-distill-qwen-7b", {3, kUnclassified, {kUnknown}}},
      {"publishers/deepseek-ai/models/deepseek-r1-distill-llama-8b", {2, kUnclassified, {kThreshold, kRestrictions}}},
      {"publishers/deepseek-ai/models/deepseek-r1-distill-qwen-14b", {3, kUnclassified, {kUnknown}}},
      {"publishers/deepseek-ai/models/deepseek-r1-distill-qwen-32b", {3, kUnclassified, {kUnknown}}},
      {"publishers/deepseek-ai/models/deepseek-r1-distill-llama-70b", {2, kUnclassified, {kThreshold, kRestrictions}}},
      {"publishers/deepseek-ai/models/deepseek-r1-0528", {3, kUnclassified, {kUnknown}}},
      {"publishers/deepseek-ai/models/deepseek-r1-0528-qwen3-8b", {3, kUnclassified, {kUnknown}}},
      // gpt-oss: Apache-2.0, training code not released; no data card, so not MOF Class III.
      {"publishers/openai/models/gpt-oss-20b", {3, kUnclassified, {}}},
      {"publishers/openai/models/gpt-oss-120b", {3, kUnclassified, {}}},
      // Mistral: Apache-2.0 models at level 3; Mistral Large 2 under the research-only MRL.
      {"publishers/mistralai/models/mistral-7b-v0.1", {3, kUnclassified, {}}},
      {"publishers/mistralai/models/mixtral-8x7b-v0.1", {3, kUnclassified, {}}},
      {"publishers/mistralai/models/mixtral-8x7b-instruct-v0.1", {3, kUnclassified, {}}},
      {"publishers/mistralai/models/mistral-large-instruct-2407", {2, kUnclassified, {kNonCommercial}}},
      {"publishers/mistralai/models/mistral-large-instruct-2411", {2, kUnclassified, {kNonCommercial}}},
      {"publishers/mistralai/models/mistral-small-24b-base-2501", {3, kUnclassified, {kUnknown}}},
      {"publishers/mistralai/models/mistral-small-24b-instruct-2501", {3, kUnclassified, {kUnknown}}},
      {"publishers/mistralai/models/mistral-large-3-675b-base-2512", {3, kUnclassified, {kUnknown}}},
      // Microsoft Phi: MIT.
      {"publishers/microsoft/models/phi-3-mini-4k-instruct", {3, kUnclassified, {}}},
      {"publishers/microsoft/models/phi-4", {3, kUnclassified, {kUnknown}}},
      {"publishers/microsoft/models/phi-4-reasoning", {3, kUnclassified, {kUnknown}}},
      // Ai2 OLMo: OLMo 7B is Class I from its MOF file; OLMo 2 code Apache-2.0 and data ODC-By, but no source names the
      // data preprocessing code, so level 5 stays unknown; the instruct models' facts stop at their weights.
      {"publishers/allenai/models/olmo-7b", {5, v1::MOF_CLASS_I, {}}},
      {"publishers/allenai/models/olmo-2-1124-7b", {4, kUnclassified, {kUnknown}}},
      {"publishers/allenai/models/olmo-2-1124-7b-instruct", {3, kUnclassified, {kUnknown}}},
      {"publishers/allenai/models/olmo-2-1124-13b", {4, kUnclassified, {kUnknown}}},
      {"publishers/allenai/models/olmo-2-1124-13b-instruct", {3, kUnclassified, {kUnknown}}},
      {"publishers/allenai/models/olmo-2-0325-32b", {4, kUnclassified, {kUnknown}}},
      {"publishers/allenai/models/olmo-2-0325-32b-instruct", {3, kUnclassified, {kUnknown}}},
      // SmolLM3: training code released (nanotron), its license not read.
      {"publishers/huggingfacetb/models/smollm3-3b-base", {3, kUnclassified, {kUnknown}}},
      {"publishers/huggingfacetb/models/smollm3-3b", {3, kUnclassified, {kUnknown}}},
      // IBM Granite 4.0: MOF Class III, as the Model Openness Tool computes from their files.
      {"publishers/ibm-granite/models/granite-4.0-h-small-base", {3, v1::MOF_CLASS_III, {kUnknown}}},
      {"publishers/ibm-granite/models/granite-4.0-h-small", {3, v1::MOF_CLASS_III, {kUnknown}}},
      {"publishers/ibm-granite/models/granite-4.0-h-tiny-base", {3, v1::MOF_CLASS_III, {kUnknown}}},
      {"publishers/ibm-granite/models/granite-4.0-h-tiny", {3, v1::MOF_CLASS_III, {kUnknown}}},
      {"publishers/ibm-granite/models/granite-4.0-micro-base", {3, v1::MOF_CLASS_III, {kUnknown}}},
      {"publishers/ibm-granite/models/granite-4.0-micro", {3, v1::MOF_CLASS_III, {kUnknown}}},
      // Other open-weight models.
      {"publishers/xai-org/models/grok-1", {3, kUnclassified, {}}},
      {"publishers/tiiuae/models/falcon-40b", {3, kUnclassified, {kUnknown}}},
      {"publishers/tiiuae/models/falcon-180b", {2, kUnclassified, {kRestrictions}}},
      {"publishers/cohereforai/models/c4ai-command-r-v01", {2, kUnclassified, {kNonCommercial, kRestrictions}}},
      {"publishers/stabilityai/models/stable-diffusion-3-medium", {2, kUnclassified, {kThreshold, kRestrictions}}},
      // BLOOM and StarCoder2: the facts say their training code is released but not under which license, so the
      // rules cannot show that the code would reach level 4: no LICENSE_BLOCKED (see RULES.md).
      {"publishers/bigscience/models/bloom", {2, kUnclassified, {kRestrictions}}},
      {"publishers/bigcode/models/starcoder2-15b", {2, kUnclassified, {kRestrictions}}},
      // Open source, MOF Class I: Pythia and Amber are OSAID candidates (Amber from its 2025-05-30 MOF file).
      {"publishers/eleutherai/models/pythia-6.9b", {5, v1::MOF_CLASS_I, {}, /*osaid_candidate=*/true}},
      {"publishers/llm360/models/amber", {5, v1::MOF_CLASS_I, {}, /*osaid_candidate=*/true}},
  };
  return *table;
}

}  // namespace modelreg::testing

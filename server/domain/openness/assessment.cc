#include "server/domain/openness/assessment.h"

#include <array>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace modelreg {
namespace {

using v1::Component;
using v1::ComponentKind;
using v1::DataDisclosure;
using v1::License;
using v1::Model;
using v1::MofClass;
using v1::MofClassProgress;
using v1::Openness;
using v1::OpennessFlag;
using v1::OpennessReason;
using v1::Weights;

constexpr char kOpenMdwName[] = "licenses/openmdw-1.0";
constexpr char kOpenMdwSpdx[] = "openmdw-1.0";

// A three-valued answer: a fact can prove a condition, disprove it, or be missing.
enum class Tri { kYes, kNo, kUnknown };

// How a component stands after reading its facts.
enum class Release { kReleased, kPartial, kNotReleased, kUnknown };

// A license named by the model, looked up in the license map.
struct ResolvedLicense {
  std::string name;                  // `licenses/{id}`; empty when the model names none
  const License* license = nullptr;  // null when no name or the name is not in the map
};

// What the model says about one MOF component, with its license resolved.
struct ComponentFacts {
  ComponentKind kind = v1::COMPONENT_KIND_UNSPECIFIED;
  Release release = Release::kUnknown;
  bool present = false;  // an entry (or, for the final parameters, the weights facts) speaks of it
  ResolvedLicense license;
};

// One condition of one level.
struct Condition {
  int level = 0;
  Tri value = Tri::kUnknown;
  std::string code;
  std::string message;
  // When `value` is unknown: the unknown fact, as the level name words it ("weights access", "training code license").
  std::string unknown_fact;
};

bool IsOpenMdw(const License& license) {
  return license.name() == kOpenMdwName || absl::AsciiStrToLower(license.spdx_id()) == kOpenMdwSpdx;
}

ResolvedLicense Resolve(const std::string& name, const LicenseMap& licenses) {
  ResolvedLicense resolved;
  resolved.name = name;
  if (!name.empty()) {
    auto it = licenses.find(name);
    if (it != licenses.end()) resolved.license = &it->second;
  }
  return resolved;
}

std::string LicenseLabel(const ResolvedLicense& resolved) {
  if (resolved.license != nullptr && !resolved.license->display_name().empty()) {
    return absl::StrCat(resolved.license->display_name(), " (", resolved.name, ")");
  }
  return resolved.name;
}

// Why a known license is not open, for messages.
std::string WhyNotOpen(const License& license) {
  std::vector<std::string> why;
  if (HasUsageThreshold(license)) why.push_back("has usage thresholds");
  if (HasUseRestrictions(license)) why.push_back("restricts uses");
  if (IsNonCommercial(license)) why.push_back("forbids commercial use");
  if (license.category() == License::CATEGORY_PROPRIETARY) why.push_back("is proprietary");
  if (why.empty()) why.push_back("is not OSI-approved, FSF-libre, an open-data license or OpenMDW-1.0");
  return absl::StrJoin(why, ", ");
}

std::string ComponentName(ComponentKind kind) {
  switch (kind) {
    case v1::COMPONENT_KIND_MODEL_ARCHITECTURE:
      return "model architecture";
    case v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL:
      return "final model parameters";
    case v1::COMPONENT_KIND_MODEL_CARD:
      return "model card";
    case v1::COMPONENT_KIND_DATA_CARD:
      return "data card";
    case v1::COMPONENT_KIND_TECHNICAL_REPORT:
      return "technical report";
    case v1::COMPONENT_KIND_EVALUATION_RESULTS:
      return "evaluation results";
    case v1::COMPONENT_KIND_SAMPLE_MODEL_OUTPUTS:
      return "sample model outputs";
    case v1::COMPONENT_KIND_TRAINING_CODE:
      return "training code";
    case v1::COMPONENT_KIND_INFERENCE_CODE:
      return "inference code";
    case v1::COMPONENT_KIND_EVALUATION_CODE:
      return "evaluation code";
    case v1::COMPONENT_KIND_EVALUATION_DATA:
      return "evaluation data";
    case v1::COMPONENT_KIND_SUPPORTING_LIBRARIES:
      return "supporting libraries and tools";
    case v1::COMPONENT_KIND_DATASETS:
      return "datasets";
    case v1::COMPONENT_KIND_DATA_PREPROCESSING_CODE:
      return "data preprocessing code";
    case v1::COMPONENT_KIND_MODEL_PARAMETERS_INTERMEDIATE:
      return "intermediate model parameters";
    case v1::COMPONENT_KIND_RESEARCH_PAPER:
      return "research paper";
    case v1::COMPONENT_KIND_MODEL_METADATA:
      return "model metadata";
    default:
      return "unspecified component";
  }
}

std::string CodePrefix(ComponentKind kind) {
  switch (kind) {
    case v1::COMPONENT_KIND_TRAINING_CODE:
      return "TRAINING_CODE";
    case v1::COMPONENT_KIND_INFERENCE_CODE:
      return "INFERENCE_CODE";
    case v1::COMPONENT_KIND_MODEL_ARCHITECTURE:
      return "MODEL_ARCHITECTURE";
    case v1::COMPONENT_KIND_DATA_PREPROCESSING_CODE:
      return "DATA_PREPROCESSING_CODE";
    case v1::COMPONENT_KIND_SUPPORTING_LIBRARIES:
      return "SUPPORTING_LIBRARIES";
    default:
      return "COMPONENT";
  }
}

bool IsDownloadable(Weights::Access access) {
  return access == Weights::ACCESS_GATED_CLICK_THROUGH || access == Weights::ACCESS_GATED_MANUAL_APPROVAL ||
         access == Weights::ACCESS_GATED_APPROVAL_UNKNOWN || access == Weights::ACCESS_OPEN_DOWNLOAD;
}

// Open (yes), not open (no), or a license whose terms are not recorded (unknown): see HasUnknownTerms.
Tri LicenseOpen(const License& license, bool osi_only) {
  if (IsOpenLicense(license) && (!osi_only || license.osi_approved())) return Tri::kYes;
  return HasUnknownTerms(license) ? Tri::kUnknown : Tri::kNo;
}

bool IsNotDownloadable(Weights::Access access) {
  return access == Weights::ACCESS_CLOSED || access == Weights::ACCESS_API_ONLY;
}

Release FromStatus(Component::Status status) {
  switch (status) {
    case Component::STATUS_RELEASED:
      return Release::kReleased;
    case Component::STATUS_PARTIAL:
      return Release::kPartial;
    case Component::STATUS_NOT_RELEASED:
      return Release::kNotReleased;
    default:
      return Release::kUnknown;
  }
}

// The first entry of `kind`; later duplicates are ignored.
const Component* FindComponent(const Model& model, ComponentKind kind) {
  for (const Component& component : model.components()) {
    if (component.kind() == kind) return &component;
  }
  return nullptr;
}

// License resolution: the component's own license; for the final parameters only, else `weights.license` (the
// model's distribution license). Any other component without its own license is unlicensed/unknown.
ComponentFacts ReadComponent(const Model& model, ComponentKind kind, const LicenseMap& licenses) {
  ComponentFacts facts;
  facts.kind = kind;
  const Component* component = FindComponent(model, kind);
  const bool final_params = kind == v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL;
  std::string license_name;
  if (component != nullptr) {
    facts.present = true;
    facts.release = FromStatus(component->status());
    license_name = component->license();
  } else if (final_params) {
    // No explicit entry: the weights facts speak for the final parameters.
    const Weights::Access access = model.weights().access();
    facts.present = access != Weights::ACCESS_UNSPECIFIED;
    facts.release = IsDownloadable(access)      ? Release::kReleased
                    : IsNotDownloadable(access) ? Release::kNotReleased
                                                : Release::kUnknown;
  }
  if (license_name.empty() && final_params) license_name = model.weights().license();
  facts.license = Resolve(license_name, licenses);
  return facts;
}

// Released under a license that is open (`osi_only` false) or OSI-approved and open (`osi_only` true).
Tri ReleasedUnder(const ComponentFacts& facts, bool osi_only) {
  switch (facts.release) {
    case Release::kPartial:
    case Release::kNotReleased:
      return Tri::kNo;
    case Release::kUnknown:
      return Tri::kUnknown;
    case Release::kReleased:
      break;
  }
  if (facts.license.license == nullptr) return Tri::kUnknown;
  return LicenseOpen(*facts.license.license, osi_only);
}

// A level-4/5 condition: `kind` released under an OSI-approved license.
Condition OsiComponentCondition(int level, const ComponentFacts& facts) {
  Condition condition;
  condition.level = level;
  condition.value = ReleasedUnder(facts, /*osi_only=*/true);
  const std::string prefix = CodePrefix(facts.kind);
  std::string name = ComponentName(facts.kind);
  name[0] = absl::ascii_toupper(static_cast<unsigned char>(name[0]));
  switch (facts.release) {
    case Release::kNotReleased:
      condition.code = absl::StrCat(prefix, "_NOT_RELEASED");
      condition.message = absl::StrCat(name, " is not released.");
      return condition;
    case Release::kPartial:
      condition.code = absl::StrCat(prefix, "_PARTIAL");
      condition.message = absl::StrCat(name, " is only partly released; partial releases do not count.");
      return condition;
    case Release::kUnknown:
      condition.code = absl::StrCat(prefix, "_UNKNOWN");
      condition.message = absl::StrCat("Whether the ", ComponentName(facts.kind), " is released is unknown.");
      condition.unknown_fact = absl::StrCat(ComponentName(facts.kind), " release");
      return condition;
    case Release::kReleased:
      break;
  }
  if (condition.value == Tri::kUnknown) condition.unknown_fact = absl::StrCat(ComponentName(facts.kind), " license");
  if (facts.license.name.empty()) {
    condition.code = absl::StrCat(prefix, "_LICENSE_UNKNOWN");
    condition.message = absl::StrCat(name, " is released, but its license is not recorded.");
  } else if (facts.license.license == nullptr) {
    condition.code = absl::StrCat(prefix, "_LICENSE_UNKNOWN");
    condition.message =
        absl::StrCat(name, " is released under ", facts.license.name, ", which is not in the license catalog.");
  } else if (condition.value == Tri::kUnknown) {
    condition.code = absl::StrCat(prefix, "_LICENSE_UNKNOWN");
    condition.message = absl::StrCat(name, " is released under ", LicenseLabel(facts.license),
                                     ", whose terms are not recorded (an unverified license record).");
  } else if (condition.value == Tri::kYes) {
    condition.code = absl::StrCat(prefix, "_OSI");
    condition.message =
        absl::StrCat(name, " is released under ", LicenseLabel(facts.license), ", an OSI-approved license.");
  } else {
    condition.code = absl::StrCat(prefix, "_NOT_OSI");
    const License& license = *facts.license.license;
    condition.message = absl::StrCat(name, " is released under ", LicenseLabel(facts.license), ", which ",
                                     license.osi_approved() ? WhyNotOpen(license) : "is not OSI-approved", ".");
  }
  return condition;
}

Condition WeightsDownloadableCondition(const Model& model) {
  Condition condition;
  condition.level = 2;
  switch (model.weights().access()) {
    case Weights::ACCESS_OPEN_DOWNLOAD:
      condition.value = Tri::kYes;
      condition.code = "WEIGHTS_DOWNLOADABLE";
      condition.message = "The final parameters can be downloaded by anyone.";
      break;
    case Weights::ACCESS_GATED_CLICK_THROUGH:
      condition.value = Tri::kYes;
      condition.code = "WEIGHTS_DOWNLOADABLE";
      condition.message = "The final parameters can be downloaded after accepting terms (click-through gate).";
      break;
    case Weights::ACCESS_GATED_MANUAL_APPROVAL:
      condition.value = Tri::kYes;
      condition.code = "WEIGHTS_DOWNLOADABLE";
      condition.message = "The final parameters can be downloaded once the publisher approves a request by hand.";
      break;
    case Weights::ACCESS_GATED_APPROVAL_UNKNOWN:
      condition.value = Tri::kYes;
      condition.code = "WEIGHTS_DOWNLOADABLE";
      condition.message =
          "The final parameters can be downloaded behind a gate; whether approval is click-through or manual is "
          "unknown.";
      break;
    case Weights::ACCESS_CLOSED:
      condition.value = Tri::kNo;
      condition.code = "WEIGHTS_NOT_DOWNLOADABLE";
      condition.message = "The final parameters are not available in any form.";
      break;
    case Weights::ACCESS_API_ONLY:
      condition.value = Tri::kNo;
      condition.code = "WEIGHTS_NOT_DOWNLOADABLE";
      condition.message = "The final parameters are usable only through the publisher's API.";
      break;
    default: {
      // No access recorded: an explicit final-parameters component decides.
      const Component* final_params = FindComponent(model, v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL);
      const Release release = final_params != nullptr ? FromStatus(final_params->status()) : Release::kUnknown;
      if (release == Release::kReleased) {
        condition.value = Tri::kYes;
        condition.code = "WEIGHTS_DOWNLOADABLE";
        condition.message = "The final parameters are released (the kind of access is not recorded).";
      } else if (release == Release::kNotReleased) {
        condition.value = Tri::kNo;
        condition.code = "WEIGHTS_NOT_DOWNLOADABLE";
        condition.message = "The final parameters are not released.";
      } else {
        condition.value = Tri::kUnknown;
        condition.code = "WEIGHTS_ACCESS_UNKNOWN";
        condition.message = "Whether the final parameters can be downloaded is unknown.";
        condition.unknown_fact = "weights access";
      }
      break;
    }
  }
  return condition;
}

Condition WeightsLicenseCondition(const ComponentFacts& final_params) {
  Condition condition;
  condition.level = 3;
  const ResolvedLicense& resolved = final_params.license;
  if (resolved.name.empty()) {
    condition.value = Tri::kUnknown;
    condition.code = "WEIGHTS_LICENSE_UNKNOWN";
    condition.message = "No license is recorded for the weights.";
  } else if (resolved.license == nullptr) {
    condition.value = Tri::kUnknown;
    condition.code = "WEIGHTS_LICENSE_UNKNOWN";
    condition.message = absl::StrCat("The weights license ", resolved.name, " is not in the license catalog.");
  } else if (LicenseOpen(*resolved.license, /*osi_only=*/false) == Tri::kUnknown) {
    condition.value = Tri::kUnknown;
    condition.code = "WEIGHTS_LICENSE_UNKNOWN";
    condition.message = absl::StrCat("The weights are under ", LicenseLabel(resolved),
                                     ", whose terms are not recorded (an unverified license record).");
  } else if (IsOpenLicense(*resolved.license)) {
    condition.value = Tri::kYes;
    condition.code = "WEIGHTS_LICENSE_OPEN";
    condition.message = absl::StrCat("The weights are under ", LicenseLabel(resolved), ", an open license.");
  } else {
    condition.value = Tri::kNo;
    condition.code = "WEIGHTS_LICENSE_NOT_OPEN";
    condition.message =
        absl::StrCat("The weights are under ", LicenseLabel(resolved), ", which ", WhyNotOpen(*resolved.license), ".");
  }
  if (condition.value == Tri::kUnknown) condition.unknown_fact = "weights license";
  return condition;
}

bool AllOsaidItems(const DataDisclosure& disclosure) {
  return disclosure.has_complete_description() && disclosure.complete_description() &&
         disclosure.has_public_sources_listed() && disclosure.public_sources_listed() &&
         disclosure.has_third_party_sources_listed() && disclosure.third_party_sources_listed();
}

bool AnyOsaidItemFalse(const DataDisclosure& disclosure) {
  return (disclosure.has_complete_description() && !disclosure.complete_description()) ||
         (disclosure.has_public_sources_listed() && !disclosure.public_sources_listed()) ||
         (disclosure.has_third_party_sources_listed() && !disclosure.third_party_sources_listed());
}

// Level 5's data condition: the DATASETS component released under an open license, or the data listed (LISTED or
// OPEN) with all three OSAID data-information items true.
Condition TrainingDataCondition(const Model& model, const ComponentFacts& datasets) {
  Condition condition;
  condition.level = 5;
  const Tri by_component = ReleasedUnder(datasets, /*osi_only=*/false);
  const DataDisclosure& disclosure = model.data_disclosure();
  const DataDisclosure::Level level = disclosure.level();
  const bool listed = level == DataDisclosure::LEVEL_LISTED || level == DataDisclosure::LEVEL_OPEN;
  Tri by_disclosure = Tri::kUnknown;
  if (listed && AllOsaidItems(disclosure)) {
    by_disclosure = Tri::kYes;
  } else if ((level != DataDisclosure::LEVEL_UNSPECIFIED && !listed) || AnyOsaidItemFalse(disclosure)) {
    by_disclosure = Tri::kNo;
  }
  if (by_component == Tri::kYes) {
    condition.value = Tri::kYes;
    condition.code = "TRAINING_DATA_OPEN";
    condition.message =
        absl::StrCat("The training datasets are released under ", LicenseLabel(datasets.license), ", an open license.");
  } else if (by_disclosure == Tri::kYes) {
    condition.value = Tri::kYes;
    condition.code = "TRAINING_DATA_LISTED";
    condition.message =
        "The training data is listed, with a complete description, its public sources and its third-party sources "
        "(the OSAID data information).";
  } else if (by_component == Tri::kNo && by_disclosure == Tri::kNo) {
    condition.value = Tri::kNo;
    condition.code = "TRAINING_DATA_NOT_OPEN";
    condition.message =
        "The training data is neither released under an open license nor listed with all OSAID data information.";
  } else {
    condition.value = Tri::kUnknown;
    condition.code = "TRAINING_DATA_UNKNOWN";
    condition.unknown_fact = "training data";
    condition.message =
        "Whether the training data is released under an open license or fully listed (OSAID data information) is "
        "unknown.";
  }
  return condition;
}

// The conjunction of a level's conditions.
Tri AllOf(const std::vector<Condition>& conditions) {
  bool unknown = false;
  for (const Condition& condition : conditions) {
    if (condition.value == Tri::kNo) return Tri::kNo;
    if (condition.value == Tri::kUnknown) unknown = true;
  }
  return unknown ? Tri::kUnknown : Tri::kYes;
}

const char* LevelName(int level) {
  switch (level) {
    case 1:
      return "closed";
    case 2:
      return "open weights, restrictive license";
    case 3:
      return "open weights, permissive license";
    case 4:
      return "open weights and training code";
    case 5:
      return "open source";
    default:
      return "";
  }
}

// The name of `level` when it stopped at unknown facts of `next_level`. The names of levels 1 ("closed") and 2
// ("restrictive license") would assert that a next-level fact is false, so they become what is proven and which
// facts are unknown ("proven; weights access unknown", "open weights; weights license unknown"). The names of levels
// 3 and 4 assert nothing about the next level's facts and stay.
std::string LevelNameAtUnknown(int level, const std::vector<Condition>& next_level) {
  if (level > 2) return LevelName(level);
  std::vector<std::string> facts;
  for (const Condition& condition : next_level) {
    if (condition.value == Tri::kUnknown && !condition.unknown_fact.empty()) facts.push_back(condition.unknown_fact);
  }
  std::string joined;
  for (size_t i = 0; i < facts.size(); ++i) {
    if (i > 0) absl::StrAppend(&joined, i + 1 == facts.size() ? " and " : ", ");
    absl::StrAppend(&joined, facts[i]);
  }
  return absl::StrCat(level == 1 ? "proven" : "open weights", "; ", joined.empty() ? "a needed fact" : joined,
                      " unknown");
}

void AddReason(const Condition& condition, Openness* out) {
  OpennessReason* reason = out->add_reasons();
  reason->set_code(condition.code);
  reason->set_level(condition.level);
  reason->set_satisfied(condition.value == Tri::kYes);
  reason->set_message(condition.message);
}

constexpr std::array<ComponentKind, 6> kClassIII = {
    v1::COMPONENT_KIND_MODEL_ARCHITECTURE, v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL,
    v1::COMPONENT_KIND_MODEL_CARD,         v1::COMPONENT_KIND_DATA_CARD,
    v1::COMPONENT_KIND_TECHNICAL_REPORT,   v1::COMPONENT_KIND_EVALUATION_RESULTS};
constexpr std::array<ComponentKind, 4> kClassII = {v1::COMPONENT_KIND_TRAINING_CODE, v1::COMPONENT_KIND_INFERENCE_CODE,
                                                   v1::COMPONENT_KIND_EVALUATION_CODE,
                                                   v1::COMPONENT_KIND_EVALUATION_DATA};
constexpr std::array<ComponentKind, 4> kClassI = {
    v1::COMPONENT_KIND_DATASETS, v1::COMPONENT_KIND_DATA_PREPROCESSING_CODE,
    v1::COMPONENT_KIND_MODEL_PARAMETERS_INTERMEDIATE, v1::COMPONENT_KIND_RESEARCH_PAPER};

// The MOF classification, as the Model Openness Tool computes it.
void ClassifyMof(const Model& model, const LicenseMap& licenses, Openness* out) {
  std::map<ComponentKind, bool> met;
  auto is_met = [&](ComponentKind kind) {
    auto it = met.find(kind);
    if (it != met.end()) return it->second;
    const bool value = ReleasedUnder(ReadComponent(model, kind, licenses), /*osi_only=*/false) == Tri::kYes;
    met.emplace(kind, value);
    return value;
  };
  // The technical report may be omitted when the research paper is provided: the paper then fills the report's
  // place in Classes III and II, and Class I requires one component fewer.
  const bool report_met = is_met(v1::COMPONENT_KIND_TECHNICAL_REPORT);
  const bool paper_met = is_met(v1::COMPONENT_KIND_RESEARCH_PAPER);
  const bool report_skipped = !report_met && paper_met;

  std::vector<ComponentKind> required;
  MofClass reached = v1::MOF_CLASS_UNCLASSIFIED;
  bool lower_met = true;
  const std::array<std::pair<MofClass, std::vector<ComponentKind>>, 3> classes = {{
      {v1::MOF_CLASS_III, {kClassIII.begin(), kClassIII.end()}},
      {v1::MOF_CLASS_II, {kClassII.begin(), kClassII.end()}},
      {v1::MOF_CLASS_I, {kClassI.begin(), kClassI.end()}},
  }};
  for (const auto& [mof_class, own] : classes) {
    required.insert(required.end(), own.begin(), own.end());
    MofClassProgress* progress = out->add_mof_progress();
    progress->set_mof_class(mof_class);
    int met_count = 0;
    int required_count = 0;
    for (ComponentKind kind : required) {
      if (kind == v1::COMPONENT_KIND_TECHNICAL_REPORT) {
        if (report_skipped && mof_class == v1::MOF_CLASS_I) continue;
        ++required_count;
        if (report_met || paper_met) {
          ++met_count;
        } else {
          progress->add_missing(kind);
        }
        continue;
      }
      ++required_count;
      if (is_met(kind)) {
        ++met_count;
      } else {
        progress->add_missing(kind);
      }
    }
    progress->set_met(met_count);
    progress->set_required(required_count);
    // `missing` is in framework order because `required` is and ComponentKind follows the framework's order.
    if (lower_met && progress->missing().empty()) {
      reached = mof_class;
    } else {
      lower_met = false;
    }
  }
  out->set_mof_class(reached);
}

}  // namespace

bool HasUsageThreshold(const License& license) { return license.usage_thresholds_size() > 0; }

bool HasUseRestrictions(const License& license) {
  return !license.use_restrictions().acceptable_use_policy_uri().empty() ||
         license.use_restrictions().restricted_uses_size() > 0 || license.derivative_terms().restrictions_propagate();
}

bool HasAttributionRequirement(const License& license) {
  if (!license.derivative_terms().attribution_text().empty()) return true;
  for (const License::UsageThreshold& threshold : license.usage_thresholds()) {
    if (threshold.consequence() == License::UsageThreshold::CONSEQUENCE_ATTRIBUTION_REQUIRED) return true;
  }
  return false;
}

std::vector<std::string> WithheldTerritories(const License& license) {
  std::set<std::string> territories;
  for (const License::TerritorialRestriction& r : license.territorial_restrictions()) territories.insert(r.territory());
  return {territories.begin(), territories.end()};
}

bool IsNonCommercial(const License& license) {
  return license.category() == License::CATEGORY_NON_COMMERCIAL ||
         license.category() == License::CATEGORY_RESEARCH_ONLY ||
         license.commercial_use() == License::COMMERCIAL_USE_PROHIBITED;
}

bool HasUnknownTerms(const License& license) {
  return license.category() == License::CATEGORY_UNSPECIFIED &&
         license.commercial_use() == License::COMMERCIAL_USE_UNSPECIFIED && !license.osi_approved() &&
         !license.fsf_libre() && !license.open_data() && !IsOpenMdw(license) && !HasUsageThreshold(license) &&
         !HasUseRestrictions(license);
}

bool IsOpenLicense(const License& license) {
  if (HasUsageThreshold(license) || HasUseRestrictions(license) || IsNonCommercial(license) ||
      license.territorial_restrictions_size() > 0 || license.category() == License::CATEGORY_PROPRIETARY) {
    return false;
  }
  return license.osi_approved() || license.fsf_libre() || license.open_data() || IsOpenMdw(license);
}

Openness AssessOpenness(const Model& model, const LicenseMap& licenses) {
  Openness out;
  out.set_rules_version(kRulesVersion);

  const ComponentFacts final_params = ReadComponent(model, v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL, licenses);
  const ComponentFacts datasets = ReadComponent(model, v1::COMPONENT_KIND_DATASETS, licenses);

  // Conditions per level; a level is reached when its conditions and all lower levels' hold.
  std::array<std::vector<Condition>, 6> conditions;
  conditions[2].push_back(WeightsDownloadableCondition(model));
  conditions[3].push_back(WeightsLicenseCondition(final_params));
  for (ComponentKind kind :
       {v1::COMPONENT_KIND_TRAINING_CODE, v1::COMPONENT_KIND_INFERENCE_CODE, v1::COMPONENT_KIND_MODEL_ARCHITECTURE}) {
    conditions[4].push_back(OsiComponentCondition(4, ReadComponent(model, kind, licenses)));
  }
  conditions[5].push_back(
      OsiComponentCondition(5, ReadComponent(model, v1::COMPONENT_KIND_DATA_PREPROCESSING_CODE, licenses)));
  conditions[5].push_back(TrainingDataCondition(model, datasets));

  int level = 1;
  bool unknown_facts = false;
  for (int next = 2; next <= 5; ++next) {
    const Tri holds = AllOf(conditions[static_cast<size_t>(next)]);
    if (holds == Tri::kYes) {
      level = next;
      continue;
    }
    unknown_facts = holds == Tri::kUnknown;
    break;
  }
  out.set_level(level);
  out.set_level_name(unknown_facts ? LevelNameAtUnknown(level, conditions[static_cast<size_t>(level) + 1])
                                   : LevelName(level));

  // Reasons: the conditions of the level reached, then those of the next level up.
  if (level >= 2) {
    for (const Condition& condition : conditions[static_cast<size_t>(level)]) AddReason(condition, &out);
  }
  if (level < 5) {
    for (const Condition& condition : conditions[static_cast<size_t>(level) + 1]) AddReason(condition, &out);
  }

  std::set<int> flags;
  if (unknown_facts) flags.insert(v1::OPENNESS_FLAG_UNKNOWN_FACTS);

  // LICENSE_BLOCKED: stopped at level 2 by a known, non-open weights license while the code would reach level 4.
  if (level == 2 && conditions[3].front().value == Tri::kNo && AllOf(conditions[4]) == Tri::kYes) {
    flags.insert(v1::OPENNESS_FLAG_LICENSE_BLOCKED);
    Condition blocked;
    blocked.level = 4;
    blocked.value = Tri::kNo;
    blocked.code = "LICENSE_BLOCKED";
    blocked.message = absl::StrCat(
        "Training code, inference code and model architecture are released under OSI-approved licenses; only the "
        "weights license ",
        LicenseLabel(final_params.license), " keeps the model below level ", AllOf(conditions[5]) == Tri::kYes ? 5 : 4,
        ".");
    AddReason(blocked, &out);
  }
  if (model.weights().access() == Weights::ACCESS_GATED_MANUAL_APPROVAL) {
    flags.insert(v1::OPENNESS_FLAG_MANUAL_APPROVAL_GATE);
  }

  // The licenses involved: the weights license, every component's resolved license and every dataset's license.
  std::set<std::string> involved;
  if (!final_params.license.name.empty()) involved.insert(final_params.license.name);
  for (const Component& component : model.components()) {
    if (!component.license().empty()) involved.insert(component.license());
  }
  for (const v1::Dataset& dataset : model.data_disclosure().datasets()) {
    if (!dataset.license().empty()) involved.insert(dataset.license());
  }
  std::vector<std::string> osaid_blockers;
  for (const std::string& name : involved) {
    auto it = licenses.find(name);
    if (it == licenses.end()) continue;
    const License& license = it->second;
    if (HasUsageThreshold(license)) {
      flags.insert(v1::OPENNESS_FLAG_USAGE_THRESHOLD);
      osaid_blockers.push_back(absl::StrCat(name, " has usage thresholds"));
    }
    if (IsNonCommercial(license)) {
      flags.insert(v1::OPENNESS_FLAG_NON_COMMERCIAL);
      osaid_blockers.push_back(absl::StrCat(name, " forbids commercial use"));
    }
    if (HasUseRestrictions(license)) {
      flags.insert(v1::OPENNESS_FLAG_USE_RESTRICTIONS);
      osaid_blockers.push_back(absl::StrCat(name, " restricts uses"));
    }
  }
  for (int flag : flags) out.add_flags(static_cast<OpennessFlag>(flag));

  // OSAID candidacy.
  const Condition libraries =
      OsiComponentCondition(5, ReadComponent(model, v1::COMPONENT_KIND_SUPPORTING_LIBRARIES, licenses));
  std::vector<std::string> missing;
  if (level < 5) missing.push_back(absl::StrCat("it reaches level ", level, ", not 5"));
  if (libraries.value != Tri::kYes) {
    missing.push_back("its supporting libraries are not shown to be released under an OSI-approved license");
  }
  missing.insert(missing.end(), osaid_blockers.begin(), osaid_blockers.end());
  out.set_osaid_candidate(missing.empty());
  if (missing.empty()) {
    out.set_osaid_note(
        "Candidate for the Open Source AI Definition 1.0: level 5, supporting libraries under an OSI-approved license, "
        "and no usage thresholds, use restrictions or non-commercial terms in the licenses involved. This is not an "
        "OSI certification.");
  } else {
    out.set_osaid_note(absl::StrCat("Not an Open Source AI Definition 1.0 candidate: ", absl::StrJoin(missing, "; "),
                                    ". This is not an OSI assessment."));
  }

  ClassifyMof(model, licenses, &out);
  return out;
}

}  // namespace modelreg

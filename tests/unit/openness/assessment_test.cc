// Every rule branch of server/domain/openness/RULES.md, on small synthetic models.
#include "server/domain/openness/assessment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modelreg {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using v1::Component;
using v1::ComponentKind;
using v1::DataDisclosure;
using v1::License;
using v1::Model;
using v1::Openness;
using v1::OpennessFlag;
using v1::Weights;

License MakeLicense(const std::string& id, const std::string& display_name, License::Category category) {
  License license;
  license.set_name("licenses/" + id);
  license.set_display_name(display_name);
  license.set_category(category);
  return license;
}

LicenseMap TestLicenses() {
  LicenseMap map;
  auto add = [&map](const License& license) { map[license.name()] = license; };
  License apache = MakeLicense("apache-2.0", "Apache License 2.0", License::CATEGORY_PERMISSIVE);
  apache.set_osi_approved(true);
  apache.set_fsf_libre(true);
  add(apache);
  License mit = MakeLicense("mit", "MIT License", License::CATEGORY_PERMISSIVE);
  mit.set_osi_approved(true);
  add(mit);
  License cc_by = MakeLicense("cc-by-4.0", "CC BY 4.0", License::CATEGORY_OPEN_DATA);
  cc_by.set_open_data(true);
  cc_by.set_fsf_libre(true);
  add(cc_by);
  add(MakeLicense("openmdw-1.0", "OpenMDW 1.0", License::CATEGORY_OPEN_DATA));
  License llama = MakeLicense("llama3.1", "Llama 3.1 Community License Agreement", License::CATEGORY_COMMUNITY);
  License::UsageThreshold* threshold = llama.add_usage_thresholds();
  threshold->set_metric(License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  threshold->set_limit(700000000);
  threshold->set_consequence(License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
  llama.mutable_use_restrictions()->set_acceptable_use_policy_uri("https://example.com/aup");
  add(llama);
  License rail =
      MakeLicense("bigscience-bloom-rail-1.0", "BigScience BLOOM RAIL 1.0", License::CATEGORY_RESPONSIBLE_AI);
  rail.mutable_derivative_terms()->set_restrictions_propagate(true);
  add(rail);
  License nc = MakeLicense("cc-by-nc-4.0", "CC BY-NC 4.0", License::CATEGORY_NON_COMMERCIAL);
  nc.set_commercial_use(License::COMMERCIAL_USE_PROHIBITED);
  add(nc);
  add(MakeLicense("mrl", "Mistral AI Research License", License::CATEGORY_RESEARCH_ONLY));
  add(MakeLicense("proprietary", "Proprietary terms of service", License::CATEGORY_PROPRIETARY));
  add(MakeLicense("gemma", "Gemma Terms of Use", License::CATEGORY_COMMUNITY));
  return map;
}

Model MakeModel(Weights::Access access, const std::string& weights_license) {
  Model model;
  model.set_name("publishers/test/models/m");
  model.mutable_weights()->set_access(access);
  model.mutable_weights()->set_license(weights_license);
  return model;
}

void AddComponent(Model* model, ComponentKind kind, Component::Status status, const std::string& license = "") {
  Component* component = model->add_components();
  component->set_kind(kind);
  component->set_status(status);
  component->set_license(license);
}

constexpr Component::Status kReleased = Component::STATUS_RELEASED;

// Level 4: open weights, OSI training code, inference code and architecture.
Model Level4Model() {
  Model model = MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/apache-2.0");
  AddComponent(&model, v1::COMPONENT_KIND_TRAINING_CODE, kReleased, "licenses/mit");
  AddComponent(&model, v1::COMPONENT_KIND_INFERENCE_CODE, kReleased, "licenses/apache-2.0");
  AddComponent(&model, v1::COMPONENT_KIND_MODEL_ARCHITECTURE, kReleased, "licenses/apache-2.0");
  return model;
}

// Level 5 through the datasets component.
Model Level5Model() {
  Model model = Level4Model();
  AddComponent(&model, v1::COMPONENT_KIND_DATA_PREPROCESSING_CODE, kReleased, "licenses/mit");
  AddComponent(&model, v1::COMPONENT_KIND_DATASETS, kReleased, "licenses/cc-by-4.0");
  return model;
}

// Every MOF component released under an open license (the research paper under CC BY).
Model FullMofModel() {
  Model model = MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/apache-2.0");
  for (int kind = v1::COMPONENT_KIND_MODEL_ARCHITECTURE; kind <= v1::COMPONENT_KIND_MODEL_METADATA; ++kind) {
    const auto component_kind = static_cast<ComponentKind>(kind);
    AddComponent(&model, component_kind, kReleased,
                 component_kind == v1::COMPONENT_KIND_RESEARCH_PAPER ? "licenses/cc-by-4.0" : "licenses/apache-2.0");
  }
  return model;
}

Component* Find(Model* model, ComponentKind kind) {
  for (Component& component : *model->mutable_components()) {
    if (component.kind() == kind) return &component;
  }
  return nullptr;
}

void RemoveComponent(Model* model, ComponentKind kind) {
  auto* components = model->mutable_components();
  for (int i = 0; i < components->size(); ++i) {
    if (components->Get(i).kind() == kind) {
      components->DeleteSubrange(i, 1);
      return;
    }
  }
}

std::vector<OpennessFlag> Flags(const Openness& openness) {
  std::vector<OpennessFlag> flags;
  for (int flag : openness.flags()) flags.push_back(static_cast<OpennessFlag>(flag));
  return flags;
}

std::vector<std::string> Codes(const Openness& openness) {
  std::vector<std::string> codes;
  for (const auto& reason : openness.reasons()) codes.push_back(reason.code());
  return codes;
}

const v1::OpennessReason* FindReason(const Openness& openness, const std::string& code) {
  for (const auto& reason : openness.reasons()) {
    if (reason.code() == code) return &reason;
  }
  return nullptr;
}

Openness Assess(const Model& model) { return AssessOpenness(model, TestLicenses()); }

// ---- IsOpenLicense ----

TEST(IsOpenLicenseTest, OsiFsfOpenDataAndOpenMdwAreOpen) {
  const LicenseMap licenses = TestLicenses();
  EXPECT_TRUE(IsOpenLicense(licenses.at("licenses/apache-2.0")));
  EXPECT_TRUE(IsOpenLicense(licenses.at("licenses/mit")));
  EXPECT_TRUE(IsOpenLicense(licenses.at("licenses/cc-by-4.0")));
  EXPECT_TRUE(IsOpenLicense(licenses.at("licenses/openmdw-1.0")));
  License fsf_only = MakeLicense("x", "X", License::CATEGORY_COPYLEFT);
  fsf_only.set_fsf_libre(true);
  EXPECT_TRUE(IsOpenLicense(fsf_only));
  License mdw_by_spdx = MakeLicense("other-name", "OpenMDW", License::CATEGORY_OPEN_DATA);
  mdw_by_spdx.set_spdx_id("OpenMDW-1.0");
  EXPECT_TRUE(IsOpenLicense(mdw_by_spdx));
}

TEST(IsOpenLicenseTest, CommunityRailNonCommercialAndProprietaryAreNotOpen) {
  const LicenseMap licenses = TestLicenses();
  for (const char* name : {"licenses/llama3.1", "licenses/bigscience-bloom-rail-1.0", "licenses/cc-by-nc-4.0",
                           "licenses/mrl", "licenses/proprietary", "licenses/gemma"}) {
    EXPECT_FALSE(IsOpenLicense(licenses.at(name))) << name;
  }
}

TEST(IsOpenLicenseTest, LicenseWithUsageThresholdIsNeverOpen) {
  License license = TestLicenses().at("licenses/apache-2.0");
  license.add_usage_thresholds()->set_limit(1000000);
  EXPECT_TRUE(HasUsageThreshold(license));
  EXPECT_FALSE(IsOpenLicense(license));
}

TEST(IsOpenLicenseTest, LicenseWithUseRestrictionsIsNeverOpen) {
  License with_aup = TestLicenses().at("licenses/cc-by-4.0");
  with_aup.mutable_use_restrictions()->set_acceptable_use_policy_uri("https://example.com/aup");
  EXPECT_FALSE(IsOpenLicense(with_aup));
  License with_uses = TestLicenses().at("licenses/mit");
  with_uses.mutable_use_restrictions()->add_restricted_uses("military");
  EXPECT_FALSE(IsOpenLicense(with_uses));
  License propagating = TestLicenses().at("licenses/apache-2.0");
  propagating.mutable_derivative_terms()->set_restrictions_propagate(true);
  EXPECT_TRUE(HasUseRestrictions(propagating));
  EXPECT_FALSE(IsOpenLicense(propagating));
}

TEST(LicenseTraitsTest, AttributionRequirement) {
  License license = TestLicenses().at("licenses/mit");
  EXPECT_FALSE(HasAttributionRequirement(license));
  license.mutable_derivative_terms()->set_attribution_text("Built with Llama");
  EXPECT_TRUE(HasAttributionRequirement(license));
  License threshold = TestLicenses().at("licenses/apache-2.0");
  auto* t = threshold.add_usage_thresholds();
  t->set_metric(License::UsageThreshold::METRIC_ANNUAL_REVENUE_USD);
  t->set_limit(1000000);
  t->set_consequence(License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
  EXPECT_FALSE(HasAttributionRequirement(threshold));
  t->set_consequence(License::UsageThreshold::CONSEQUENCE_ATTRIBUTION_REQUIRED);
  EXPECT_TRUE(HasAttributionRequirement(threshold));
}

TEST(IsOpenLicenseTest, LicenseWithholdingRightsInATerritoryIsNeverOpen) {
  License license = TestLicenses().at("licenses/apache-2.0");
  EXPECT_TRUE(WithheldTerritories(license).empty());
  auto* r = license.add_territorial_restrictions();
  r->set_territory("EU");
  r->set_applies_to(License::TerritorialRestriction::SCOPE_MULTIMODAL_MODELS);
  EXPECT_FALSE(IsOpenLicense(license));
  license.add_territorial_restrictions()->set_territory("CN");
  license.add_territorial_restrictions()->set_territory("EU");
  EXPECT_EQ(WithheldTerritories(license), (std::vector<std::string>{"CN", "EU"}));  // sorted, each once
}

TEST(IsOpenLicenseTest, CommercialUseProhibitedIsNeverOpen) {
  License license = TestLicenses().at("licenses/cc-by-4.0");
  license.set_commercial_use(License::COMMERCIAL_USE_PROHIBITED);
  EXPECT_TRUE(IsNonCommercial(license));
  EXPECT_FALSE(IsOpenLicense(license));
}

// ---- Levels ----

TEST(LevelTest, ApiOnlyIsLevel1) {
  const Openness openness = Assess(MakeModel(Weights::ACCESS_API_ONLY, "licenses/proprietary"));
  EXPECT_EQ(openness.level(), 1);
  EXPECT_EQ(openness.level_name(), "closed");
  EXPECT_THAT(Codes(openness), ElementsAre("WEIGHTS_NOT_DOWNLOADABLE"));
  EXPECT_EQ(openness.reasons(0).level(), 2);
  EXPECT_FALSE(openness.reasons(0).satisfied());
  EXPECT_THAT(Flags(openness), IsEmpty());
  EXPECT_EQ(openness.rules_version(), kRulesVersion);
}

TEST(LevelTest, ClosedIsLevel1) {
  const Openness openness = Assess(MakeModel(Weights::ACCESS_CLOSED, ""));
  EXPECT_EQ(openness.level(), 1);
  EXPECT_THAT(Codes(openness), ElementsAre("WEIGHTS_NOT_DOWNLOADABLE"));
  EXPECT_THAT(Flags(openness), IsEmpty());
}

TEST(LevelTest, UnknownAccessIsLevel1WithUnknownFacts) {
  const Openness openness = Assess(MakeModel(Weights::ACCESS_UNSPECIFIED, "licenses/apache-2.0"));
  EXPECT_EQ(openness.level(), 1);
  EXPECT_THAT(Codes(openness), ElementsAre("WEIGHTS_ACCESS_UNKNOWN"));
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_UNKNOWN_FACTS));
}

TEST(LevelTest, UnknownAccessButReleasedFinalParametersComponentIsDownloadable) {
  Model model = MakeModel(Weights::ACCESS_UNSPECIFIED, "licenses/apache-2.0");
  AddComponent(&model, v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL, kReleased);
  EXPECT_EQ(Assess(model).level(), 3);
  Find(&model, v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL)->set_status(Component::STATUS_NOT_RELEASED);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 1);
  EXPECT_THAT(Flags(openness), IsEmpty());
}

TEST(LevelTest, DownloadableUnderRestrictiveLicenseIsLevel2) {
  for (Weights::Access access :
       {Weights::ACCESS_GATED_CLICK_THROUGH, Weights::ACCESS_GATED_MANUAL_APPROVAL, Weights::ACCESS_OPEN_DOWNLOAD}) {
    const Openness openness = Assess(MakeModel(access, "licenses/llama3.1"));
    EXPECT_EQ(openness.level(), 2) << access;
    EXPECT_EQ(openness.level_name(), "open weights, restrictive license");
    EXPECT_THAT(Codes(openness), ElementsAre("WEIGHTS_DOWNLOADABLE", "WEIGHTS_LICENSE_NOT_OPEN"));
    const v1::OpennessReason* reason = FindReason(openness, "WEIGHTS_LICENSE_NOT_OPEN");
    ASSERT_NE(reason, nullptr);
    EXPECT_EQ(reason->level(), 3);
    EXPECT_FALSE(reason->satisfied());
    EXPECT_THAT(reason->message(), AllOf(HasSubstr("Llama 3.1 Community License Agreement"),
                                         HasSubstr("usage thresholds"), HasSubstr("restricts uses")));
  }
}

TEST(LevelTest, EmptyWeightsLicenseIsLevel2WithUnknownFacts) {
  const Openness openness = Assess(MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, ""));
  EXPECT_EQ(openness.level(), 2);
  EXPECT_THAT(Codes(openness), Contains("WEIGHTS_LICENSE_UNKNOWN"));
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_UNKNOWN_FACTS));
}

TEST(LevelTest, WeightsLicenseNotInMapIsUnknown) {
  const Openness openness = Assess(MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/not-in-catalog"));
  EXPECT_EQ(openness.level(), 2);
  const v1::OpennessReason* reason = FindReason(openness, "WEIGHTS_LICENSE_UNKNOWN");
  ASSERT_NE(reason, nullptr);
  EXPECT_THAT(reason->message(), HasSubstr("licenses/not-in-catalog"));
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_UNKNOWN_FACTS));
}

TEST(LevelTest, OpenWeightsLicenseWithoutTrainingCodeIsLevel3) {
  Model model = MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/apache-2.0");
  AddComponent(&model, v1::COMPONENT_KIND_TRAINING_CODE, Component::STATUS_NOT_RELEASED);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 3);
  EXPECT_EQ(openness.level_name(), "open weights, permissive license");
  EXPECT_THAT(Codes(openness), ElementsAre("WEIGHTS_LICENSE_OPEN", "TRAINING_CODE_NOT_RELEASED",
                                           "INFERENCE_CODE_UNKNOWN", "MODEL_ARCHITECTURE_UNKNOWN"));
  // A decisive "no" needs no further facts.
  EXPECT_THAT(Flags(openness), IsEmpty());
}

TEST(LevelTest, OpenDataLicenseOnWeightsCountsAsOpen) {
  EXPECT_EQ(Assess(MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/cc-by-4.0")).level(), 3);
  EXPECT_EQ(Assess(MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/openmdw-1.0")).level(), 3);
}

TEST(LevelTest, AbsentTrainingCodeIsUnknown) {
  const Openness openness = Assess(MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/apache-2.0"));
  EXPECT_EQ(openness.level(), 3);
  EXPECT_THAT(Codes(openness), Contains("TRAINING_CODE_UNKNOWN"));
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_UNKNOWN_FACTS));
}

TEST(LevelTest, UnknownStatusIsUnknown) {
  Model model = Level4Model();
  Find(&model, v1::COMPONENT_KIND_INFERENCE_CODE)->set_status(Component::STATUS_UNKNOWN);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 3);
  EXPECT_THAT(Codes(openness), Contains("INFERENCE_CODE_UNKNOWN"));
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_UNKNOWN_FACTS));
}

TEST(LevelTest, ReleasedTrainingCodeWithoutLicenseIsUnknownAndDoesNotFallBackToWeightsLicense) {
  Model model = Level4Model();
  Find(&model, v1::COMPONENT_KIND_TRAINING_CODE)->clear_license();
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 3);
  EXPECT_THAT(Codes(openness), Contains("TRAINING_CODE_LICENSE_UNKNOWN"));
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_UNKNOWN_FACTS));
}

TEST(LevelTest, ComponentLicenseNotInMapIsUnknown) {
  Model model = Level4Model();
  Find(&model, v1::COMPONENT_KIND_MODEL_ARCHITECTURE)->set_license("licenses/unheard-of");
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 3);
  const v1::OpennessReason* reason = FindReason(openness, "MODEL_ARCHITECTURE_LICENSE_UNKNOWN");
  ASSERT_NE(reason, nullptr);
  EXPECT_THAT(reason->message(), HasSubstr("licenses/unheard-of"));
}

TEST(LevelTest, DecisiveNoWinsOverUnknown) {
  Model model = Level4Model();
  Find(&model, v1::COMPONENT_KIND_TRAINING_CODE)->clear_license();
  Find(&model, v1::COMPONENT_KIND_INFERENCE_CODE)->set_status(Component::STATUS_NOT_RELEASED);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 3);
  EXPECT_THAT(Flags(openness), IsEmpty());
}

TEST(LevelTest, TrainingCodeUnderNonOsiLicenseIsNotOsi) {
  Model model = Level4Model();
  Find(&model, v1::COMPONENT_KIND_TRAINING_CODE)->set_license("licenses/cc-by-4.0");
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 3);
  const v1::OpennessReason* reason = FindReason(openness, "TRAINING_CODE_NOT_OSI");
  ASSERT_NE(reason, nullptr);
  EXPECT_THAT(reason->message(), HasSubstr("CC BY 4.0"));
  EXPECT_THAT(Flags(openness), IsEmpty());
}

TEST(LevelTest, PartialTrainingCodeDoesNotCount) {
  Model model = Level4Model();
  Find(&model, v1::COMPONENT_KIND_TRAINING_CODE)->set_status(Component::STATUS_PARTIAL);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 3);
  EXPECT_THAT(Codes(openness), Contains("TRAINING_CODE_PARTIAL"));
  EXPECT_THAT(Flags(openness), IsEmpty());
}

TEST(LevelTest, OsiCodeIsLevel4) {
  Model model = Level4Model();
  AddComponent(&model, v1::COMPONENT_KIND_DATA_PREPROCESSING_CODE, Component::STATUS_NOT_RELEASED);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 4);
  EXPECT_EQ(openness.level_name(), "open weights and training code");
  EXPECT_THAT(Codes(openness), ElementsAre("TRAINING_CODE_OSI", "INFERENCE_CODE_OSI", "MODEL_ARCHITECTURE_OSI",
                                           "DATA_PREPROCESSING_CODE_NOT_RELEASED", "TRAINING_DATA_UNKNOWN"));
  EXPECT_EQ(openness.reasons(0).level(), 4);
  EXPECT_TRUE(openness.reasons(0).satisfied());
  EXPECT_EQ(openness.reasons(3).level(), 5);
  EXPECT_THAT(Flags(openness), IsEmpty());
}

TEST(LevelTest, Level4WithUnknownDataIsUnknownFacts) {
  Model model = Level4Model();
  AddComponent(&model, v1::COMPONENT_KIND_DATA_PREPROCESSING_CODE, kReleased, "licenses/mit");
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 4);
  EXPECT_THAT(Codes(openness), Contains("TRAINING_DATA_UNKNOWN"));
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_UNKNOWN_FACTS));
}

TEST(LevelTest, OpenDatasetsComponentIsLevel5) {
  const Openness openness = Assess(Level5Model());
  EXPECT_EQ(openness.level(), 5);
  EXPECT_EQ(openness.level_name(), "open source");
  EXPECT_THAT(Codes(openness), ElementsAre("DATA_PREPROCESSING_CODE_OSI", "TRAINING_DATA_OPEN"));
  EXPECT_THAT(Flags(openness), IsEmpty());
}

TEST(LevelTest, ListedDataWithAllOsaidItemsIsLevel5) {
  for (DataDisclosure::Level level : {DataDisclosure::LEVEL_LISTED, DataDisclosure::LEVEL_OPEN}) {
    Model model = Level5Model();
    RemoveComponent(&model, v1::COMPONENT_KIND_DATASETS);
    DataDisclosure* disclosure = model.mutable_data_disclosure();
    disclosure->set_level(level);
    disclosure->set_complete_description(true);
    disclosure->set_public_sources_listed(true);
    disclosure->set_third_party_sources_listed(true);
    const Openness openness = Assess(model);
    EXPECT_EQ(openness.level(), 5);
    EXPECT_THAT(Codes(openness), Contains("TRAINING_DATA_LISTED"));
  }
}

TEST(LevelTest, ListedDataWithAnOsaidItemUnsetIsUnknown) {
  Model model = Level5Model();
  RemoveComponent(&model, v1::COMPONENT_KIND_DATASETS);
  DataDisclosure* disclosure = model.mutable_data_disclosure();
  disclosure->set_level(DataDisclosure::LEVEL_LISTED);
  disclosure->set_complete_description(true);
  disclosure->set_public_sources_listed(true);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 4);
  EXPECT_THAT(Codes(openness), Contains("TRAINING_DATA_UNKNOWN"));
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_UNKNOWN_FACTS));
}

TEST(LevelTest, DataNeitherOpenNorListedIsNotOpen) {
  Model model = Level5Model();
  Find(&model, v1::COMPONENT_KIND_DATASETS)->set_status(Component::STATUS_PARTIAL);
  model.mutable_data_disclosure()->set_level(DataDisclosure::LEVEL_DESCRIBED);
  Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 4);
  EXPECT_THAT(Codes(openness), Contains("TRAINING_DATA_NOT_OPEN"));
  EXPECT_THAT(Flags(openness), IsEmpty());

  // Listed, but an OSAID item is explicitly false; datasets under a non-commercial license.
  Find(&model, v1::COMPONENT_KIND_DATASETS)->set_status(kReleased);
  Find(&model, v1::COMPONENT_KIND_DATASETS)->set_license("licenses/cc-by-nc-4.0");
  model.mutable_data_disclosure()->set_level(DataDisclosure::LEVEL_LISTED);
  model.mutable_data_disclosure()->set_third_party_sources_listed(false);
  openness = Assess(model);
  EXPECT_EQ(openness.level(), 4);
  EXPECT_THAT(Codes(openness), Contains("TRAINING_DATA_NOT_OPEN"));
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_NON_COMMERCIAL));
}

TEST(LevelTest, FinalParametersComponentLicenseComesBeforeWeightsLicense) {
  Model model = MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/llama3.1");
  AddComponent(&model, v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL, kReleased, "licenses/apache-2.0");
  EXPECT_EQ(Assess(model).level(), 3);
  // Without its own license, the final parameters fall back to weights.license.
  Model fallback = MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/apache-2.0");
  AddComponent(&fallback, v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL, kReleased);
  EXPECT_EQ(Assess(fallback).level(), 3);
}

TEST(LevelTest, FirstEntryOfAKindCounts) {
  Model model = Level4Model();
  AddComponent(&model, v1::COMPONENT_KIND_TRAINING_CODE, Component::STATUS_NOT_RELEASED);
  EXPECT_EQ(Assess(model).level(), 4);
}

// ---- Flags ----

TEST(FlagTest, LicenseBlockedWhenCodeWouldReachLevel4) {
  Model model = Level5Model();
  model.mutable_weights()->set_license("licenses/bigscience-bloom-rail-1.0");
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 2);
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_LICENSE_BLOCKED, v1::OPENNESS_FLAG_USE_RESTRICTIONS));
  const v1::OpennessReason* reason = FindReason(openness, "LICENSE_BLOCKED");
  ASSERT_NE(reason, nullptr);
  EXPECT_EQ(reason->level(), 4);
  EXPECT_THAT(reason->message(), AllOf(HasSubstr("BigScience BLOOM RAIL 1.0"), HasSubstr("below level 5")));
}

TEST(FlagTest, NotLicenseBlockedWithoutOsiCodeOrWithUnknownWeightsLicense) {
  Model no_code = MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/bigscience-bloom-rail-1.0");
  AddComponent(&no_code, v1::COMPONENT_KIND_TRAINING_CODE, kReleased);  // license unknown
  EXPECT_THAT(Flags(Assess(no_code)), Not(Contains(v1::OPENNESS_FLAG_LICENSE_BLOCKED)));
  Model unknown_license = Level4Model();
  unknown_license.mutable_weights()->clear_license();
  EXPECT_THAT(Flags(Assess(unknown_license)), Not(Contains(v1::OPENNESS_FLAG_LICENSE_BLOCKED)));
  Model closed = Level4Model();
  closed.mutable_weights()->set_access(Weights::ACCESS_API_ONLY);
  closed.mutable_weights()->set_license("licenses/proprietary");
  EXPECT_THAT(Flags(Assess(closed)), IsEmpty());
}

TEST(FlagTest, ManualApprovalGate) {
  const Openness openness = Assess(MakeModel(Weights::ACCESS_GATED_MANUAL_APPROVAL, "licenses/apache-2.0"));
  EXPECT_THAT(Flags(openness), Contains(v1::OPENNESS_FLAG_MANUAL_APPROVAL_GATE));
  EXPECT_THAT(Flags(Assess(MakeModel(Weights::ACCESS_GATED_CLICK_THROUGH, "licenses/apache-2.0"))),
              Not(Contains(v1::OPENNESS_FLAG_MANUAL_APPROVAL_GATE)));
}

TEST(FlagTest, UsageThresholdAndUseRestrictionsFromWeightsLicense) {
  Model model = MakeModel(Weights::ACCESS_GATED_CLICK_THROUGH, "licenses/llama3.1");
  AddComponent(&model, v1::COMPONENT_KIND_TRAINING_CODE, Component::STATUS_NOT_RELEASED);
  EXPECT_THAT(Flags(Assess(model)), ElementsAre(v1::OPENNESS_FLAG_USAGE_THRESHOLD, v1::OPENNESS_FLAG_USE_RESTRICTIONS));
}

TEST(FlagTest, FlagsComeFromEveryLicenseInvolved) {
  Model model = Level4Model();
  Find(&model, v1::COMPONENT_KIND_INFERENCE_CODE)->set_license("licenses/llama3.1");
  v1::Dataset* dataset = model.mutable_data_disclosure()->add_datasets();
  dataset->set_display_name("d");
  dataset->set_license("licenses/cc-by-nc-4.0");
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 3);
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_USAGE_THRESHOLD, v1::OPENNESS_FLAG_NON_COMMERCIAL,
                                           v1::OPENNESS_FLAG_USE_RESTRICTIONS));
}

TEST(FlagTest, NonCommercialFromCategoryOrCommercialUse) {
  EXPECT_THAT(Flags(Assess(MakeModel(Weights::ACCESS_GATED_CLICK_THROUGH, "licenses/cc-by-nc-4.0"))),
              ElementsAre(v1::OPENNESS_FLAG_NON_COMMERCIAL));
  EXPECT_THAT(Flags(Assess(MakeModel(Weights::ACCESS_GATED_CLICK_THROUGH, "licenses/mrl"))),
              ElementsAre(v1::OPENNESS_FLAG_NON_COMMERCIAL));
  LicenseMap licenses = TestLicenses();
  License prohibited = MakeLicense("custom", "Custom", License::CATEGORY_COMMUNITY);
  prohibited.set_commercial_use(License::COMMERCIAL_USE_PROHIBITED);
  licenses[prohibited.name()] = prohibited;
  const Openness openness = AssessOpenness(MakeModel(Weights::ACCESS_OPEN_DOWNLOAD, "licenses/custom"), licenses);
  EXPECT_EQ(openness.level(), 2);
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_NON_COMMERCIAL));
}

TEST(FlagTest, FlagsAreSortedAndUnique) {
  Model model = MakeModel(Weights::ACCESS_GATED_MANUAL_APPROVAL, "licenses/llama3.1");
  AddComponent(&model, v1::COMPONENT_KIND_INFERENCE_CODE, kReleased, "licenses/llama3.1");
  AddComponent(&model, v1::COMPONENT_KIND_EVALUATION_CODE, kReleased, "licenses/mrl");
  const Openness openness = Assess(model);
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_MANUAL_APPROVAL_GATE, v1::OPENNESS_FLAG_USAGE_THRESHOLD,
                                           v1::OPENNESS_FLAG_NON_COMMERCIAL, v1::OPENNESS_FLAG_USE_RESTRICTIONS));
}

// ---- MOF ----

TEST(MofTest, EveryComponentOpenIsClassI) {
  const Openness openness = Assess(FullMofModel());
  EXPECT_EQ(openness.mof_class(), v1::MOF_CLASS_I);
  ASSERT_EQ(openness.mof_progress_size(), 3);
  EXPECT_EQ(openness.mof_progress(0).mof_class(), v1::MOF_CLASS_III);
  EXPECT_EQ(openness.mof_progress(0).required(), 6);
  EXPECT_EQ(openness.mof_progress(0).met(), 6);
  EXPECT_EQ(openness.mof_progress(1).mof_class(), v1::MOF_CLASS_II);
  EXPECT_EQ(openness.mof_progress(1).required(), 10);
  EXPECT_EQ(openness.mof_progress(2).mof_class(), v1::MOF_CLASS_I);
  EXPECT_EQ(openness.mof_progress(2).required(), 14);
  EXPECT_EQ(openness.mof_progress(2).met(), 14);
  EXPECT_THAT(openness.mof_progress(2).missing(), IsEmpty());
}

TEST(MofTest, MissingClassIComponentIsClassII) {
  Model model = FullMofModel();
  RemoveComponent(&model, v1::COMPONENT_KIND_MODEL_PARAMETERS_INTERMEDIATE);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.mof_class(), v1::MOF_CLASS_II);
  EXPECT_EQ(openness.mof_progress(2).met(), 13);
  EXPECT_THAT(openness.mof_progress(2).missing(), ElementsAre(v1::COMPONENT_KIND_MODEL_PARAMETERS_INTERMEDIATE));
}

TEST(MofTest, MissingClassIIComponentIsClassIII) {
  Model model = FullMofModel();
  Find(&model, v1::COMPONENT_KIND_EVALUATION_DATA)->set_status(Component::STATUS_NOT_RELEASED);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.mof_class(), v1::MOF_CLASS_III);
  EXPECT_THAT(openness.mof_progress(1).missing(), ElementsAre(v1::COMPONENT_KIND_EVALUATION_DATA));
  EXPECT_THAT(openness.mof_progress(2).missing(), ElementsAre(v1::COMPONENT_KIND_EVALUATION_DATA));
}

TEST(MofTest, MissingClassIIIComponentIsUnclassifiedEvenWithHigherClassesComplete) {
  Model model = FullMofModel();
  RemoveComponent(&model, v1::COMPONENT_KIND_DATA_CARD);
  RemoveComponent(&model, v1::COMPONENT_KIND_DATASETS);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.mof_class(), v1::MOF_CLASS_UNCLASSIFIED);
  EXPECT_EQ(openness.mof_progress(0).met(), 5);
  EXPECT_THAT(openness.mof_progress(2).missing(),
              ElementsAre(v1::COMPONENT_KIND_DATA_CARD, v1::COMPONENT_KIND_DATASETS));
}

TEST(MofTest, NonOpenLicenseDoesNotCount) {
  Model model = FullMofModel();
  Find(&model, v1::COMPONENT_KIND_MODEL_CARD)->set_license("licenses/cc-by-nc-4.0");
  EXPECT_EQ(Assess(model).mof_class(), v1::MOF_CLASS_UNCLASSIFIED);
  Find(&model, v1::COMPONENT_KIND_MODEL_CARD)->clear_license();  // unlicensed
  EXPECT_EQ(Assess(model).mof_class(), v1::MOF_CLASS_UNCLASSIFIED);
}

TEST(MofTest, PartialStatusDoesNotCount) {
  Model model = FullMofModel();
  Find(&model, v1::COMPONENT_KIND_DATASETS)->set_status(Component::STATUS_PARTIAL);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.mof_class(), v1::MOF_CLASS_II);
  EXPECT_THAT(openness.mof_progress(2).missing(), ElementsAre(v1::COMPONENT_KIND_DATASETS));
}

TEST(MofTest, OptionalComponentsAreNotRequired) {
  Model model = FullMofModel();
  RemoveComponent(&model, v1::COMPONENT_KIND_SAMPLE_MODEL_OUTPUTS);
  RemoveComponent(&model, v1::COMPONENT_KIND_SUPPORTING_LIBRARIES);
  RemoveComponent(&model, v1::COMPONENT_KIND_MODEL_METADATA);
  EXPECT_EQ(Assess(model).mof_class(), v1::MOF_CLASS_I);
}

TEST(MofTest, TechnicalReportMaySkipWhenResearchPaperIsIncluded) {
  Model model = FullMofModel();
  RemoveComponent(&model, v1::COMPONENT_KIND_TECHNICAL_REPORT);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.mof_class(), v1::MOF_CLASS_I);
  EXPECT_EQ(openness.mof_progress(0).required(), 6);
  EXPECT_EQ(openness.mof_progress(0).met(), 6);
  EXPECT_EQ(openness.mof_progress(2).required(), 13);
  EXPECT_EQ(openness.mof_progress(2).met(), 13);
}

TEST(MofTest, TechnicalReportNeededWhenResearchPaperIsNotOpen) {
  Model model = FullMofModel();
  RemoveComponent(&model, v1::COMPONENT_KIND_TECHNICAL_REPORT);
  Find(&model, v1::COMPONENT_KIND_RESEARCH_PAPER)->set_license("licenses/cc-by-nc-4.0");
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.mof_class(), v1::MOF_CLASS_UNCLASSIFIED);
  EXPECT_THAT(openness.mof_progress(0).missing(), ElementsAre(v1::COMPONENT_KIND_TECHNICAL_REPORT));
  EXPECT_THAT(openness.mof_progress(2).missing(),
              ElementsAre(v1::COMPONENT_KIND_TECHNICAL_REPORT, v1::COMPONENT_KIND_RESEARCH_PAPER));
}

TEST(MofTest, ResearchPaperStillRequiredForClassIWhenTechnicalReportIsIncluded) {
  Model model = FullMofModel();
  RemoveComponent(&model, v1::COMPONENT_KIND_RESEARCH_PAPER);
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.mof_class(), v1::MOF_CLASS_II);
  EXPECT_THAT(openness.mof_progress(2).missing(), ElementsAre(v1::COMPONENT_KIND_RESEARCH_PAPER));
}

TEST(MofTest, FinalParametersFollowWeightsWhenNoComponent) {
  Model model = FullMofModel();
  RemoveComponent(&model, v1::COMPONENT_KIND_MODEL_PARAMETERS_FINAL);
  EXPECT_EQ(Assess(model).mof_class(), v1::MOF_CLASS_I);
  model.mutable_weights()->set_access(Weights::ACCESS_API_ONLY);
  EXPECT_EQ(Assess(model).mof_class(), v1::MOF_CLASS_UNCLASSIFIED);
  model.mutable_weights()->set_access(Weights::ACCESS_OPEN_DOWNLOAD);
  model.mutable_weights()->set_license("licenses/llama3.1");
  EXPECT_EQ(Assess(model).mof_class(), v1::MOF_CLASS_UNCLASSIFIED);
}

TEST(MofTest, NothingKnownIsUnclassifiedWithEveryComponentMissing) {
  const Openness openness = Assess(MakeModel(Weights::ACCESS_UNSPECIFIED, ""));
  EXPECT_EQ(openness.mof_class(), v1::MOF_CLASS_UNCLASSIFIED);
  EXPECT_EQ(openness.mof_progress(2).met(), 0);
  EXPECT_EQ(openness.mof_progress(2).missing_size(), 14);
}

// ---- OSAID ----

TEST(OsaidTest, Level5WithOsiSupportingLibrariesIsCandidate) {
  Model model = Level5Model();
  AddComponent(&model, v1::COMPONENT_KIND_SUPPORTING_LIBRARIES, kReleased, "licenses/apache-2.0");
  const Openness openness = Assess(model);
  EXPECT_TRUE(openness.osaid_candidate());
  EXPECT_THAT(openness.osaid_note(), AllOf(HasSubstr("Candidate"), HasSubstr("not an OSI certification")));
}

TEST(OsaidTest, NoSupportingLibrariesIsNotCandidate) {
  const Openness openness = Assess(Level5Model());
  EXPECT_EQ(openness.level(), 5);
  EXPECT_FALSE(openness.osaid_candidate());
  EXPECT_THAT(openness.osaid_note(), HasSubstr("supporting libraries"));
}

TEST(OsaidTest, BelowLevel5IsNotCandidate) {
  Model model = Level4Model();
  AddComponent(&model, v1::COMPONENT_KIND_SUPPORTING_LIBRARIES, kReleased, "licenses/apache-2.0");
  const Openness openness = Assess(model);
  EXPECT_FALSE(openness.osaid_candidate());
  EXPECT_THAT(openness.osaid_note(), HasSubstr("level 4"));
}

TEST(OsaidTest, RestrictedLicenseAnywhereIsNotCandidate) {
  Model model = Level5Model();
  AddComponent(&model, v1::COMPONENT_KIND_SUPPORTING_LIBRARIES, kReleased, "licenses/apache-2.0");
  AddComponent(&model, v1::COMPONENT_KIND_MODEL_CARD, kReleased, "licenses/llama3.1");
  const Openness openness = Assess(model);
  EXPECT_EQ(openness.level(), 5);
  EXPECT_FALSE(openness.osaid_candidate());
  EXPECT_THAT(openness.osaid_note(), HasSubstr("licenses/llama3.1 has usage thresholds"));
  EXPECT_THAT(Flags(openness), ElementsAre(v1::OPENNESS_FLAG_USAGE_THRESHOLD, v1::OPENNESS_FLAG_USE_RESTRICTIONS));
}

// ---- Determinism ----

TEST(DeterminismTest, SameInputSameOutput) {
  Model model = FullMofModel();
  model.mutable_weights()->set_license("licenses/llama3.1");
  EXPECT_EQ(Assess(model).SerializeAsString(), Assess(model).SerializeAsString());
}

}  // namespace
}  // namespace modelreg

// The query engine through the real gRPC API on a real PostgreSQL: a known data set of 42 models (2 soft-deleted)
// and 9 licenses, and a table of (filter, order_by, show_deleted) -> the exact ordered list of names. Every row is
// also walked in pages of 3, which must give the same list. Plus page-token misuse.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "server/domain/query/model_query.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/integration/query/query_test_util.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::Call;
using ::modelreg::testing::StatusIs;
using ::modelreg::testing::WalkLicenses;
using ::modelreg::testing::WalkModels;
using ::testing::HasSubstr;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;
using M = v1::Model;
using W = v1::Weights;
using DD = v1::DataDisclosure;
using L = v1::License;

// Component presets, giving the openness levels the data set needs (server/domain/openness/RULES.md).
enum Preset {
  kNone,    // weights only: level 3 stops at unknown training code when the license is open
  kNoCode,  // training code not released: level 3, decided
  kCode,    // training, inference code and architecture released under apache-2.0: level 4 (or LICENSE_BLOCKED)
  kFull,    // kCode + data preprocessing code (apache-2.0) + datasets (cc-by-4.0): level 5
  kClass3,  // the MOF Class III components released under apache-2.0
  kAll,     // every component released under an open license: level 5, MOF Class I, OSAID candidate
};

struct ModelSpec {
  const char* key;  // "publisher/id"
  const char* family;
  const char* release_date;
  int64_t params;
  M::Modality modality;
  M::Treatment treatment;
  W::Access access;
  const char* license;  // license id, "" for none
  std::vector<std::pair<std::string, std::string>> labels;
  const char* base;  // "publisher/id", "" for none
  M::BaseModelRelation relation;
  Preset preset;
  DD::Level disclosure;
  int level;  // the expected openness level (checked separately, so a wrong guess here is not a query bug)
  bool deleted;
};

constexpr auto kText = M::MODALITY_TEXT;
constexpr auto kCodeM = M::MODALITY_CODE;
constexpr auto kImage = M::MODALITY_IMAGE;
constexpr auto kAudio = M::MODALITY_AUDIO;
constexpr auto kVideo = M::MODALITY_VIDEO;
constexpr auto kMulti = M::MODALITY_MULTIMODAL;
constexpr auto kNoMod = M::MODALITY_UNSPECIFIED;
constexpr auto kPre = M::TREATMENT_PRE_TRAINED;
constexpr auto kInstr = M::TREATMENT_INSTRUCT;
constexpr auto kChat = M::TREATMENT_CHAT;
constexpr auto kNoTr = M::TREATMENT_UNSPECIFIED;
constexpr auto kOpen = W::ACCESS_OPEN_DOWNLOAD;
constexpr auto kClick = W::ACCESS_GATED_CLICK_THROUGH;
constexpr auto kManual = W::ACCESS_GATED_MANUAL_APPROVAL;
constexpr auto kApi = W::ACCESS_API_ONLY;
constexpr auto kClosed = W::ACCESS_CLOSED;
constexpr auto kNoAccess = W::ACCESS_UNSPECIFIED;
constexpr auto kNoRel = M::BASE_MODEL_RELATION_UNSPECIFIED;
constexpr auto kFt = M::BASE_MODEL_RELATION_FINETUNE;
constexpr auto kQuant = M::BASE_MODEL_RELATION_QUANTIZED;
constexpr auto kAdapter = M::BASE_MODEL_RELATION_ADAPTER;
constexpr auto kMerge = M::BASE_MODEL_RELATION_MERGE;
constexpr auto kDistil = M::BASE_MODEL_RELATION_DISTILLATION;
constexpr auto kDdNone = DD::LEVEL_UNSPECIFIED;

// Created in this order (create_time grows along it).
const std::vector<ModelSpec>& Specs() {
  static const auto* specs = new std::vector<ModelSpec>{
      {"meta/llama-8b",
       "llama-3.1",
       "2024-07-23",
       8000000000,
       kText,
       kPre,
       kClick,
       "llama3.1",
       {{"team", "a"}, {"tier", "gold"}},
       "",
       kNoRel,
       kNone,
       DD::LEVEL_MINIMAL,
       2,
       false},
      {"meta/llama-8b-instruct",
       "llama-3.1",
       "2024-07-23",
       8000000000,
       kText,
       kInstr,
       kClick,
       "llama3.1",
       {{"team", "a"}},
       "meta/llama-8b",
       kFt,
       kNone,
       kDdNone,
       2,
       false},
      {"acme/llama-8b-instruct-q4",
       "llama-3.1",
       "2024-08-01",
       8000000000,
       kText,
       kInstr,
       kOpen,
       "llama3.1",
       {{"team", "b"}},
       "meta/llama-8b-instruct",
       kQuant,
       kNone,
       kDdNone,
       2,
       false},
      {"acme/llama-8b-q4-lora",
       "llama-3.1",
       "",
       0,
       kText,
       kChat,
       kOpen,
       "apache-2.0",
       {},
       "acme/llama-8b-instruct-q4",
       kAdapter,
       kNone,
       kDdNone,
       3,
       false},
      {"meta/llama-70b",
       "llama-3.1",
       "2024-07-23",
       70000000000,
       kText,
       kPre,
       kManual,
       "llama3.1",
       {{"team", "a"}, {"tier", "silver"}},
       "",
       kNoRel,
       kNone,
       kDdNone,
       2,
       false},
      {"meta/llama-405b",
       "llama-3.1",
       "2024-07-23",
       405000000000,
       kText,
       kPre,
       kClick,
       "llama3.1",
       {{"tier", "gold"}},
       "",
       kNoRel,
       kNone,
       kDdNone,
       2,
       false},
      {"meta/llama-2-7b",
       "llama-2",
       "2023-07-18",
       7000000000,
       kText,
       kPre,
       kClick,
       "llama3.1",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       2,
       false},
      {"meta/chameleon",
       "chameleon",
       "2024-05-16",
       34000000000,
       kMulti,
       kPre,
       kManual,
       "cc-by-nc-4.0",
       {{"team", "research"}},
       "",
       kNoRel,
       kNone,
       kDdNone,
       2,
       false},
      {"mist/mistral-7b",
       "mistral",
       "2023-09-27",
       7300000000,
       kText,
       kPre,
       kOpen,
       "apache-2.0",
       {{"tier", "gold"}},
       "",
       kNoRel,
       kNoCode,
       DD::LEVEL_MINIMAL,
       3,
       false},
      {"mist/mistral-7b-instruct",
       "mistral",
       "2023-09-27",
       7300000000,
       kText,
       kInstr,
       kOpen,
       "apache-2.0",
       {},
       "mist/mistral-7b",
       kFt,
       kNone,
       kDdNone,
       3,
       false},
      {"mist/mixtral-8x7b",
       "mixtral",
       "2023-12-11",
       46700000000,
       kText,
       kPre,
       kOpen,
       "apache-2.0",
       {{"team", "b"}},
       "",
       kNoRel,
       kNone,
       kDdNone,
       3,
       false},
      {"mist/codestral",
       "codestral",
       "2024-05-29",
       22000000000,
       kCodeM,
       kInstr,
       kClick,
       "cc-by-nc-4.0",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       2,
       false},
      {"mist/mistral-large",
       "mistral",
       "2024-07-24",
       123000000000,
       kText,
       kInstr,
       kApi,
       "proprietary-tos",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       1,
       false},
      {"mist/pixtral",
       "pixtral",
       "2024-09-17",
       12000000000,
       kImage,
       kPre,
       kOpen,
       "apache-2.0",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       3,
       false},
      {"ai2/olmo-7b",
       "olmo",
       "2024-02-01",
       6900000000,
       kText,
       kPre,
       kOpen,
       "apache-2.0",
       {{"team", "a"}, {"tier", "gold"}},
       "",
       kNoRel,
       kAll,
       DD::LEVEL_LISTED,
       5,
       false},
      {"ai2/olmo-7b-instruct",
       "olmo",
       "2024-02-01",
       6900000000,
       kText,
       kInstr,
       kOpen,
       "apache-2.0",
       {},
       "ai2/olmo-7b",
       kFt,
       kFull,
       DD::LEVEL_OPEN,
       5,
       false},
      {"ai2/olmo-2-7b",
       "olmo-2",
       "2024-11-26",
       7300000000,
       kText,
       kPre,
       kOpen,
       "apache-2.0",
       {},
       "",
       kNoRel,
       kCode,
       DD::LEVEL_DESCRIBED,
       4,
       false},
      {"ai2/molmo",
       "molmo",
       "2024-09-25",
       7000000000,
       kMulti,
       kPre,
       kOpen,
       "apache-2.0",
       {},
       "",
       kNoRel,
       kClass3,
       kDdNone,
       3,
       false},
      {"ai2/tulu-70b",
       "tulu",
       "2024-11-21",
       70000000000,
       kText,
       kInstr,
       kOpen,
       "llama3.1",
       {},
       "meta/llama-70b",
       kFt,
       kCode,
       kDdNone,
       2,
       false},
      {"ai2/olmoe",
       "olmoe",
       "2024-09-03",
       6900000000,
       kText,
       kPre,
       kOpen,
       "apache-2.0",
       {},
       "ai2/olmo-7b",
       kDistil,
       kFull,
       DD::LEVEL_OPEN,
       5,
       false},
      {"ai2/olmo-1b",
       "olmo",
       "2024-02-01",
       1200000000,
       kText,
       kPre,
       kOpen,
       "apache-2.0",
       {{"team", "a"}},
       "",
       kNoRel,
       kFull,
       kDdNone,
       5,
       true},
      {"acme/bloom-ish",
       "bloom",
       "2022-07-11",
       176000000000,
       kText,
       kPre,
       kOpen,
       "openrail",
       {},
       "",
       kNoRel,
       kCode,
       kDdNone,
       2,
       false},
      {"acme/sd-like",
       "stable-diffusion",
       "2024-06-12",
       2000000000,
       kImage,
       kPre,
       kClick,
       "openrail",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       2,
       false},
      {"acme/whisper-ish",
       "whisper",
       "2022-09-21",
       1550000000,
       kAudio,
       kPre,
       kOpen,
       "mit",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       3,
       false},
      {"acme/video-gen", "video-gen", "", 0, kVideo, kNoTr, kClosed, "", {}, "", kNoRel, kNone, kDdNone, 1, false},
      {"acme/mystery", "", "", 0, kNoMod, kNoTr, kNoAccess, "", {}, "", kNoRel, kNone, kDdNone, 1, false},
      {"acme/gpl-coder",
       "gpl-coder",
       "2021-03-01",
       350000000,
       kCodeM,
       kPre,
       kOpen,
       "gpl-3.0",
       {},
       "",
       kNoRel,
       kNoCode,
       kDdNone,
       3,
       false},
      {"acme/cc-data-model",
       "cc-model",
       "2020-01-01",
       125000000,
       kText,
       kPre,
       kOpen,
       "cc-by-4.0",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       3,
       false},
      {"acme/root-x",
       "x-line",
       "2022-01-01",
       100000000,
       kText,
       kPre,
       kOpen,
       "mit",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       3,
       false},
      {"acme/mid-x",
       "x-line",
       "2022-02-01",
       100000000,
       kText,
       kInstr,
       kOpen,
       "old-1.0",
       {},
       "acme/root-x",
       kFt,
       kNone,
       kDdNone,
       2,
       true},
      {"acme/leaf-x",
       "x-line",
       "2022-03-01",
       100000000,
       kText,
       kInstr,
       kOpen,
       "mit",
       {},
       "acme/mid-x",
       kQuant,
       kNone,
       kDdNone,
       3,
       false},
      {"acme/cyc-a", "cyc", "", 0, kText, kPre, kOpen, "mit", {}, "acme/cyc-b", kMerge, kNone, kDdNone, 3, false},
      {"acme/cyc-b", "cyc", "", 0, kText, kPre, kOpen, "mit", {}, "acme/cyc-a", kMerge, kNone, kDdNone, 3, false},
      {"beta/chat-1",
       "beta-chat",
       "2024-01-01",
       1000000000,
       kText,
       kChat,
       kApi,
       "proprietary-tos",
       {{"env", "staging"}},
       "",
       kNoRel,
       kNone,
       DD::LEVEL_UNDISCLOSED,
       1,
       false},
      {"beta/chat-2",
       "beta-chat",
       "2024-12-31",
       2000000000,
       kText,
       kChat,
       kApi,
       "proprietary-tos",
       {{"env", "prod"}, {"tier", "bronze"}},
       "",
       kNoRel,
       kNone,
       DD::LEVEL_UNDISCLOSED,
       1,
       false},
      {"beta/chat-2-mini",
       "beta-chat",
       "2024-12-31",
       0,
       kText,
       kChat,
       kApi,
       "proprietary-tos",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       1,
       false},
      {"beta/embed",
       "beta-embed",
       "2023-06-30",
       110000000,
       kText,
       kNoTr,
       kOpen,
       "mit",
       {{"team", "a"}, {"env", "prod"}},
       "",
       kNoRel,
       kNone,
       kDdNone,
       3,
       false},
      {"beta/embed-v2",
       "beta-embed",
       "",
       335000000,
       kText,
       kNoTr,
       kOpen,
       "mit",
       {},
       "beta/embed",
       kFt,
       kNone,
       kDdNone,
       3,
       false},
      {"beta/vision",
       "beta-vision",
       "2024-03-15",
       0,
       kImage,
       kPre,
       kManual,
       "apache-2.0",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       3,
       false},
      {"beta/speech",
       "beta-speech",
       "2023-11-11",
       800000000,
       kAudio,
       kPre,
       kOpen,
       "cc-by-nc-4.0",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       2,
       false},
      {"beta/weird.name_x",
       "Weird%Family_x",
       "1999-12-31",
       1,
       kText,
       kPre,
       kOpen,
       "apache-2.0",
       {{"k.with/slash", "it's \"quoted\""}, {"team", "A"}},
       "",
       kNoRel,
       kNone,
       kDdNone,
       3,
       false},
      {"beta/weirdxfamily",
       "WeirdXFamily_y",
       "2025-01-01",
       1,
       kText,
       kPre,
       kOpen,
       "apache-2.0",
       {},
       "",
       kNoRel,
       kNone,
       kDdNone,
       3,
       false},
  };
  return *specs;
}

std::string Full(const std::string& key) {
  const size_t slash = key.find('/');
  return absl::StrCat("publishers/", key.substr(0, slash), "/models/", key.substr(slash + 1));
}

void AddComponent(M& m, v1::ComponentKind kind, v1::Component::Status status, const char* license) {
  auto* c = m.add_components();
  c->set_kind(kind);
  c->set_status(status);
  if (*license != '\0') c->set_license(absl::StrCat("licenses/", license));
}

v1::CreateModelRequest ToRequest(const ModelSpec& s) {
  static const std::map<std::string, std::string> kDisplayNames = {
      {"meta/llama-8b", "Llama 3.1 8B"}, {"mist/mistral-7b", "Mistral 7B"}, {"ai2/olmo-7b", "OLMo 7B"}};
  static const std::map<std::string, std::string> kArchitectures = {{"mist/mixtral-8x7b", "mixture-of-experts"},
                                                                    {"ai2/olmoe", "mixture-of-experts"},
                                                                    {"acme/sd-like", "diffusion"},
                                                                    {"acme/mystery", ""},
                                                                    {"acme/video-gen", ""}};
  const std::string key = s.key;
  const size_t slash = key.find('/');
  v1::CreateModelRequest request;
  request.set_parent(absl::StrCat("publishers/", key.substr(0, slash)));
  request.set_model_id(key.substr(slash + 1));
  M& m = *request.mutable_model();
  auto display = kDisplayNames.find(key);
  m.set_display_name(display == kDisplayNames.end() ? key.substr(slash + 1) : display->second);
  m.set_family(s.family);
  m.set_version(key == "ai2/olmo-2-7b" || key == "beta/chat-2" || key == "beta/chat-2-mini" ? "2.0" : "1.0");
  m.set_release_date(s.release_date);
  m.set_parameter_count(s.params);
  static const std::map<std::string, int64_t> kActiveParameters = {{"mist/mixtral-8x7b", 12900000000},
                                                                   {"ai2/olmoe", 1300000000}};
  auto active = kActiveParameters.find(key);
  if (active != kActiveParameters.end()) m.set_active_parameter_count(active->second);
  m.set_modality(s.modality);
  auto arch = kArchitectures.find(key);
  m.set_architecture(arch == kArchitectures.end() ? "decoder-only transformer" : arch->second);
  m.set_treatment(s.treatment);
  for (const auto& [k, v] : s.labels) (*m.mutable_labels())[k] = v;
  if (*s.base != '\0') m.set_base_model(Full(s.base));
  m.set_base_model_relation(s.relation);
  m.mutable_weights()->set_access(s.access);
  if (*s.license != '\0') m.mutable_weights()->set_license(absl::StrCat("licenses/", s.license));
  m.mutable_data_disclosure()->set_level(s.disclosure);
  constexpr auto kReleased = v1::Component::STATUS_RELEASED;
  switch (s.preset) {
    case kNone:
      break;
    case kNoCode:
      AddComponent(m, v1::COMPONENT_KIND_TRAINING_CODE, v1::Component::STATUS_NOT_RELEASED, "");
      break;
    case kFull:
      AddComponent(m, v1::COMPONENT_KIND_DATA_PREPROCESSING_CODE, kReleased, "apache-2.0");
      AddComponent(m, v1::COMPONENT_KIND_DATASETS, kReleased, "cc-by-4.0");
      [[fallthrough]];
    case kCode:
      AddComponent(m, v1::COMPONENT_KIND_TRAINING_CODE, kReleased, "apache-2.0");
      AddComponent(m, v1::COMPONENT_KIND_INFERENCE_CODE, kReleased, "apache-2.0");
      AddComponent(m, v1::COMPONENT_KIND_MODEL_ARCHITECTURE, kReleased, "apache-2.0");
      break;
    case kClass3:
      for (auto kind :
           {v1::COMPONENT_KIND_MODEL_ARCHITECTURE, v1::COMPONENT_KIND_MODEL_CARD, v1::COMPONENT_KIND_DATA_CARD,
            v1::COMPONENT_KIND_TECHNICAL_REPORT, v1::COMPONENT_KIND_EVALUATION_RESULTS}) {
        AddComponent(m, kind, kReleased, "apache-2.0");
      }
      break;
    case kAll:
      for (int kind = 1; kind <= 17; ++kind) {
        AddComponent(m, static_cast<v1::ComponentKind>(kind), kReleased,
                     kind == v1::COMPONENT_KIND_DATASETS ? "cc-by-4.0" : "apache-2.0");
      }
      break;
  }
  return request;
}

L MakeLicense(const char* display_name, const char* spdx, L::Category category, L::CommercialUse commercial, bool osi,
              bool fsf, bool open_data) {
  L l;
  l.set_display_name(display_name);
  l.set_spdx_id(spdx);
  l.set_category(category);
  l.set_commercial_use(commercial);
  l.set_osi_approved(osi);
  l.set_fsf_libre(fsf);
  l.set_open_data(open_data);
  return l;
}

struct Row {
  std::string filter;
  std::string order_by;
  bool show_deleted;
  std::vector<std::string> expected;  // "publisher/id" for models, license ids for licenses
};

class QueryFilterTest : public ::modelreg::testing::SharedApiServerTest {
 protected:
  static void SetUpTestSuite() {
    SharedApiServerTest::SetUpTestSuite();
    if (server_ == nullptr) return;

    std::vector<std::pair<std::string, L>> licenses;
    licenses.emplace_back("apache-2.0", MakeLicense("Apache License 2.0", "Apache-2.0", L::CATEGORY_PERMISSIVE,
                                                    L::COMMERCIAL_USE_ALLOWED, true, false, false));
    licenses.emplace_back(
        "mit", MakeLicense("MIT License", "MIT", L::CATEGORY_PERMISSIVE, L::COMMERCIAL_USE_ALLOWED, true, true, false));
    licenses.emplace_back("gpl-3.0", MakeLicense("GNU General Public License v3.0", "GPL-3.0-only",
                                                 L::CATEGORY_COPYLEFT, L::COMMERCIAL_USE_ALLOWED, true, true, false));
    licenses.emplace_back("cc-by-4.0",
                          MakeLicense("Creative Commons Attribution 4.0", "CC-BY-4.0", L::CATEGORY_OPEN_DATA,
                                      L::COMMERCIAL_USE_ALLOWED, false, false, true));
    licenses.emplace_back("cc-by-nc-4.0",
                          MakeLicense("Creative Commons Attribution Non Commercial 4.0", "CC-BY-NC-4.0",
                                      L::CATEGORY_NON_COMMERCIAL, L::COMMERCIAL_USE_PROHIBITED, false, false, false));
    L llama = MakeLicense("Llama 3.1 Community License Agreement", "", L::CATEGORY_COMMUNITY,
                          L::COMMERCIAL_USE_CONDITIONAL, false, false, false);
    auto* threshold = llama.add_usage_thresholds();
    threshold->set_metric(L::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
    threshold->set_limit(700000000);
    threshold->set_consequence(L::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
    llama.mutable_use_restrictions()->set_acceptable_use_policy_uri("https://llama.meta.com/llama3_1/use-policy");
    llama.mutable_derivative_terms()->set_attribution_text("Built with Llama");
    licenses.emplace_back("llama3.1", llama);
    L rail = MakeLicense("BigScience OpenRAIL-M", "OpenRAIL", L::CATEGORY_RESPONSIBLE_AI, L::COMMERCIAL_USE_ALLOWED,
                         false, false, false);
    rail.mutable_use_restrictions()->add_restricted_uses("military");
    rail.mutable_use_restrictions()->add_restricted_uses("surveillance");
    licenses.emplace_back("openrail", rail);
    L tos = MakeLicense("Proprietary Terms of Service", "", L::CATEGORY_PROPRIETARY, L::COMMERCIAL_USE_ALLOWED, false,
                        false, false);
    auto* territorial = tos.add_territorial_restrictions();
    territorial->set_territory("CN");
    territorial->set_applies_to(L::TerritorialRestriction::SCOPE_ALL_MATERIALS);
    licenses.emplace_back("proprietary-tos", tos);
    licenses.emplace_back("old-1.0", MakeLicense("Old Research License", "", L::CATEGORY_RESEARCH_ONLY,
                                                 L::COMMERCIAL_USE_PROHIBITED, false, false, false));
    for (const auto& [id, license] : licenses) {
      v1::CreateLicenseRequest request;
      request.set_license_id(id);
      *request.mutable_license() = license;
      ASSERT_OK(Call(server_->licenses(), &LC::CreateLicense, request));
    }

    for (const ModelSpec& spec : Specs()) {
      auto created = Call(server_->models(), &MR::CreateModel, ToRequest(spec));
      ASSERT_OK(created) << spec.key;
      created_->push_back(*created);
    }
    for (const ModelSpec& spec : Specs()) {
      if (!spec.deleted) continue;
      v1::DeleteModelRequest del;
      del.set_name(Full(spec.key));
      ASSERT_OK(Call(server_->models(), &MR::DeleteModel, del));
    }
    // Deleted after its only user: soft-deleted licenses still count for license.* filters.
    v1::DeleteLicenseRequest del;
    del.set_name("licenses/old-1.0");
    ASSERT_OK(Call(server_->licenses(), &LC::DeleteLicense, del));
  }
  static std::vector<std::string> LiveKeysInCreationOrder(size_t begin, size_t end) {
    std::vector<std::string> keys;
    for (size_t i = begin; i < end; ++i) {
      if (!Specs()[i].deleted) keys.push_back(Specs()[i].key);
    }
    return keys;
  }

  // Runs `row` unpaged (page_size 1000) and in pages of 3; both must equal the expected names.
  static void CheckModels(const Row& row) {
    SCOPED_TRACE(
        absl::StrCat("filter: ", row.filter, "\norder_by: ", row.order_by, "\nshow_deleted: ", row.show_deleted));
    std::vector<std::string> expected;
    for (const std::string& key : row.expected) expected.push_back(Full(key));
    v1::ListModelsRequest request;
    request.set_parent("publishers/-");
    request.set_filter(row.filter);
    request.set_order_by(row.order_by);
    request.set_show_deleted(row.show_deleted);
    request.set_page_size(1000);
    auto unpaged = WalkModels(*server_, request);
    ASSERT_OK(unpaged);
    EXPECT_EQ(*unpaged, expected) << "got: " << absl::StrJoin(*unpaged, " ");
    request.set_page_size(3);
    auto paged = WalkModels(*server_, request);
    ASSERT_OK(paged);
    EXPECT_EQ(*paged, *unpaged);
  }

  static void CheckLicenses(const Row& row) {
    SCOPED_TRACE(absl::StrCat("licenses filter: ", row.filter, "\norder_by: ", row.order_by,
                              "\nshow_deleted: ", row.show_deleted));
    std::vector<std::string> expected;
    for (const std::string& id : row.expected) expected.push_back(absl::StrCat("licenses/", id));
    v1::ListLicensesRequest request;
    request.set_filter(row.filter);
    request.set_order_by(row.order_by);
    request.set_show_deleted(row.show_deleted);
    request.set_page_size(1000);
    auto unpaged = WalkLicenses(*server_, request);
    ASSERT_OK(unpaged);
    EXPECT_EQ(*unpaged, expected) << "got: " << absl::StrJoin(*unpaged, " ");
    request.set_page_size(3);
    auto paged = WalkLicenses(*server_, request);
    ASSERT_OK(paged);
    EXPECT_EQ(*paged, *unpaged);
  }

  static std::vector<v1::Model>* created_;
};

std::vector<v1::Model>* QueryFilterTest::created_ = new std::vector<v1::Model>();

// The data set is what the table below assumes (so that a failing row points at the query, not at the data).
TEST_F(QueryFilterTest, DataSetIsAsDesigned) {
  ASSERT_EQ(created_->size(), Specs().size());
  for (size_t i = 0; i < Specs().size(); ++i) {
    const ModelSpec& spec = Specs()[i];
    const v1::Model& m = (*created_)[i];
    EXPECT_EQ(m.name(), Full(spec.key));
    EXPECT_EQ(m.openness().level(), spec.level) << spec.key << "\n" << m.openness().DebugString();
  }
  const v1::Model& olmo = (*created_)[14];
  ASSERT_EQ(olmo.name(), "publishers/ai2/models/olmo-7b");
  EXPECT_EQ(olmo.openness().mof_class(), v1::MOF_CLASS_I);
  EXPECT_TRUE(olmo.openness().osaid_candidate());
  const v1::Model& molmo = (*created_)[17];
  ASSERT_EQ(molmo.name(), "publishers/ai2/models/molmo");
  EXPECT_EQ(molmo.openness().mof_class(), v1::MOF_CLASS_III);
}

TEST_F(QueryFilterTest, NoFilterListsEveryLiveModelByName) {
  std::vector<std::string> live;
  std::vector<std::string> all;
  for (const ModelSpec& spec : Specs()) {
    all.push_back(spec.key);
    if (!spec.deleted) live.push_back(spec.key);
  }
  auto by_name = [](const std::string& a, const std::string& b) { return Full(a) < Full(b); };
  std::sort(live.begin(), live.end(), by_name);
  std::sort(all.begin(), all.end(), by_name);
  ASSERT_EQ(live.size(), 40u);
  CheckModels({"", "", false, live});
  CheckModels({"", "name", false, live});
  CheckModels({"", "name asc", true, all});
  std::reverse(live.begin(), live.end());
  CheckModels({"", "name desc", false, live});
}

const std::vector<std::string> kMeta = {"meta/chameleon", "meta/llama-2-7b", "meta/llama-405b",
                                        "meta/llama-70b", "meta/llama-8b",   "meta/llama-8b-instruct"};
const std::vector<std::string> kMist = {"mist/codestral",     "mist/mistral-7b",   "mist/mistral-7b-instruct",
                                        "mist/mistral-large", "mist/mixtral-8x7b", "mist/pixtral"};
const std::vector<std::string> kLlamaLicensed = {"acme/llama-8b-instruct-q4", "ai2/tulu-70b",   "meta/llama-2-7b",
                                                 "meta/llama-405b",           "meta/llama-70b", "meta/llama-8b",
                                                 "meta/llama-8b-instruct"};
const std::vector<std::string> kUnknownDate = {"acme/cyc-a",   "acme/cyc-b",     "acme/llama-8b-q4-lora",
                                               "acme/mystery", "acme/video-gen", "beta/embed-v2"};
const std::vector<std::string> kAcmeByDate = {"acme/cyc-a",
                                              "acme/cyc-b",
                                              "acme/llama-8b-q4-lora",
                                              "acme/mystery",
                                              "acme/video-gen",
                                              "acme/cc-data-model",
                                              "acme/gpl-coder",
                                              "acme/root-x",
                                              "acme/leaf-x",
                                              "acme/bloom-ish",
                                              "acme/whisper-ish",
                                              "acme/sd-like",
                                              "acme/llama-8b-instruct-q4"};
const std::vector<std::string> kBetaByParamsDesc = {"beta/chat-2",       "beta/chat-1", "beta/speech",
                                                    "beta/embed-v2",     "beta/embed",  "beta/weirdxfamily",
                                                    "beta/weird.name_x", "beta/vision", "beta/chat-2-mini"};
const std::vector<std::string> kTeamLabel = {"acme/llama-8b-instruct-q4",
                                             "ai2/olmo-7b",
                                             "beta/embed",
                                             "beta/weird.name_x",
                                             "meta/chameleon",
                                             "meta/llama-70b",
                                             "meta/llama-8b",
                                             "meta/llama-8b-instruct",
                                             "mist/mixtral-8x7b"};

std::vector<std::string> Reversed(std::vector<std::string> v) {
  std::reverse(v.begin(), v.end());
  return v;
}
std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_F(QueryFilterTest, ModelFilterTable) {
  const std::vector<Row> rows = {
      // publisher, name: = != < > >= :, prefix wildcards, `publishers/` prefix optional.
      {R"(publisher = "mist")", "", false, kMist},
      {R"(publisher = "publishers/mist")", "", false, kMist},
      {"publisher:mist", "", false, kMist},
      {R"(publisher = "m*")", "", false, Concat(kMeta, kMist)},
      {R"(publisher > "beta")", "", false, Concat(kMeta, kMist)},
      {R"(publisher >= "meta" AND publisher <= "meta")", "", false, kMeta},
      {R"(publisher != "acme" AND publisher != "beta" AND publisher != "meta" AND publisher != "mist")",
       "",
       false,
       {"ai2/molmo", "ai2/olmo-2-7b", "ai2/olmo-7b", "ai2/olmo-7b-instruct", "ai2/olmoe", "ai2/tulu-70b"}},
      {R"(name = "publishers/ai2/models/olmo*")",
       "",
       false,
       {"ai2/olmo-2-7b", "ai2/olmo-7b", "ai2/olmo-7b-instruct", "ai2/olmoe"}},
      {R"(name = "publishers/ai2/models/olmo*")",
       "",
       true,
       {"ai2/olmo-1b", "ai2/olmo-2-7b", "ai2/olmo-7b", "ai2/olmo-7b-instruct", "ai2/olmoe"}},
      {"name:publishers/meta/*", "", false, kMeta},
      {R"(name > "publishers/mist/models/mixtral")", "", false, {"mist/mixtral-8x7b", "mist/pixtral"}},
      {R"(name = "publishers/beta/models/weird.name_x")", "", false, {"beta/weird.name_x"}},
      {R"(name = "publishers/beta/models/weird*")", "", false, {"beta/weird.name_x", "beta/weirdxfamily"}},
      {R"(name = "publishers/beta/models/weird_name*")", "", false, {}},
      {R"(name != "publishers/mist/*" AND name >= "publishers/meta/")", "", false, kMeta},
      // family: wildcard, `%` and `_` literal, byte order (upper case first), ordering with mixed directions.
      {R"(family = "llama*")",
       "",
       false,
       {"acme/llama-8b-instruct-q4", "acme/llama-8b-q4-lora", "meta/llama-2-7b", "meta/llama-405b", "meta/llama-70b",
        "meta/llama-8b", "meta/llama-8b-instruct"}},
      {R"(family = "llama-3.1")",
       "",
       false,
       {"acme/llama-8b-instruct-q4", "acme/llama-8b-q4-lora", "meta/llama-405b", "meta/llama-70b", "meta/llama-8b",
        "meta/llama-8b-instruct"}},
      {"family:olmo*", "", false, {"ai2/olmo-2-7b", "ai2/olmo-7b", "ai2/olmo-7b-instruct", "ai2/olmoe"}},
      {R"(family = "olmo")", "", false, {"ai2/olmo-7b", "ai2/olmo-7b-instruct"}},
      {R"(family = "Weird%*")", "", false, {"beta/weird.name_x"}},
      {R"(family = "Weird_*")", "", false, {}},
      {R"(family = "weird*")", "", false, {}},
      {R"(family != "olmo" AND publisher = "ai2")",
       "",
       false,
       {"ai2/molmo", "ai2/olmo-2-7b", "ai2/olmoe", "ai2/tulu-70b"}},
      {R"(family != "l*" AND publisher = "meta")", "", false, {"meta/chameleon"}},
      {R"(family < "b")", "", false, {"acme/mystery", "beta/weird.name_x", "beta/weirdxfamily"}},
      {"NOT family:*", "", false, {"acme/mystery"}},
      {R"(publisher = "beta")",
       "family",
       false,
       {"beta/weird.name_x", "beta/weirdxfamily", "beta/chat-1", "beta/chat-2", "beta/chat-2-mini", "beta/embed",
        "beta/embed-v2", "beta/speech", "beta/vision"}},
      {R"(publisher = "mist")",
       "family desc, name",
       false,
       {"mist/pixtral", "mist/mixtral-8x7b", "mist/mistral-7b", "mist/mistral-7b-instruct", "mist/mistral-large",
        "mist/codestral"}},
      {R"(publisher = "mist")",
       "family desc",
       false,
       {"mist/pixtral", "mist/mixtral-8x7b", "mist/mistral-large", "mist/mistral-7b-instruct", "mist/mistral-7b",
        "mist/codestral"}},
      // display_name, version, architecture.
      {R"(display_name = "Llama*")", "", false, {"meta/llama-8b"}},
      {R"(display_name < "a")", "", false, {"ai2/olmo-7b", "meta/llama-8b", "mist/mistral-7b"}},
      {R"(publisher = "ai2")",
       "display_name",
       false,
       {"ai2/olmo-7b", "ai2/molmo", "ai2/olmo-2-7b", "ai2/olmo-7b-instruct", "ai2/olmoe", "ai2/tulu-70b"}},
      {R"(version = "2.0")", "", false, {"ai2/olmo-2-7b", "beta/chat-2", "beta/chat-2-mini"}},
      {R"(architecture = "mixture-of-experts")", "", false, {"ai2/olmoe", "mist/mixtral-8x7b"}},
      {"NOT architecture:*", "", false, {"acme/mystery", "acme/video-gen"}},
      // release_date: dates, unknown (NULL) never compares, NOT makes it true, NULLs first ascending.
      {"release_date >= 2024-07-23 AND release_date <= 2024-08-01",
       "",
       false,
       {"acme/llama-8b-instruct-q4", "meta/llama-405b", "meta/llama-70b", "meta/llama-8b", "meta/llama-8b-instruct",
        "mist/mistral-large"}},
      {"release_date < 2021-01-01", "", false, {"acme/cc-data-model", "beta/weird.name_x"}},
      {"release_date = 2024-12-31", "", false, {"beta/chat-2", "beta/chat-2-mini"}},
      {"release_date:2024-12-31", "", false, {"beta/chat-2", "beta/chat-2-mini"}},
      {"release_date > 2024-11-21",
       "",
       false,
       {"ai2/olmo-2-7b", "beta/chat-2", "beta/chat-2-mini", "beta/weirdxfamily"}},
      {R"(release_date != 2024-07-23 AND publisher = "meta")", "", false, {"meta/chameleon", "meta/llama-2-7b"}},
      {"NOT release_date:*", "", false, kUnknownDate},
      {"-release_date < 2030-01-01", "", false, kUnknownDate},
      {R"(NOT release_date != 1999-12-31 AND publisher = "beta")", "", false, {"beta/embed-v2", "beta/weird.name_x"}},
      {R"(publisher = "acme")", "release_date", false, kAcmeByDate},
      {R"(publisher = "acme")", "release_date asc", false, kAcmeByDate},
      {R"(publisher = "acme")", "release_date desc", false, Reversed(kAcmeByDate)},
      {R"(publisher = "meta")",
       "release_date desc, name",
       false,
       {"meta/llama-405b", "meta/llama-70b", "meta/llama-8b", "meta/llama-8b-instruct", "meta/chameleon",
        "meta/llama-2-7b"}},
      {R"(publisher = "meta")",
       "release_date desc",
       false,
       {"meta/llama-8b-instruct", "meta/llama-8b", "meta/llama-70b", "meta/llama-405b", "meta/chameleon",
        "meta/llama-2-7b"}},
      // parameter_count: int64, negative literal, unknown.
      {"parameter_count > 100000000000", "", false, {"acme/bloom-ish", "meta/llama-405b", "mist/mistral-large"}},
      {"parameter_count >= 70000000000 AND parameter_count < 100000000000",
       "",
       false,
       {"ai2/tulu-70b", "meta/llama-70b"}},
      {"parameter_count = 7300000000", "", false, {"ai2/olmo-2-7b", "mist/mistral-7b", "mist/mistral-7b-instruct"}},
      {"parameter_count <= 1", "", false, {"beta/weird.name_x", "beta/weirdxfamily"}},
      {R"(parameter_count > -1 AND publisher = "beta")",
       "",
       false,
       {"beta/chat-1", "beta/chat-2", "beta/embed", "beta/embed-v2", "beta/speech", "beta/weird.name_x",
        "beta/weirdxfamily"}},
      {"NOT parameter_count:*",
       "",
       false,
       {"acme/cyc-a", "acme/cyc-b", "acme/llama-8b-q4-lora", "acme/mystery", "acme/video-gen", "beta/chat-2-mini",
        "beta/vision"}},
      {R"(publisher = "beta")", "parameter_count desc", false, kBetaByParamsDesc},
      {R"(publisher = "beta")", "parameter_count", false, Reversed(kBetaByParamsDesc)},
      // Enums: short and full names, ordering comparisons on proto numbers, presence.
      {"modality = IMAGE OR modality = MODALITY_AUDIO",
       "",
       false,
       {"acme/sd-like", "acme/whisper-ish", "beta/speech", "beta/vision", "mist/pixtral"}},
      {"modality >= VIDEO", "", false, {"acme/video-gen", "ai2/molmo", "meta/chameleon"}},
      {"modality:CODE", "", false, {"acme/gpl-coder", "mist/codestral"}},
      {"NOT modality:*", "", false, {"acme/mystery"}},
      {"treatment = CHAT", "", false, {"acme/llama-8b-q4-lora", "beta/chat-1", "beta/chat-2", "beta/chat-2-mini"}},
      {"treatment = TREATMENT_INSTRUCT",
       "",
       false,
       {"acme/leaf-x", "acme/llama-8b-instruct-q4", "ai2/olmo-7b-instruct", "ai2/tulu-70b", "meta/llama-8b-instruct",
        "mist/codestral", "mist/mistral-7b-instruct", "mist/mistral-large"}},
      {"NOT treatment:*", "", false, {"acme/mystery", "acme/video-gen", "beta/embed", "beta/embed-v2"}},
      // base_model, base_model_relation, base_model_chain (3 deep, through a deleted model, a cycle).
      {R"(base_model = "publishers/meta/models/llama-8b")", "", false, {"meta/llama-8b-instruct"}},
      {R"(base_model = "publishers/meta/*")",
       "",
       false,
       {"acme/llama-8b-instruct-q4", "ai2/tulu-70b", "meta/llama-8b-instruct"}},
      {"base_model_relation = QUANTIZED", "", false, {"acme/leaf-x", "acme/llama-8b-instruct-q4"}},
      {"base_model_relation:*",
       "",
       false,
       {"acme/cyc-a", "acme/cyc-b", "acme/leaf-x", "acme/llama-8b-instruct-q4", "acme/llama-8b-q4-lora",
        "ai2/olmo-7b-instruct", "ai2/olmoe", "ai2/tulu-70b", "beta/embed-v2", "meta/llama-8b-instruct",
        "mist/mistral-7b-instruct"}},
      {"base_model:*",
       "",
       false,
       {"acme/cyc-a", "acme/cyc-b", "acme/leaf-x", "acme/llama-8b-instruct-q4", "acme/llama-8b-q4-lora",
        "ai2/olmo-7b-instruct", "ai2/olmoe", "ai2/tulu-70b", "beta/embed-v2", "meta/llama-8b-instruct",
        "mist/mistral-7b-instruct"}},
      {R"(base_model_chain:"publishers/meta/models/llama-8b")",
       "",
       false,
       {"acme/llama-8b-instruct-q4", "acme/llama-8b-q4-lora", "meta/llama-8b-instruct"}},
      {R"(base_model_chain = "publishers/meta/models/llama-8b-instruct")",
       "",
       false,
       {"acme/llama-8b-instruct-q4", "acme/llama-8b-q4-lora"}},
      {R"(base_model_chain:"publishers/acme/models/root-x")", "", false, {"acme/leaf-x"}},
      {R"(base_model_chain:"publishers/acme/models/root-x")", "", true, {"acme/leaf-x", "acme/mid-x"}},
      {R"(base_model_chain:"publishers/ai2/models/olmo-7b")", "", false, {"ai2/olmo-7b-instruct", "ai2/olmoe"}},
      {R"(base_model_chain:"publishers/nobody/models/x")", "", false, {}},
      {R"(base_model_chain:"publishers/acme/models/cyc-a")", "", false, {"acme/cyc-a", "acme/cyc-b"}},
      {R"(NOT base_model_chain:"publishers/meta/models/llama-8b" AND publisher = "meta")",
       "",
       false,
       {"meta/chameleon", "meta/llama-2-7b", "meta/llama-405b", "meta/llama-70b", "meta/llama-8b"}},
      {R"(base_model_chain:"publishers/meta/models/llama-8b" OR base_model_chain:"publishers/meta/models/llama-70b")",
       "",
       false,
       {"acme/llama-8b-instruct-q4", "acme/llama-8b-q4-lora", "ai2/tulu-70b", "meta/llama-8b-instruct"}},
      {R"(base_model_chain:"publishers/meta/models/llama-8b")",
       "release_date desc",
       false,
       {"acme/llama-8b-instruct-q4", "meta/llama-8b-instruct", "acme/llama-8b-q4-lora"}},
      // labels.KEY, labels:KEY, labels:*, keys with dots and slashes, quotes in values.
      {R"(labels.team = "a")",
       "",
       false,
       {"ai2/olmo-7b", "beta/embed", "meta/llama-70b", "meta/llama-8b", "meta/llama-8b-instruct"}},
      {"labels.team:a",
       "",
       false,
       {"ai2/olmo-7b", "beta/embed", "meta/llama-70b", "meta/llama-8b", "meta/llama-8b-instruct"}},
      {R"(labels.team = "A")", "", false, {"beta/weird.name_x"}},
      {"labels:team", "", false, kTeamLabel},
      {"labels.team:*", "", false, kTeamLabel},
      {R"(labels.team != "a")",
       "",
       false,
       {"acme/llama-8b-instruct-q4", "beta/weird.name_x", "meta/chameleon", "mist/mixtral-8x7b"}},
      {R"(NOT labels.team = "a" AND labels:tier)", "", false, {"beta/chat-2", "meta/llama-405b", "mist/mistral-7b"}},
      {R"(labels.tier > "c")",
       "",
       false,
       {"ai2/olmo-7b", "meta/llama-405b", "meta/llama-70b", "meta/llama-8b", "mist/mistral-7b"}},
      {R"(labels.tier = "g*")", "", false, {"ai2/olmo-7b", "meta/llama-405b", "meta/llama-8b", "mist/mistral-7b"}},
      {R"(labels.tier <= "bronze")", "", false, {"beta/chat-2"}},
      {"labels.env:*", "", false, {"beta/chat-1", "beta/chat-2", "beta/embed"}},
      {"labels:*",
       "",
       false,
       {"acme/llama-8b-instruct-q4", "ai2/olmo-7b", "beta/chat-1", "beta/chat-2", "beta/embed", "beta/weird.name_x",
        "meta/chameleon", "meta/llama-405b", "meta/llama-70b", "meta/llama-8b", "meta/llama-8b-instruct",
        "mist/mistral-7b", "mist/mixtral-8x7b"}},
      {R"(labels.k.with/slash = "it's \"quoted\"")", "", false, {"beta/weird.name_x"}},
      {R"(labels.k.with/slash = 'it\'s "quoted"')", "", false, {"beta/weird.name_x"}},
      {R"(labels.nope = "x")", "", false, {}},
      {R"(labels.team = "a" AND labels.team = "b")", "", false, {}},
      // weights.*
      {"weights.access = GATED_MANUAL_APPROVAL", "", false, {"beta/vision", "meta/chameleon", "meta/llama-70b"}},
      {"weights.access >= GATED_CLICK_THROUGH AND weights.access <= ACCESS_GATED_MANUAL_APPROVAL",
       "",
       false,
       {"acme/sd-like", "beta/vision", "meta/chameleon", "meta/llama-2-7b", "meta/llama-405b", "meta/llama-70b",
        "meta/llama-8b", "meta/llama-8b-instruct", "mist/codestral"}},
      {"weights.access < GATED_CLICK_THROUGH",
       "",
       false,
       {"acme/mystery", "acme/video-gen", "beta/chat-1", "beta/chat-2", "beta/chat-2-mini", "mist/mistral-large"}},
      {R"(weights.license = "licenses/mit")",
       "",
       false,
       {"acme/cyc-a", "acme/cyc-b", "acme/leaf-x", "acme/root-x", "acme/whisper-ish", "beta/embed", "beta/embed-v2"}},
      {R"(weights.license = "mit")",
       "",
       false,
       {"acme/cyc-a", "acme/cyc-b", "acme/leaf-x", "acme/root-x", "acme/whisper-ish", "beta/embed", "beta/embed-v2"}},
      {"NOT weights.license:*", "", false, {"acme/mystery", "acme/video-gen"}},
      {R"(weights.license = "cc-by*")",
       "",
       false,
       {"acme/cc-data-model", "beta/speech", "meta/chameleon", "mist/codestral"}},
      {R"(weights.license != "licenses/apache-2.0" AND publisher = "ai2")", "", false, {"ai2/tulu-70b"}},
      // license.*: the weights license's terms; no license matches nothing, not even `!=`.
      {"license.category = NON_COMMERCIAL", "", false, {"beta/speech", "meta/chameleon", "mist/codestral"}},
      {"license.category = CATEGORY_COMMUNITY", "", false, kLlamaLicensed},
      {"license.category = RESEARCH_ONLY", "", false, {}},
      {"license.category = RESEARCH_ONLY", "", true, {"acme/mid-x"}},
      {"license.category >= NON_COMMERCIAL",
       "",
       false,
       {"beta/chat-1", "beta/chat-2", "beta/chat-2-mini", "beta/speech", "meta/chameleon", "mist/codestral",
        "mist/mistral-large"}},
      {R"(license.osi_approved = true AND publisher = "acme")",
       "",
       false,
       {"acme/cyc-a", "acme/cyc-b", "acme/gpl-coder", "acme/leaf-x", "acme/llama-8b-q4-lora", "acme/root-x",
        "acme/whisper-ish"}},
      {R"(license.osi_approved = false AND publisher = "acme")",
       "",
       false,
       {"acme/bloom-ish", "acme/cc-data-model", "acme/llama-8b-instruct-q4", "acme/sd-like"}},
      {R"(license.osi_approved != true AND publisher = "acme")",
       "",
       false,
       {"acme/bloom-ish", "acme/cc-data-model", "acme/llama-8b-instruct-q4", "acme/sd-like"}},
      {R"(NOT license.osi_approved = true AND publisher = "acme")",
       "",
       false,
       {"acme/bloom-ish", "acme/cc-data-model", "acme/llama-8b-instruct-q4", "acme/mystery", "acme/sd-like",
        "acme/video-gen"}},
      {"license.has_usage_threshold = true", "", false, kLlamaLicensed},
      {R"(license.has_usage_threshold = false AND publisher = "meta")", "", false, {"meta/chameleon"}},
      {"license.has_use_restrictions:true",
       "",
       false,
       {"acme/bloom-ish", "acme/llama-8b-instruct-q4", "acme/sd-like", "ai2/tulu-70b", "meta/llama-2-7b",
        "meta/llama-405b", "meta/llama-70b", "meta/llama-8b", "meta/llama-8b-instruct"}},
      {"license.has_attribution_requirement = true", "", false, kLlamaLicensed},
      {"license.territorial_restrictions:CN",
       "",
       false,
       {"beta/chat-1", "beta/chat-2", "beta/chat-2-mini", "mist/mistral-large"}},
      {"license.territorial_restrictions:EU", "", false, {}},
      // active_parameter_count: set for two mixtures of experts; unknown elsewhere, never matching a comparison.
      {"active_parameter_count:*", "", false, {"ai2/olmoe", "mist/mixtral-8x7b"}},
      {"active_parameter_count < 2000000000", "", false, {"ai2/olmoe"}},
      {"active_parameter_count >= 2000000000 AND parameter_count > 40000000000", "", false, {"mist/mixtral-8x7b"}},
      {"license.commercial_use = PROHIBITED", "", false, {"beta/speech", "meta/chameleon", "mist/codestral"}},
      {"license.commercial_use = CONDITIONAL", "", false, kLlamaLicensed},
      {"license.fsf_libre = true",
       "",
       false,
       {"acme/cyc-a", "acme/cyc-b", "acme/gpl-coder", "acme/leaf-x", "acme/root-x", "acme/whisper-ish", "beta/embed",
        "beta/embed-v2"}},
      {"license.open_data = true", "", false, {"acme/cc-data-model"}},
      {"license.open_data:*", "", false, {"acme/cc-data-model"}},
      // openness.*, data_disclosure.level.
      {"openness.level >= 4",
       "openness.level desc",
       false,
       {"ai2/olmoe", "ai2/olmo-7b-instruct", "ai2/olmo-7b", "ai2/olmo-2-7b"}},
      {"openness.level = 1",
       "",
       false,
       {"acme/mystery", "acme/video-gen", "beta/chat-1", "beta/chat-2", "beta/chat-2-mini", "mist/mistral-large"}},
      {R"(openness.level = 2 AND publisher = "acme")",
       "",
       false,
       {"acme/bloom-ish", "acme/llama-8b-instruct-q4", "acme/sd-like"}},
      {R"(openness.level < 3 AND publisher = "mist")", "", false, {"mist/codestral", "mist/mistral-large"}},
      {R"(publisher = "ai2")",
       "openness.level, release_date desc",
       false,
       {"ai2/tulu-70b", "ai2/molmo", "ai2/olmo-2-7b", "ai2/olmoe", "ai2/olmo-7b-instruct", "ai2/olmo-7b"}},
      {"openness.mof_class = MOF_CLASS_I", "", false, {"ai2/olmo-7b"}},
      {"openness.mof_class > UNCLASSIFIED", "openness.mof_class desc", false, {"ai2/olmo-7b", "ai2/molmo"}},
      {"openness.mof_class >= III", "", false, {"ai2/molmo", "ai2/olmo-7b"}},
      {"openness.osaid_candidate = true", "", false, {"ai2/olmo-7b"}},
      {"openness.flags:USAGE_THRESHOLD", "", false, kLlamaLicensed},
      {"openness.flags:OPENNESS_FLAG_LICENSE_BLOCKED", "", false, {"acme/bloom-ish", "ai2/tulu-70b"}},
      {"openness.flags:MANUAL_APPROVAL_GATE OR openness.flags:NON_COMMERCIAL",
       "",
       false,
       {"beta/speech", "beta/vision", "meta/chameleon", "meta/llama-70b", "mist/codestral"}},
      {"openness.flags:USE_RESTRICTIONS AND NOT openness.flags:USAGE_THRESHOLD",
       "",
       false,
       {"acme/bloom-ish", "acme/sd-like"}},
      {"NOT openness.flags:*",
       "",
       false,
       {"acme/gpl-coder", "acme/video-gen", "ai2/olmo-7b", "ai2/olmo-7b-instruct", "ai2/olmoe", "beta/chat-1",
        "beta/chat-2", "beta/chat-2-mini", "mist/mistral-7b", "mist/mistral-large"}},
      {"data_disclosure.level >= LISTED", "", false, {"ai2/olmo-7b", "ai2/olmo-7b-instruct", "ai2/olmoe"}},
      {"data_disclosure.level = UNDISCLOSED", "", false, {"beta/chat-1", "beta/chat-2"}},
      {"data_disclosure.level:*",
       "",
       false,
       {"ai2/olmo-2-7b", "ai2/olmo-7b", "ai2/olmo-7b-instruct", "ai2/olmoe", "beta/chat-1", "beta/chat-2",
        "meta/llama-8b", "mist/mistral-7b"}},
      // Precedence: NOT binds tightest, then OR, then AND (explicit or implicit); parentheses.
      {R"(publisher = "meta" AND labels.tier = "gold" OR labels.team = "a")",
       "",
       false,
       {"meta/llama-405b", "meta/llama-70b", "meta/llama-8b", "meta/llama-8b-instruct"}},
      {R"(labels.team = "a" OR labels.tier = "gold" publisher = "meta")",
       "",
       false,
       {"meta/llama-405b", "meta/llama-70b", "meta/llama-8b", "meta/llama-8b-instruct"}},
      {R"((publisher = "meta" AND labels.tier = "gold") OR labels.team = "a")",
       "",
       false,
       {"ai2/olmo-7b", "beta/embed", "meta/llama-405b", "meta/llama-70b", "meta/llama-8b", "meta/llama-8b-instruct"}},
      {R"(publisher = "mist" AND NOT modality = TEXT OR treatment = INSTRUCT)",
       "",
       false,
       {"mist/codestral", "mist/mistral-7b-instruct", "mist/mistral-large", "mist/pixtral"}},
      {R"(publisher = "mist" AND NOT (modality = TEXT OR treatment = INSTRUCT))", "", false, {"mist/pixtral"}},
      {R"(-publisher = "meta" publisher:m*)", "", false, kMist},
      {R"(((publisher = "ai2") AND (NOT (family = "olmo" OR family = "olmoe"))))",
       "",
       false,
       {"ai2/molmo", "ai2/olmo-2-7b", "ai2/tulu-70b"}},
      {R"(NOT NOT publisher = "meta")", "", false, kMeta},
      {R"(publisher = "beta" -labels:* -parameter_count:*)", "", false, {"beta/chat-2-mini", "beta/vision"}},
      // delete_time and show_deleted.
      {"delete_time:*", "", false, {}},
      {"delete_time:*", "", true, {"acme/mid-x", "ai2/olmo-1b"}},
      {R"(delete_time >= 2000-01-01 AND publisher = "ai2")", "", true, {"ai2/olmo-1b"}},
      {R"(update_time >= 2000-01-01T00:00:00Z AND publisher = "mist")", "", false, kMist},
  };
  for (const Row& row : rows) CheckModels(row);
}

std::string Rfc3339(const google::protobuf::Timestamp& ts, int offset_hours = 0) {
  const absl::Time t = absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  if (offset_hours == 0) return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6S%Ez", t, absl::FixedTimeZone(offset_hours * 3600));
}

TEST_F(QueryFilterTest, CreateTimeTakesRfc3339AndOrdersByCreation) {
  const size_t n = Specs().size();
  const google::protobuf::Timestamp& pivot = (*created_)[19].create_time();
  auto sorted = [](std::vector<std::string> keys) {
    std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) { return Full(a) < Full(b); });
    return keys;
  };
  const std::vector<std::string> before = LiveKeysInCreationOrder(0, 20);
  const std::vector<std::string> after = LiveKeysInCreationOrder(20, n);
  CheckModels({absl::StrCat("create_time > ", Rfc3339(pivot)), "", false, sorted(after)});
  CheckModels({absl::StrCat("create_time <= ", Rfc3339(pivot)), "", false, sorted(before)});
  CheckModels({absl::StrCat("create_time <= ", Rfc3339(pivot, 2)), "", false, sorted(before)});
  CheckModels({absl::StrCat("create_time <= \"", Rfc3339(pivot, -5), "\""), "", false, sorted(before)});
  CheckModels({absl::StrCat("create_time = ", Rfc3339(pivot)), "", false, {Specs()[19].key}});
  CheckModels({absl::StrCat("create_time != ", Rfc3339(pivot), " AND create_time <= ", Rfc3339(pivot)), "", false,
               sorted(LiveKeysInCreationOrder(0, 19))});
  CheckModels({"create_time < 2000-01-01T00:00:00+02:00", "", false, {}});
  CheckModels({"create_time >= 2000-01-01", "create_time", false, LiveKeysInCreationOrder(0, n)});
  CheckModels({"", "create_time desc", false, Reversed(LiveKeysInCreationOrder(0, n))});
  CheckModels({"", "update_time desc", false, Reversed(LiveKeysInCreationOrder(0, n))});
}

TEST_F(QueryFilterTest, LicenseFilterTable) {
  const std::vector<std::string> all_live = {"apache-2.0", "cc-by-4.0", "cc-by-nc-4.0", "gpl-3.0",
                                             "llama3.1",   "mit",       "openrail",     "proprietary-tos"};
  const std::vector<Row> rows = {
      {"", "", false, all_live},
      {"",
       "",
       true,
       {"apache-2.0", "cc-by-4.0", "cc-by-nc-4.0", "gpl-3.0", "llama3.1", "mit", "old-1.0", "openrail",
        "proprietary-tos"}},
      {"", "name desc", false, Reversed(all_live)},
      {"osi_approved = true", "", false, {"apache-2.0", "gpl-3.0", "mit"}},
      {"osi_approved != true", "", false, {"cc-by-4.0", "cc-by-nc-4.0", "llama3.1", "openrail", "proprietary-tos"}},
      {"usage_thresholds:*", "", false, {"llama3.1"}},
      {"has_usage_threshold = true", "", false, {"llama3.1"}},
      {"use_restrictions:*", "", false, {"llama3.1", "openrail"}},
      {"has_use_restrictions = false AND category = PERMISSIVE", "", false, {"apache-2.0", "mit"}},
      {"has_attribution_requirement = true", "", false, {"llama3.1"}},
      {"territorial_restrictions:*", "", false, {"proprietary-tos"}},
      {"territorial_restrictions:CN", "", false, {"proprietary-tos"}},
      {"territorial_restrictions:EU", "", false, {}},
      {"NOT territorial_restrictions:* AND category = COMMUNITY", "", false, {"llama3.1"}},
      {"category >= NON_COMMERCIAL", "category desc", false, {"proprietary-tos", "cc-by-nc-4.0"}},
      {"category >= NON_COMMERCIAL", "category desc", true, {"proprietary-tos", "old-1.0", "cc-by-nc-4.0"}},
      {"category = RESEARCH_ONLY", "", false, {}},
      {"category = RESEARCH_ONLY", "", true, {"old-1.0"}},
      {"NOT spdx_id:*", "", false, {"llama3.1", "proprietary-tos"}},
      {R"(spdx_id = "CC-BY*")", "", false, {"cc-by-4.0", "cc-by-nc-4.0"}},
      {R"(display_name = "Creative*")", "", false, {"cc-by-4.0", "cc-by-nc-4.0"}},
      {R"(name = "licenses/cc*")", "", false, {"cc-by-4.0", "cc-by-nc-4.0"}},
      {R"(name = "mit")", "", false, {"mit"}},
      {"commercial_use = CONDITIONAL OR commercial_use = PROHIBITED", "", false, {"cc-by-nc-4.0", "llama3.1"}},
      {"fsf_libre = true OR open_data = true", "", false, {"cc-by-4.0", "gpl-3.0", "mit"}},
      {"NOT (osi_approved = true OR category = COMMUNITY) AND commercial_use = ALLOWED",
       "",
       false,
       {"cc-by-4.0", "openrail", "proprietary-tos"}},
      {"",
       "display_name",
       false,
       {"apache-2.0", "openrail", "cc-by-4.0", "cc-by-nc-4.0", "gpl-3.0", "llama3.1", "mit", "proprietary-tos"}},
      {"",
       "category, name",
       false,
       {"apache-2.0", "mit", "gpl-3.0", "cc-by-4.0", "openrail", "llama3.1", "cc-by-nc-4.0", "proprietary-tos"}},
      {"",
       "category desc",
       false,
       {"proprietary-tos", "cc-by-nc-4.0", "llama3.1", "openrail", "cc-by-4.0", "gpl-3.0", "mit", "apache-2.0"}},
      {"delete_time:*", "", false, {}},
      {"delete_time:*", "", true, {"old-1.0"}},
      {"create_time >= 2000-01-01", "", false, all_live},
      {"",
       "create_time",
       false,
       {"apache-2.0", "mit", "gpl-3.0", "cc-by-4.0", "cc-by-nc-4.0", "llama3.1", "openrail", "proprietary-tos"}},
  };
  for (const Row& row : rows) CheckLicenses(row);
}

// A page token is bound to parent, filter, order_by and show_deleted (page_size may change); anything else, or a
// damaged token, is INVALID_ARGUMENT naming page_token.
TEST_F(QueryFilterTest, PageTokenIsBoundToTheRequest) {
  v1::ListModelsRequest first;
  first.set_parent("publishers/-");
  first.set_filter(R"(publisher = "acme")");
  first.set_order_by("release_date desc");
  first.set_page_size(3);
  auto page = Call(server_->models(), &MR::ListModels, first);
  ASSERT_OK(page);
  const std::string token = page->next_page_token();
  ASSERT_FALSE(token.empty());

  v1::ListModelsRequest next = first;
  next.set_page_token(token);
  ASSERT_OK(Call(server_->models(), &MR::ListModels, next));
  next.set_page_size(5);
  EXPECT_OK(Call(server_->models(), &MR::ListModels, next)) << "page_size may change between pages";

  auto expect_rejected = [&](const v1::ListModelsRequest& request, const std::string& what) {
    EXPECT_THAT(Call(server_->models(), &MR::ListModels, request),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")))
        << what;
  };
  v1::ListModelsRequest r = next;
  r.set_filter(R"(publisher = "beta")");
  expect_rejected(r, "another filter");
  r = next;
  r.set_filter(R"(publisher = "acme" )");
  expect_rejected(r, "filter with trailing space");
  r = next;
  r.set_order_by("release_date");
  expect_rejected(r, "another order_by");
  r = next;
  r.set_order_by("name");
  expect_rejected(r, "another order_by");
  r = next;
  r.set_show_deleted(true);
  expect_rejected(r, "show_deleted");
  r = next;
  r.set_parent("publishers/acme");
  expect_rejected(r, "another parent");

  // A ListLicenses token is not a ListModels token, and vice versa.
  v1::ListLicensesRequest licenses;
  licenses.set_page_size(2);
  auto license_page = Call(server_->licenses(), &LC::ListLicenses, licenses);
  ASSERT_OK(license_page);
  ASSERT_FALSE(license_page->next_page_token().empty());
  r = first;
  r.set_page_token(license_page->next_page_token());
  expect_rejected(r, "licenses token");
  licenses.set_page_token(token);
  EXPECT_THAT(Call(server_->licenses(), &LC::ListLicenses, licenses),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  licenses.set_page_token(license_page->next_page_token());
  licenses.set_filter("osi_approved = true");
  EXPECT_THAT(Call(server_->licenses(), &LC::ListLicenses, licenses),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));

  // Damaged tokens.
  std::vector<std::string> corrupt = {"garbage",
                                      "!!!!",
                                      "====",
                                      token.substr(0, token.size() / 2),
                                      token.substr(0, token.size() - 1),
                                      token + "A",
                                      token + token,
                                      std::string(1, token[0] == 'A' ? 'B' : 'A') + token.substr(1),
                                      std::string(5000, 'A'),
                                      std::string("\0\0\0\0", 4),
                                      "AQ"};
  for (const std::string& t : corrupt) {
    r = first;
    r.set_page_token(t);
    expect_rejected(r, absl::StrCat("corrupt token `", t.substr(0, 80), "`"));
  }
  // Flipping any single character gives INVALID_ARGUMENT or (when only the key text changed) a valid page, never
  // another error.
  for (size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'x' ? 'y' : 'x';
    r = first;
    r.set_page_token(t);
    auto result = Call(server_->models(), &MR::ListModels, r);
    if (!result.ok()) {
      EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token"))) << "position " << i;
    }
  }
}

// Forged tokens (right fingerprint, keys chosen by the client) reach PostgreSQL only with values it accepts: the
// extreme valid date and instants run; a year past PostgreSQL's last date or an instant outside years 1-9999 is
// INVALID_ARGUMENT naming page_token, not the database's INTERNAL.
TEST_F(QueryFilterTest, ForgedPageTokenKeysAreCheckedAgainstPostgresRanges) {
  auto list = [&](const char* order_by, const char* key) {
    v1::ListModelsRequest r;
    r.set_parent("publishers/-");
    r.set_order_by(order_by);
    r.set_page_token(MakeNextPageToken(r, {key, "publishers/a/models/b"}));
    return Call(server_->models(), &MR::ListModels, r);
  };
  for (const char* date : {"5874897-12-31", "0001-01-01", "infinity", "-infinity"}) {
    EXPECT_OK(list("release_date", date)) << date;
    EXPECT_OK(list("release_date desc", date)) << date;
  }
  for (const char* date : {"9999999-12-31", "5874898-01-01"}) {
    EXPECT_THAT(list("release_date", date), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")))
        << date;
  }
  for (const char* micros : {"-62135596800000000", "253402300799999999"}) {
    EXPECT_OK(list("create_time", micros)) << micros;
    EXPECT_OK(list("update_time desc", micros)) << micros;
  }
  for (const char* micros : {"-9223372036854775808", "9223372036854775807", "-212760172800000000"}) {
    EXPECT_THAT(list("create_time", micros), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")))
        << micros;
  }
}

}  // namespace
}  // namespace modelreg

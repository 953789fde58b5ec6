// ModelRegistry and LicenseCatalog over real gRPC on loopback, backed by a real PostgreSQL database.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::Call;
using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;

class ModelRegistryTest : public ::modelreg::testing::SharedApiServerTest {
 protected:
  static void SetUpTestSuite() {
    SharedApiServerTest::SetUpTestSuite();
    if (server_ == nullptr) return;
    for (const char* id : {"apache-2.0", "llama3.1", "mit"}) {
      v1::CreateLicenseRequest request;
      request.set_license_id(id);
      request.mutable_license()->set_display_name(id);
      request.mutable_license()->set_osi_approved(std::string(id) != "llama3.1");
      request.mutable_license()->set_category(std::string(id) == "llama3.1" ? v1::License::CATEGORY_COMMUNITY
                                                                            : v1::License::CATEGORY_PERMISSIVE);
      ASSERT_OK(Call(server_->licenses(), &LC::CreateLicense, request));
    }
  }
  static v1::CreateModelRequest CreateRequest(const std::string& publisher, const std::string& id) {
    v1::CreateModelRequest request;
    request.set_parent("publishers/" + publisher);
    request.set_model_id(id);
    request.mutable_model()->set_display_name(id);
    request.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    request.mutable_model()->mutable_weights()->set_license("licenses/apache-2.0");
    return request;
  }

  static absl::StatusOr<v1::Model> Create(const std::string& publisher, const std::string& id) {
    return Call(server_->models(), &MR::CreateModel, CreateRequest(publisher, id));
  }
};

v1::Model EveryFieldSet() {
  v1::Model m;
  m.set_display_name("Round Trip 8B");
  m.set_description("A model with every field set.\nTwo lines.");
  m.set_family("round-trip");
  m.set_version("1.0");
  m.set_release_date("2024-07-23");
  m.set_parameter_count(8030000000);
  m.set_modality(v1::Model::MODALITY_TEXT);
  m.set_architecture("decoder-only transformer");
  m.set_treatment(v1::Model::TREATMENT_INSTRUCT);
  m.set_huggingface_repo("example/round-trip-8b");
  m.set_homepage_uri("https://example.com/round-trip");
  (*m.mutable_labels())["team"] = "eval";
  (*m.mutable_labels())["tier"] = "gold";
  m.set_base_model("publishers/example/models/base-8b");
  m.set_base_model_relation(v1::Model::BASE_MODEL_RELATION_FINETUNE);
  m.mutable_weights()->set_access(v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  m.mutable_weights()->set_license("licenses/llama3.1");
  m.mutable_weights()->set_download_uri("https://huggingface.co/example/round-trip-8b");
  auto* c = m.add_components();
  c->set_kind(v1::COMPONENT_KIND_TRAINING_CODE);
  c->set_status(v1::Component::STATUS_RELEASED);
  c->set_license("licenses/apache-2.0");
  c->set_uri("https://github.com/example/train");
  c = m.add_components();
  c->set_kind(v1::COMPONENT_KIND_DATASETS);
  c->set_status(v1::Component::STATUS_PARTIAL);
  auto* d = m.mutable_data_disclosure();
  d->set_level(v1::DataDisclosure::LEVEL_LISTED);
  auto* ds = d->add_datasets();
  ds->set_display_name("the-pile");
  ds->set_uri("https://pile.eleuther.ai");
  ds->set_license("licenses/mit");
  d->set_complete_description(true);
  d->set_public_sources_listed(false);
  m.add_sources("https://example.com/card");
  m.add_sources("https://example.com/paper");
  return m;
}

TEST_F(ModelRegistryTest, RoundTripsEveryField) {
  v1::CreateModelRequest request;
  request.set_parent("publishers/example");
  request.set_model_id("round-trip-8b");
  *request.mutable_model() = EveryFieldSet();
  auto created = Call(server_->models(), &MR::CreateModel, request);
  ASSERT_OK(created);
  EXPECT_EQ(created->name(), "publishers/example/models/round-trip-8b");
  EXPECT_EQ(created->revision(), 1);
  EXPECT_FALSE(created->etag().empty());
  EXPECT_TRUE(created->has_create_time());
  EXPECT_FALSE(created->has_delete_time());
  EXPECT_GE(created->openness().level(), 1);
  EXPECT_GT(created->openness().rules_version(), 0);

  v1::GetModelRequest get;
  get.set_name(created->name());
  auto fetched = Call(server_->models(), &MR::GetModel, get);
  ASSERT_OK(fetched);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*created, *fetched))
      << created->DebugString() << "\nvs\n"
      << fetched->DebugString();
  // Every user field came back as sent.
  v1::Model user_fields = *fetched;
  for (const char* f : {"name", "create_time", "update_time", "etag", "revision", "openness"}) {
    user_fields.GetReflection()->ClearField(&user_fields, user_fields.GetDescriptor()->FindFieldByName(f));
  }
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(user_fields, EveryFieldSet()))
      << user_fields.DebugString();
}

TEST_F(ModelRegistryTest, DuplicateIsAlreadyExists) {
  ASSERT_OK(Create("dup", "m"));
  EXPECT_THAT(Create("dup", "m"), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(ModelRegistryTest, MissingIsNotFound) {
  v1::GetModelRequest get;
  get.set_name("publishers/nobody/models/nothing");
  EXPECT_THAT(Call(server_->models(), &MR::GetModel, get), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ModelRegistryTest, BadInputIsInvalidArgumentNamingTheFieldAndChangesNothing) {
  auto request = CreateRequest("bad", "m");
  request.mutable_model()->set_release_date("yesterday");
  EXPECT_THAT(Call(server_->models(), &MR::CreateModel, request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model.release_date")));
  request = CreateRequest("bad", "m");
  request.mutable_model()->mutable_weights()->set_license("licenses/no-such-license");
  EXPECT_THAT(Call(server_->models(), &MR::CreateModel, request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model.weights.license")));
  request = CreateRequest("bad", "M");
  EXPECT_THAT(Call(server_->models(), &MR::CreateModel, request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model_id")));
  v1::GetModelRequest get;
  get.set_name("publishers/bad/models/m");
  EXPECT_THAT(Call(server_->models(), &MR::GetModel, get), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ModelRegistryTest, UpdateTouchesOnlyMaskedFieldsAndChecksEtag) {
  auto created = Create("upd", "m");
  ASSERT_OK(created);
  v1::UpdateModelRequest update;
  update.mutable_model()->set_name(created->name());
  update.mutable_model()->set_etag(created->etag());
  update.mutable_model()->set_description("new description");
  update.mutable_model()->set_display_name("ignored: not in the mask");
  update.mutable_update_mask()->add_paths("description");
  auto updated = Call(server_->models(), &MR::UpdateModel, update);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->description(), "new description");
  EXPECT_EQ(updated->display_name(), "m");
  EXPECT_EQ(updated->weights().license(), "licenses/apache-2.0");
  EXPECT_EQ(updated->revision(), 2);
  EXPECT_NE(updated->etag(), created->etag());

  // The first etag is stale now.
  update.mutable_model()->set_description("lost update");
  EXPECT_THAT(Call(server_->models(), &MR::UpdateModel, update), StatusIs(absl::StatusCode::kAborted));
  v1::GetModelRequest get;
  get.set_name(created->name());
  EXPECT_EQ(Call(server_->models(), &MR::GetModel, get)->description(), "new description");

  // A license change recomputes the assessment.
  update.mutable_model()->set_etag(updated->etag());
  update.mutable_model()->mutable_weights()->set_license("licenses/llama3.1");
  update.mutable_update_mask()->set_paths(0, "weights.license");
  auto relicensed = Call(server_->models(), &MR::UpdateModel, update);
  ASSERT_OK(relicensed);
  EXPECT_EQ(relicensed->weights().access(), v1::Weights::ACCESS_OPEN_DOWNLOAD);
  EXPECT_EQ(relicensed->openness().level(), 2);
  EXPECT_EQ(updated->openness().level(), 3);

  update.mutable_model()->set_etag(relicensed->etag());
  update.mutable_update_mask()->set_paths(0, "openness");
  EXPECT_THAT(Call(server_->models(), &MR::UpdateModel, update),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask")));
}

TEST_F(ModelRegistryTest, SoftDeleteShowDeletedAndUndelete) {
  auto created = Create("soft", "m");
  ASSERT_OK(created);
  ASSERT_OK(Create("soft", "other"));
  v1::DeleteModelRequest del;
  del.set_name(created->name());
  del.set_etag("stale");
  EXPECT_THAT(Call(server_->models(), &MR::DeleteModel, del), StatusIs(absl::StatusCode::kAborted));
  del.set_etag(created->etag());
  auto deleted = Call(server_->models(), &MR::DeleteModel, del);
  ASSERT_OK(deleted);
  EXPECT_TRUE(deleted->has_delete_time());
  del.clear_etag();
  EXPECT_THAT(Call(server_->models(), &MR::DeleteModel, del), StatusIs(absl::StatusCode::kNotFound));

  v1::ListModelsRequest list;
  list.set_parent("publishers/soft");
  auto live = Call(server_->models(), &MR::ListModels, list);
  ASSERT_OK(live);
  ASSERT_EQ(live->models_size(), 1);
  EXPECT_EQ(live->models(0).name(), "publishers/soft/models/other");
  list.set_show_deleted(true);
  EXPECT_EQ(Call(server_->models(), &MR::ListModels, list)->models_size(), 2);

  // A soft-deleted model keeps its name: it cannot be created again, only undeleted.
  EXPECT_THAT(Create("soft", "m"), StatusIs(absl::StatusCode::kAlreadyExists));
  v1::UndeleteModelRequest undelete;
  undelete.set_name(created->name());
  auto restored = Call(server_->models(), &MR::UndeleteModel, undelete);
  ASSERT_OK(restored);
  EXPECT_FALSE(restored->has_delete_time());
  EXPECT_THAT(Call(server_->models(), &MR::UndeleteModel, undelete), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(ModelRegistryTest, LicenseDeleteBlockedWhileReferenced) {
  v1::CreateLicenseRequest create;
  create.set_license_id("blocked-1.0");
  create.mutable_license()->set_display_name("Blocked");
  auto license = Call(server_->licenses(), &LC::CreateLicense, create);
  ASSERT_OK(license);
  auto request = CreateRequest("lic", "user");
  request.mutable_model()->mutable_weights()->set_license("licenses/blocked-1.0");
  auto model = Call(server_->models(), &MR::CreateModel, request);
  ASSERT_OK(model);

  v1::DeleteLicenseRequest del;
  del.set_name("licenses/blocked-1.0");
  EXPECT_THAT(Call(server_->licenses(), &LC::DeleteLicense, del),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("publishers/lic/models/user")));
  v1::GetLicenseRequest get;
  get.set_name("licenses/blocked-1.0");
  EXPECT_FALSE(Call(server_->licenses(), &LC::GetLicense, get)->has_delete_time());

  v1::DeleteModelRequest del_model;
  del_model.set_name(model->name());
  ASSERT_OK(Call(server_->models(), &MR::DeleteModel, del_model));
  auto deleted = Call(server_->licenses(), &LC::DeleteLicense, del);
  ASSERT_OK(deleted);
  EXPECT_TRUE(deleted->has_delete_time());
  // New references to a deleted license are refused, and so is undeleting a model that uses it.
  request.set_model_id("late");
  EXPECT_THAT(Call(server_->models(), &MR::CreateModel, request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deleted")));
  v1::UndeleteModelRequest undelete;
  undelete.set_name(model->name());
  EXPECT_THAT(Call(server_->models(), &MR::UndeleteModel, undelete),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("undelete that license first")));
  v1::UndeleteLicenseRequest undelete_license;
  undelete_license.set_name("licenses/blocked-1.0");
  ASSERT_OK(Call(server_->licenses(), &LC::UndeleteLicense, undelete_license));
  ASSERT_OK(Call(server_->models(), &MR::UndeleteModel, undelete));
}

TEST_F(ModelRegistryTest, LicenseCrudAndUpdateReassessesModels) {
  v1::CreateLicenseRequest create;
  create.set_license_id("flip-1.0");
  create.mutable_license()->set_display_name("Flip");
  create.mutable_license()->set_osi_approved(true);
  auto license = Call(server_->licenses(), &LC::CreateLicense, create);
  ASSERT_OK(license);
  EXPECT_THAT(Call(server_->licenses(), &LC::CreateLicense, create), StatusIs(absl::StatusCode::kAlreadyExists));
  auto request = CreateRequest("flip", "m");
  request.mutable_model()->mutable_weights()->set_license("licenses/flip-1.0");
  auto model = Call(server_->models(), &MR::CreateModel, request);
  ASSERT_OK(model);
  EXPECT_EQ(model->openness().level(), 3);

  v1::UpdateLicenseRequest update;
  update.mutable_license()->set_name("licenses/flip-1.0");
  update.mutable_license()->set_etag(license->etag());
  auto* threshold = update.mutable_license()->add_usage_thresholds();
  threshold->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  threshold->set_limit(700000000);
  threshold->set_consequence(v1::License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
  update.mutable_update_mask()->add_paths("usage_thresholds");
  auto updated = Call(server_->licenses(), &LC::UpdateLicense, update);
  ASSERT_OK(updated);
  EXPECT_TRUE(updated->osi_approved());
  EXPECT_EQ(updated->usage_thresholds_size(), 1);
  EXPECT_THAT(Call(server_->licenses(), &LC::UpdateLicense, update), StatusIs(absl::StatusCode::kAborted));
  ASSERT_OK(server_->WaitUntilReassessed());  // in the background (license_reassessment_test.cc)

  v1::GetModelRequest get;
  get.set_name(model->name());
  auto reassessed = Call(server_->models(), &MR::GetModel, get);
  ASSERT_OK(reassessed);
  EXPECT_EQ(reassessed->openness().level(), 2);
  EXPECT_THAT(reassessed->openness().flags(), ::testing::Contains(v1::OPENNESS_FLAG_USAGE_THRESHOLD));

  v1::ListLicensesRequest list;
  list.set_page_size(2);
  std::set<std::string> names;
  for (;;) {
    auto page = Call(server_->licenses(), &LC::ListLicenses, list);
    ASSERT_OK(page);
    for (const auto& l : page->licenses()) EXPECT_TRUE(names.insert(l.name()).second) << l.name();
    if (page->next_page_token().empty()) break;
    list.set_page_token(page->next_page_token());
  }
  EXPECT_TRUE(names.count("licenses/flip-1.0"));
  EXPECT_TRUE(names.count("licenses/apache-2.0"));
}

TEST_F(ModelRegistryTest, ClassifyDoesNotStore) {
  v1::ClassifyModelRequest request;
  request.mutable_model()->set_name("publishers/classify/models/m");
  request.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_API_ONLY);
  request.mutable_model()->mutable_weights()->set_license("licenses/llama3.1");
  auto openness = Call(server_->models(), &MR::ClassifyModel, request);
  ASSERT_OK(openness);
  EXPECT_EQ(openness->level(), 1);
  EXPECT_FALSE(openness->reasons().empty());
  v1::GetModelRequest get;
  get.set_name("publishers/classify/models/m");
  EXPECT_THAT(Call(server_->models(), &MR::GetModel, get), StatusIs(absl::StatusCode::kNotFound));
  request.mutable_model()->mutable_weights()->set_license("licenses/unknown");
  EXPECT_THAT(Call(server_->models(), &MR::ClassifyModel, request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model.weights.license")));
}

TEST_F(ModelRegistryTest, BatchCreateIsAllOrNothing) {
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/batch");
  for (int i = 0; i < 5; ++i) *batch.add_requests() = CreateRequest("batch", absl::StrCat("m", i));
  batch.mutable_requests(4)->mutable_model()->mutable_weights()->set_license("licenses/nope");
  EXPECT_THAT(Call(server_->models(), &MR::BatchCreateModels, batch),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("requests[4].model.weights.license")));
  v1::ListModelsRequest list;
  list.set_parent("publishers/batch");
  EXPECT_EQ(Call(server_->models(), &MR::ListModels, list)->models_size(), 0);
  batch.mutable_requests(4)->mutable_model()->mutable_weights()->set_license("licenses/mit");
  auto created = Call(server_->models(), &MR::BatchCreateModels, batch);
  ASSERT_OK(created);
  EXPECT_EQ(created->models_size(), 5);
  EXPECT_EQ(Call(server_->models(), &MR::ListModels, list)->models_size(), 5);
}

TEST_F(ModelRegistryTest, ListOf1234ModelsInPagesOf100ReturnsEachOnce) {
  for (int start = 0; start < 1234; start += 500) {
    v1::BatchCreateModelsRequest batch;
    batch.set_parent("publishers/many");
    for (int i = start; i < std::min(1234, start + 500); ++i) {
      *batch.add_requests() = CreateRequest("many", absl::StrCat("model-", i));
    }
    ASSERT_OK(Call(server_->models(), &MR::BatchCreateModels, batch));
  }
  v1::ListModelsRequest list;
  list.set_parent("publishers/many");
  list.set_page_size(100);
  std::set<std::string> seen;
  int pages = 0;
  std::string previous;
  for (;;) {
    auto page = Call(server_->models(), &MR::ListModels, list);
    ASSERT_OK(page);
    ++pages;
    EXPECT_LE(page->models_size(), 100);
    for (const auto& m : page->models()) {
      EXPECT_TRUE(seen.insert(m.name()).second) << "twice: " << m.name();
      EXPECT_LT(previous, m.name());
      previous = m.name();
    }
    if (page->next_page_token().empty()) break;
    list.set_page_token(page->next_page_token());
  }
  EXPECT_EQ(seen.size(), 1234u);
  EXPECT_EQ(pages, 13);

  list.set_page_size(-1);
  EXPECT_THAT(Call(server_->models(), &MR::ListModels, list),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
  list.set_page_size(100);
  list.set_page_token("garbage");
  EXPECT_THAT(Call(server_->models(), &MR::ListModels, list),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

}  // namespace
}  // namespace modelreg

// ModelService over in-memory stores: the orchestration of the ModelRegistry API (names, validation, license
// resolution, openness, update masks, etags, soft-delete rules, list checking) without PostgreSQL. The same RPCs over
// gRPC and PostgreSQL are tested in tests/integration/api/model_registry_test.cc.
#include "server/service/model_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/limits.h"
#include "server/domain/openness/assessment.h"
#include "server/domain/validation.h"
#include "tests/support/status_matchers.h"
#include "tests/unit/service/fake_repositories.h"
#include "tests/unit/service/service_test_data.h"

namespace modelreg {
namespace {

using ::modelreg::testing::CreateModelRequest;
using ::modelreg::testing::FakeStores;
using ::modelreg::testing::OpenLicense;
using ::modelreg::testing::SoftDeleteLicense;
using ::modelreg::testing::StatusIs;
using ::modelreg::testing::ThresholdLicense;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kApache[] = "licenses/apache-2.0";
constexpr char kLlama[] = "licenses/llama3.1";

class ModelServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(stores_.licenses.Create(OpenLicense("apache-2.0")));
    ASSERT_OK(stores_.licenses.Create(OpenLicense("mit")));
    ASSERT_OK(stores_.licenses.Create(ThresholdLicense("llama3.1")));
  }

  absl::StatusOr<v1::Model> Create(const std::string& publisher, const std::string& id,
                                   const std::string& license = kApache) {
    return service_.CreateModel(CreateModelRequest(publisher, id, license));
  }

  absl::StatusOr<v1::Model> Stored(const std::string& name) { return stores_.models.Get(name); }

  absl::StatusOr<v1::Model> Delete(const std::string& name, const std::string& etag = "") {
    v1::DeleteModelRequest request;
    request.set_name(name);
    request.set_etag(etag);
    return service_.DeleteModel(request);
  }

  absl::StatusOr<v1::Model> Undelete(const std::string& name, const std::string& etag = "") {
    v1::UndeleteModelRequest request;
    request.set_name(name);
    request.set_etag(etag);
    return service_.UndeleteModel(request);
  }

  // An update of `name` whose mask is `paths`; the caller fills the patch.
  static v1::UpdateModelRequest Update(const std::string& name, const std::vector<std::string>& paths,
                                       const std::string& etag = "") {
    v1::UpdateModelRequest request;
    request.mutable_model()->set_name(name);
    request.mutable_model()->set_etag(etag);
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    return request;
  }

  FakeStores stores_;
  ModelService service_{&stores_.models, &stores_.licenses};
};

// ---- CreateModel ----

TEST_F(ModelServiceTest, CreateModelAssessesOpennessFromTheLicenseTerms) {
  auto open = Create("acme", "open-7b");
  ASSERT_OK(open);
  EXPECT_EQ(open->name(), "publishers/acme/models/open-7b");
  EXPECT_EQ(open->openness().level(), 3);
  EXPECT_EQ(open->openness().level_name(), "open weights, permissive license");
  EXPECT_EQ(open->openness().rules_version(), kRulesVersion);
  EXPECT_THAT(open->openness().flags(), Not(Contains(v1::OPENNESS_FLAG_USAGE_THRESHOLD)));
  // The service computed it: the store received the assessment.
  ASSERT_EQ(stores_.models.last_create_input().size(), 1u);
  EXPECT_EQ(stores_.models.last_create_input()[0].openness().level(), 3);

  auto threshold = Create("acme", "community-8b", kLlama);
  ASSERT_OK(threshold);
  EXPECT_EQ(threshold->openness().level(), 2);
  EXPECT_EQ(threshold->openness().level_name(), "open weights, restrictive license");
  EXPECT_THAT(threshold->openness().flags(), Contains(v1::OPENNESS_FLAG_USAGE_THRESHOLD));
  EXPECT_EQ(stores_.models.last_create_input()[0].openness().level(), 2);

  auto request = CreateModelRequest("acme", "api-only");
  request.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_API_ONLY);
  auto closed = service_.CreateModel(request);
  ASSERT_OK(closed);
  EXPECT_EQ(closed->openness().level(), 1);
}

TEST_F(ModelServiceTest, CreateModelIgnoresOutputOnlyFieldsOfTheRequest) {
  auto request = CreateModelRequest("acme", "m");
  v1::Model& model = *request.mutable_model();
  model.set_name("publishers/elsewhere/models/other");
  model.set_revision(42);
  model.set_etag("forged");
  model.mutable_create_time()->set_seconds(1);
  model.mutable_update_time()->set_seconds(2);
  model.mutable_delete_time()->set_seconds(3);
  model.mutable_openness()->set_level(5);
  model.mutable_openness()->set_rules_version(99);
  model.mutable_openness()->set_osaid_candidate(true);

  auto created = service_.CreateModel(request);
  ASSERT_OK(created);
  ASSERT_EQ(stores_.models.last_create_input().size(), 1u);
  const v1::Model& sent = stores_.models.last_create_input()[0];
  EXPECT_EQ(sent.name(), "publishers/acme/models/m");  // from parent and model_id
  EXPECT_EQ(sent.revision(), 0);
  EXPECT_EQ(sent.etag(), "");
  EXPECT_FALSE(sent.has_create_time());
  EXPECT_FALSE(sent.has_update_time());
  EXPECT_FALSE(sent.has_delete_time());
  EXPECT_EQ(sent.openness().level(), 3);
  EXPECT_EQ(sent.openness().rules_version(), kRulesVersion);
  EXPECT_FALSE(sent.openness().osaid_candidate());

  EXPECT_EQ(created->name(), "publishers/acme/models/m");
  EXPECT_EQ(created->revision(), 1);
  EXPECT_NE(created->etag(), "forged");
  EXPECT_FALSE(created->has_delete_time());
  EXPECT_EQ(created->openness().level(), 3);
}

TEST_F(ModelServiceTest, CreateModelRejectsUnknownAndDeletedLicensesNamingTheField) {
  EXPECT_THAT(Create("acme", "m", "licenses/nope"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("model.weights.license:"), HasSubstr("unknown license `licenses/nope`"))));

  auto request = CreateModelRequest("acme", "m");
  auto* code = request.mutable_model()->add_components();
  code->set_kind(v1::COMPONENT_KIND_TRAINING_CODE);
  code->set_status(v1::Component::STATUS_RELEASED);
  code->set_license(kApache);
  auto* data = request.mutable_model()->add_components();
  data->set_kind(v1::COMPONENT_KIND_DATASETS);
  data->set_status(v1::Component::STATUS_RELEASED);
  data->set_license("licenses/missing-data");
  EXPECT_THAT(service_.CreateModel(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("model.components[1].license:"), HasSubstr("licenses/missing-data"))));

  request = CreateModelRequest("acme", "m");
  request.mutable_model()->mutable_data_disclosure()->add_datasets()->set_license("licenses/missing-data");
  EXPECT_THAT(service_.CreateModel(request),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("model.data_disclosure.datasets[0].license:")));

  ASSERT_OK(stores_.licenses.Create(OpenLicense("retired-1.0")));
  ASSERT_OK(SoftDeleteLicense(stores_.licenses, "licenses/retired-1.0"));
  EXPECT_THAT(Create("acme", "m", "licenses/retired-1.0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("model.weights.license:"), HasSubstr("`licenses/retired-1.0` is deleted"))));

  // Malformed references are caught by validation, before any lookup.
  const int lookups = stores_.licenses.calls().get_many;
  EXPECT_THAT(Create("acme", "m", "apache-2.0"),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("model.weights.license:")));
  EXPECT_EQ(stores_.licenses.calls().get_many, lookups);

  EXPECT_EQ(stores_.models.calls().create, 0);
  EXPECT_EQ(stores_.models.size(), 0u);
}

TEST_F(ModelServiceTest, CreateModelRejectsBadNamesAndFieldsNamingTheField) {
  auto request = CreateModelRequest("acme", "m");
  request.set_parent("publisher/acme");
  EXPECT_THAT(service_.CreateModel(request), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("parent:")));
  request.set_parent("publishers/-");  // the wildcard is for batches and lists only
  EXPECT_THAT(service_.CreateModel(request), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("parent:")));

  for (const char* id : {"", "Upper", "-leading-dash", "has/slash"}) {
    EXPECT_THAT(Create("acme", id), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("model_id:"))) << id;
  }
  EXPECT_THAT(Create("acme", std::string(64, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("model_id:")));

  request = CreateModelRequest("acme", "m");
  request.mutable_model()->set_release_date("yesterday");
  EXPECT_THAT(service_.CreateModel(request),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("model.release_date:")));
  request = CreateModelRequest("acme", "m");
  request.mutable_model()->set_base_model("publishers/acme/models/m");
  EXPECT_THAT(service_.CreateModel(request),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("model.base_model:")));

  EXPECT_EQ(stores_.models.calls().create, 0);
}

TEST_F(ModelServiceTest, CreateModelReturnsAlreadyExistsFromTheStore) {
  ASSERT_OK(Create("acme", "m"));
  EXPECT_THAT(Create("acme", "m"), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("publishers/acme/models/m")));
  // A soft-deleted model keeps its name.
  ASSERT_OK(Delete("publishers/acme/models/m"));
  EXPECT_THAT(Create("acme", "m"), StatusIs(absl::StatusCode::kAlreadyExists));
}

// ---- BatchCreateModels ----

TEST_F(ModelServiceTest, BatchCreateModelsTakesOneToAThousandRequests) {
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/bulk");
  EXPECT_THAT(service_.BatchCreateModels(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("requests: must hold 1 to 1000 requests")));

  for (int i = 0; i < kMaxBatch + 1; ++i) {
    *batch.add_requests() = CreateModelRequest("bulk", absl::StrCat("m-", i));
  }
  EXPECT_THAT(service_.BatchCreateModels(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("requests: must hold 1 to 1000 requests")));
  EXPECT_EQ(stores_.models.calls().create_batch, 0);

  batch.mutable_requests()->RemoveLast();
  auto created = service_.BatchCreateModels(batch);
  ASSERT_OK(created);
  EXPECT_EQ(created->models_size(), kMaxBatch);
  EXPECT_EQ(created->models(999).name(), "publishers/bulk/models/m-999");
  EXPECT_EQ(stores_.models.calls().create_batch, 1);
  EXPECT_EQ(stores_.models.size(), 1000u);
}

// A model of about `bytes` serialized (within every field limit).
v1::Model ModelOfSize(size_t bytes) {
  v1::Model model;
  model.set_description(std::string(kMaxText, 'd'));
  const std::string uri = "https://example.com/" + std::string(kMaxUri - 20, 'u');
  while (model.ByteSizeLong() + uri.size() < bytes) {
    if (model.sources_size() < kMaxRepeated) {
      model.add_sources(uri);
    } else {
      model.mutable_data_disclosure()->add_datasets()->set_uri(uri);
    }
  }
  return model;
}

TEST_F(ModelServiceTest, RecordsAndBatchesOverTheirSizeAreRefusedBeforeTheStore) {
  v1::CreateModelRequest request = CreateModelRequest("acme", "big");
  *request.mutable_model() = ModelOfSize(kMaxRecordBytes + 1024);
  EXPECT_THAT(service_.CreateModel(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("model: the record is "), HasSubstr("maximum record size of 262144 bytes"))));

  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/acme");
  for (int i = 0; i < 3; ++i) *batch.add_requests() = CreateModelRequest("acme", absl::StrCat("m", i));
  *batch.mutable_requests(1)->mutable_model() = request.model();
  EXPECT_THAT(service_.BatchCreateModels(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("requests[1].model: the record is ")));

  // Every record allowed, their total over what one response may carry (768 KiB with 1 MiB messages).
  SetMaxMessageBytes(kMinMaxMessageBytes);
  batch.clear_requests();
  for (int i = 0; i < 4; ++i) {
    *batch.add_requests() = CreateModelRequest("acme", absl::StrCat("m", i));
    *batch.mutable_requests(i)->mutable_model() = ModelOfSize(200 << 10);
  }
  const auto refused = service_.BatchCreateModels(batch);
  batch.mutable_requests()->RemoveLast();
  const auto accepted = service_.BatchCreateModels(batch);
  SetMaxMessageBytes(kDefaultMaxMessageBytes);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument,
                                AllOf(StartsWith("requests: the batch's models total "),
                                      HasSubstr("over the 786432 bytes one response may carry"))));
  EXPECT_OK(accepted);
  EXPECT_EQ(stores_.models.calls().create_batch, 1);
  EXPECT_EQ(stores_.models.size(), 3u);
}

TEST_F(ModelServiceTest, BatchCreateModelsNamesTheFailingItemAndWritesNothing) {
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/acme");
  for (int i = 0; i < 3; ++i) *batch.add_requests() = CreateModelRequest("acme", absl::StrCat("m", i));

  auto bad = batch;
  bad.mutable_requests(1)->set_model_id("Bad_Id");
  EXPECT_THAT(service_.BatchCreateModels(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("requests[1].model_id:")));

  bad = batch;
  bad.mutable_requests(2)->set_parent("publishers/other");
  EXPECT_THAT(service_.BatchCreateModels(bad),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("requests[2].parent:"), HasSubstr("differs from the batch's parent"))));

  bad = batch;
  bad.mutable_requests(2)->mutable_model()->mutable_weights()->set_license("licenses/nope");
  EXPECT_THAT(service_.BatchCreateModels(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("requests[2].model.weights.license:")));

  bad = batch;
  bad.mutable_requests(0)->mutable_model()->set_release_date("2024-13-01");
  EXPECT_THAT(service_.BatchCreateModels(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("requests[0].model.release_date:")));

  bad = batch;
  bad.set_parent("publishers/Acme");
  EXPECT_THAT(service_.BatchCreateModels(bad), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("parent:")));

  EXPECT_EQ(stores_.models.calls().create_batch, 0);
  EXPECT_EQ(stores_.models.size(), 0u);
}

TEST_F(ModelServiceTest, BatchCreateModelsWithWildcardParentNeedsEachItemsParent) {
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/-");
  *batch.add_requests() = CreateModelRequest("alpha", "m");
  *batch.add_requests() = CreateModelRequest("beta", "m", kLlama);
  auto created = service_.BatchCreateModels(batch);
  ASSERT_OK(created);
  ASSERT_EQ(created->models_size(), 2);
  EXPECT_EQ(created->models(0).name(), "publishers/alpha/models/m");
  EXPECT_EQ(created->models(1).name(), "publishers/beta/models/m");
  // Each item is assessed against its own licenses.
  EXPECT_EQ(created->models(0).openness().level(), 3);
  EXPECT_EQ(created->models(1).openness().level(), 2);

  batch.mutable_requests(1)->clear_parent();  // falls back to the batch's `publishers/-`
  batch.mutable_requests(1)->set_model_id("other");
  EXPECT_THAT(service_.BatchCreateModels(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("requests[1].parent:")));
}

TEST_F(ModelServiceTest, BatchCreateModelsClearsOutputOnlyFieldsAndSharesLicenseLookups) {
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/acme");
  for (int i = 0; i < 5; ++i) {
    auto* item = batch.add_requests();
    *item = CreateModelRequest("", absl::StrCat("m", i), i < 4 ? kApache : kLlama);
    item->clear_parent();  // the batch's parent applies
    item->mutable_model()->set_revision(7);
    item->mutable_model()->mutable_delete_time()->set_seconds(5);
    item->mutable_model()->mutable_openness()->set_level(5);
  }
  const int lookups = stores_.licenses.calls().get_many;
  ASSERT_OK(service_.BatchCreateModels(batch));
  // Two distinct license sets: two lookups, not five.
  EXPECT_EQ(stores_.licenses.calls().get_many - lookups, 2);
  ASSERT_EQ(stores_.models.last_create_input().size(), 5u);
  for (const v1::Model& sent : stores_.models.last_create_input()) {
    EXPECT_EQ(sent.revision(), 0) << sent.name();
    EXPECT_FALSE(sent.has_delete_time()) << sent.name();
    EXPECT_EQ(sent.openness().level(), sent.name() == "publishers/acme/models/m4" ? 2 : 3) << sent.name();
  }
}

TEST_F(ModelServiceTest, BatchCreateModelsIsAllOrNothing) {
  ASSERT_OK(Create("acme", "m1"));
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/acme");
  for (int i = 0; i < 3; ++i) *batch.add_requests() = CreateModelRequest("acme", absl::StrCat("m", i));
  EXPECT_THAT(service_.BatchCreateModels(batch),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("publishers/acme/models/m1")));
  EXPECT_EQ(stores_.models.size(), 1u);
  EXPECT_THAT(Stored("publishers/acme/models/m0"), StatusIs(absl::StatusCode::kNotFound));
}

// ---- GetModel ----

TEST_F(ModelServiceTest, GetModelChecksTheNameAndReturnsSoftDeletedModels) {
  v1::GetModelRequest get;
  get.set_name("publishers/acme/m");
  EXPECT_THAT(service_.GetModel(get), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("name:")));
  EXPECT_EQ(stores_.models.calls().get, 0);
  get.set_name("publishers/acme/models/missing");
  EXPECT_THAT(service_.GetModel(get), StatusIs(absl::StatusCode::kNotFound));

  ASSERT_OK(Create("acme", "m"));
  ASSERT_OK(Delete("publishers/acme/models/m"));
  get.set_name("publishers/acme/models/m");
  auto deleted = service_.GetModel(get);
  ASSERT_OK(deleted);
  EXPECT_TRUE(deleted->has_delete_time());
}

// ---- UpdateModel ----

TEST_F(ModelServiceTest, UpdateModelChangesOnlyTheMaskedFields) {
  auto request = CreateModelRequest("acme", "m");
  request.mutable_model()->set_description("old");
  request.mutable_model()->set_family("fam");
  (*request.mutable_model()->mutable_labels())["team"] = "a";
  request.mutable_model()->mutable_weights()->set_download_uri("https://example.com/old");
  auto created = service_.CreateModel(request);
  ASSERT_OK(created);

  auto update = Update(created->name(), {"description", "weights.download_uri"}, created->etag());
  update.mutable_model()->set_description("new");
  update.mutable_model()->set_display_name("not in the mask");
  update.mutable_model()->clear_labels();
  update.mutable_model()->mutable_weights()->set_download_uri("https://example.com/new");
  // weights.access and weights.license are unset in the patch: a nested path must not clear them.
  auto updated = service_.UpdateModel(update);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->description(), "new");
  EXPECT_EQ(updated->weights().download_uri(), "https://example.com/new");
  EXPECT_EQ(updated->display_name(), "m");
  EXPECT_EQ(updated->family(), "fam");
  EXPECT_EQ(updated->labels().at("team"), "a");
  EXPECT_EQ(updated->weights().access(), v1::Weights::ACCESS_OPEN_DOWNLOAD);
  EXPECT_EQ(updated->weights().license(), kApache);
  EXPECT_EQ(updated->openness().level(), 3);
  EXPECT_EQ(updated->revision(), 2);
  EXPECT_NE(updated->etag(), created->etag());
  EXPECT_EQ(Stored(created->name())->description(), "new");

  // A repeated or map path replaces the field.
  update = Update(created->name(), {"labels"});
  (*update.mutable_model()->mutable_labels())["tier"] = "gold";
  updated = service_.UpdateModel(update);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->labels().size(), 1u);
  EXPECT_EQ(updated->labels().at("tier"), "gold");
}

TEST_F(ModelServiceTest, UpdateModelRejectsImmutableAndUnknownPaths) {
  auto created = Create("acme", "m");
  ASSERT_OK(created);
  for (const char* path :
       {"name", "create_time", "update_time", "delete_time", "etag", "revision", "openness", "openness.level"}) {
    auto update = Update(created->name(), {path});
    update.mutable_model()->mutable_openness()->set_level(5);
    EXPECT_THAT(
        service_.UpdateModel(update),
        StatusIs(absl::StatusCode::kInvalidArgument, AllOf(StartsWith("update_mask:"), HasSubstr("cannot be updated"))))
        << path;
  }
  EXPECT_THAT(service_.UpdateModel(Update(created->name(), {"no_such_field"})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("update_mask:"), HasSubstr("is not a field of Model"))));
  EXPECT_THAT(service_.UpdateModel(Update(created->name(), {})),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("update_mask:")));

  // Invalid values in masked fields name the field; the stored model is untouched.
  auto update = Update(created->name(), {"release_date"});
  update.mutable_model()->set_release_date("soon");
  EXPECT_THAT(service_.UpdateModel(update),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("model.release_date:")));

  auto stored = Stored(created->name());
  ASSERT_OK(stored);
  EXPECT_EQ(stored->revision(), 1);
  EXPECT_EQ(stored->openness().level(), 3);
}

TEST_F(ModelServiceTest, UpdateModelWithAStaleEtagIsAborted) {
  auto created = Create("acme", "m");
  ASSERT_OK(created);
  auto first = Update(created->name(), {"description"}, created->etag());
  first.mutable_model()->set_description("first");
  ASSERT_OK(service_.UpdateModel(first));

  auto lost = Update(created->name(), {"description"}, created->etag());
  lost.mutable_model()->set_description("lost update");
  EXPECT_THAT(service_.UpdateModel(lost),
              StatusIs(absl::StatusCode::kAborted, AllOf(StartsWith("etag:"), HasSubstr("is stale"))));
  EXPECT_EQ(Stored(created->name())->description(), "first");
  EXPECT_EQ(Stored(created->name())->revision(), 2);

  // Without an etag the update is unconditional.
  lost.mutable_model()->clear_etag();
  ASSERT_OK(service_.UpdateModel(lost));
  EXPECT_EQ(Stored(created->name())->description(), "lost update");
}

TEST_F(ModelServiceTest, UpdateModelOfADeletedOrMissingModelIsNotFound) {
  auto created = Create("acme", "m");
  ASSERT_OK(created);
  ASSERT_OK(Delete(created->name()));
  auto update = Update(created->name(), {"description"});
  update.mutable_model()->set_description("x");
  EXPECT_THAT(service_.UpdateModel(update), StatusIs(absl::StatusCode::kNotFound, HasSubstr("is deleted")));
  EXPECT_EQ(Stored(created->name())->description(), "");
  EXPECT_TRUE(Stored(created->name())->has_delete_time());

  update.mutable_model()->set_name("publishers/acme/models/missing");
  EXPECT_THAT(service_.UpdateModel(update), StatusIs(absl::StatusCode::kNotFound));

  update.mutable_model()->set_name("models/missing");
  EXPECT_THAT(service_.UpdateModel(update), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("model.name:")));
}

TEST_F(ModelServiceTest, UpdateModelRecomputesOpennessWhenTheLicenseChanges) {
  auto created = Create("acme", "m");
  ASSERT_OK(created);
  ASSERT_EQ(created->openness().level(), 3);

  const int reads_in_tx = stores_.licenses.calls().get_many_in_tx;
  auto update = Update(created->name(), {"weights.license"}, created->etag());
  update.mutable_model()->mutable_weights()->set_license(kLlama);
  auto relicensed = service_.UpdateModel(update);
  ASSERT_OK(relicensed);
  EXPECT_EQ(relicensed->weights().access(), v1::Weights::ACCESS_OPEN_DOWNLOAD);
  EXPECT_EQ(relicensed->openness().level(), 2);
  EXPECT_THAT(relicensed->openness().flags(), Contains(v1::OPENNESS_FLAG_USAGE_THRESHOLD));
  EXPECT_EQ(Stored(created->name())->openness().level(), 2);
  // The licenses were read inside the update's transaction.
  EXPECT_GT(stores_.licenses.calls().get_many_in_tx, reads_in_tx);

  // Facts other than licenses count too.
  update = Update(created->name(), {"weights.access"});
  update.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_API_ONLY);
  auto closed = service_.UpdateModel(update);
  ASSERT_OK(closed);
  EXPECT_EQ(closed->openness().level(), 1);

  // An unknown or deleted license is refused, naming the field; nothing changes.
  update = Update(created->name(), {"weights.license"});
  update.mutable_model()->mutable_weights()->set_license("licenses/nope");
  EXPECT_THAT(service_.UpdateModel(update),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("model.weights.license:"), HasSubstr("unknown license"))));
  ASSERT_OK(stores_.licenses.Create(OpenLicense("retired-1.0")));
  ASSERT_OK(SoftDeleteLicense(stores_.licenses, "licenses/retired-1.0"));
  update.mutable_model()->mutable_weights()->set_license("licenses/retired-1.0");
  EXPECT_THAT(service_.UpdateModel(update),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("model.weights.license:"), HasSubstr("is deleted"))));
  EXPECT_EQ(Stored(created->name())->weights().license(), kLlama);
  EXPECT_EQ(Stored(created->name())->revision(), 3);
}

// ---- DeleteModel / UndeleteModel ----

TEST_F(ModelServiceTest, DeleteModelSoftDeletesOnce) {
  auto created = Create("acme", "m");
  ASSERT_OK(created);
  EXPECT_THAT(Delete(created->name(), "stale"), StatusIs(absl::StatusCode::kAborted));
  EXPECT_FALSE(Stored(created->name())->has_delete_time());

  auto deleted = Delete(created->name(), created->etag());
  ASSERT_OK(deleted);
  EXPECT_TRUE(deleted->has_delete_time());
  EXPECT_EQ(deleted->revision(), 2);
  EXPECT_EQ(deleted->openness().level(), 3);  // the record is kept as it was

  EXPECT_THAT(Delete(created->name()), StatusIs(absl::StatusCode::kNotFound, HasSubstr("is deleted")));
  EXPECT_THAT(Delete("publishers/acme/models/missing"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Delete("acme/m"), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("name:")));
}

TEST_F(ModelServiceTest, UndeleteModelRestoresOnlyDeletedModels) {
  auto created = Create("acme", "m");
  ASSERT_OK(created);
  EXPECT_THAT(Undelete(created->name()), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is not deleted")));

  auto deleted = Delete(created->name());
  ASSERT_OK(deleted);
  EXPECT_THAT(Undelete(created->name(), created->etag()), StatusIs(absl::StatusCode::kAborted));
  auto restored = Undelete(created->name(), deleted->etag());
  ASSERT_OK(restored);
  EXPECT_FALSE(restored->has_delete_time());
  EXPECT_EQ(restored->revision(), 3);
  EXPECT_FALSE(Stored(created->name())->has_delete_time());

  EXPECT_THAT(Undelete("publishers/acme/models/missing"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Undelete(""), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("name:")));
}

TEST_F(ModelServiceTest, UndeleteModelFailsWhileItsLicenseIsDeleted) {
  ASSERT_OK(stores_.licenses.Create(OpenLicense("temp-1.0")));
  auto request = CreateModelRequest("acme", "m", kApache);
  auto* code = request.mutable_model()->add_components();
  code->set_kind(v1::COMPONENT_KIND_TRAINING_CODE);
  code->set_status(v1::Component::STATUS_RELEASED);
  code->set_license("licenses/temp-1.0");
  auto created = service_.CreateModel(request);
  ASSERT_OK(created);
  ASSERT_OK(Delete(created->name()));
  ASSERT_OK(SoftDeleteLicense(stores_.licenses, "licenses/temp-1.0"));

  EXPECT_THAT(Undelete(created->name()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("components[0].license"), HasSubstr("`licenses/temp-1.0` is deleted"),
                             HasSubstr("undelete that license first"))));
  EXPECT_TRUE(Stored(created->name())->has_delete_time());

  ASSERT_OK(stores_.licenses.Update("licenses/temp-1.0", [](Transaction&, v1::License& license) {
    license.clear_delete_time();
    return absl::OkStatus();
  }));
  ASSERT_OK(Undelete(created->name()));
}

// ---- ListModels ----

TEST_F(ModelServiceTest, ListModelsRejectsBadRequestsWithoutTouchingTheStore) {
  struct Case {
    const char* field;
    v1::ListModelsRequest request;
  };
  std::vector<Case> cases;
  auto add = [&cases](const char* field) -> v1::ListModelsRequest& {
    cases.push_back({field, {}});
    cases.back().request.set_parent("publishers/acme");
    return cases.back().request;
  };
  add("filter").set_filter("display_name = ");
  add("filter").set_filter("no_such_field = 1");
  add("filter").set_filter("(openness.level > 2");
  add("order_by").set_order_by("no_such_field");
  add("page_size").set_page_size(-1);
  add("page_token").set_page_token("garbage");
  add("parent").set_parent("publishers/");
  for (const Case& c : cases) {
    EXPECT_THAT(service_.ListModels(c.request),
                StatusIs(absl::StatusCode::kInvalidArgument, StartsWith(absl::StrCat(c.field, ":"))))
        << c.request.ShortDebugString();
  }
  EXPECT_EQ(stores_.models.calls().list, 0);
}

TEST_F(ModelServiceTest, ListModelsPagesThroughLiveModelsOfTheParent) {
  for (const char* id : {"a", "b", "c", "d", "e"}) ASSERT_OK(Create("acme", id));
  ASSERT_OK(Create("other", "z"));
  ASSERT_OK(Delete("publishers/acme/models/c"));

  v1::ListModelsRequest list;
  list.set_parent("publishers/acme");
  list.set_page_size(2);
  std::vector<std::string> names;
  int pages = 0;
  for (;;) {
    auto page = service_.ListModels(list);
    ASSERT_OK(page);
    ++pages;
    for (const std::string& bytes : page->models) {
      v1::Model model;
      ASSERT_TRUE(model.ParseFromString(bytes));
      names.push_back(model.name());
    }
    if (page->next_page_token.empty()) break;
    list.set_page_token(page->next_page_token);
    ASSERT_LT(pages, 10);
  }
  EXPECT_THAT(names, ElementsAre("publishers/acme/models/a", "publishers/acme/models/b", "publishers/acme/models/d",
                                 "publishers/acme/models/e"));
  EXPECT_EQ(pages, 2);

  // A token is bound to its request.
  v1::ListModelsRequest other = list;
  other.clear_page_token();
  auto page = service_.ListModels(other);
  ASSERT_OK(page);
  ASSERT_FALSE(page->next_page_token.empty());
  other.set_page_token(page->next_page_token);
  other.set_show_deleted(true);
  EXPECT_THAT(service_.ListModels(other), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("page_token:")));

  v1::ListModelsRequest all;
  all.set_parent("publishers/-");
  all.set_show_deleted(true);
  auto everything = service_.ListModels(all);
  ASSERT_OK(everything);
  EXPECT_EQ(everything->models.size(), 6u);
  EXPECT_TRUE(everything->next_page_token.empty());
}

// ---- ClassifyModel ----

TEST_F(ModelServiceTest, ClassifyModelAssessesWithoutStoring) {
  v1::ClassifyModelRequest request;
  *request.mutable_model() = CreateModelRequest("acme", "m", kLlama).model();
  request.mutable_model()->set_name("publishers/acme/models/m");
  auto openness = service_.ClassifyModel(request);
  ASSERT_OK(openness);
  EXPECT_EQ(openness->level(), 2);
  EXPECT_THAT(openness->flags(), Contains(v1::OPENNESS_FLAG_USAGE_THRESHOLD));
  EXPECT_FALSE(openness->reasons().empty());

  request.mutable_model()->mutable_weights()->set_license("licenses/unknown");
  EXPECT_THAT(service_.ClassifyModel(request),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("model.weights.license:")));
  EXPECT_EQ(stores_.models.calls().create, 0);
  EXPECT_EQ(stores_.models.calls().update, 0);
  EXPECT_EQ(stores_.models.size(), 0u);
}

// ---- Reassess ----

TEST_F(ModelServiceTest, ReassessRecomputesAssessmentsOfOtherRulesVersions) {
  ASSERT_OK(Create("acme", "current"));
  for (const char* id : {"stale-1", "stale-2", "stale-3"}) {
    // Stored by an older rules version (written straight into the store).
    v1::Model old = CreateModelRequest("acme", id).model();
    old.set_name(absl::StrCat("publishers/acme/models/", id));
    old.mutable_openness()->set_level(1);
    old.mutable_openness()->set_rules_version(kRulesVersion - 1);
    ASSERT_OK(stores_.models.Create(old));
  }
  auto before = Stored("publishers/acme/models/stale-1");
  ASSERT_OK(before);

  const int lookups = stores_.licenses.calls().get_many;
  auto changed = service_.Reassess();
  ASSERT_OK(changed);
  EXPECT_EQ(*changed, 3);
  ASSERT_EQ(stores_.models.calls().reassess.size(), 1u);
  EXPECT_EQ(stores_.models.calls().reassess[0].rules_version, kRulesVersion);
  EXPECT_EQ(stores_.models.calls().reassess[0].license_id, "");
  // One license, looked up once for the whole pass, inside the store's transaction.
  EXPECT_EQ(stores_.licenses.calls().get_many - lookups, 1);

  auto after = Stored("publishers/acme/models/stale-1");
  ASSERT_OK(after);
  EXPECT_EQ(after->openness().level(), 3);
  EXPECT_EQ(after->openness().rules_version(), kRulesVersion);
  EXPECT_EQ(after->revision(), before->revision());
  EXPECT_EQ(after->update_time().seconds(), before->update_time().seconds());

  // Nothing is stale any more.
  EXPECT_EQ(*service_.Reassess(), 0);
}

}  // namespace
}  // namespace modelreg

// LicenseService over in-memory stores: license validation, update masks, etags, soft-delete rules, and the
// reassessment of a license's models after it changes, without PostgreSQL. The same RPCs over gRPC and PostgreSQL
// are tested in tests/integration/api/model_registry_test.cc.
#include "server/service/license_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/openness/assessment.h"
#include "server/service/license_reassessor.h"
#include "server/service/model_service.h"
#include "tests/support/status_matchers.h"
#include "tests/unit/service/fake_repositories.h"
#include "tests/unit/service/service_test_data.h"

namespace modelreg {
namespace {

using ::modelreg::testing::CreateModelRequest;
using ::modelreg::testing::FakeStores;
using ::modelreg::testing::MauThreshold;
using ::modelreg::testing::OpenLicense;
using ::modelreg::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kFlip[] = "licenses/flip-1.0";

class LicenseServiceTest : public ::testing::Test {
 protected:
  absl::StatusOr<v1::License> CreateLicense(const std::string& id, const v1::License& license) {
    v1::CreateLicenseRequest request;
    request.set_license_id(id);
    *request.mutable_license() = license;
    return licenses_.CreateLicense(request);
  }

  absl::StatusOr<v1::License> DeleteLicense(const std::string& name, const std::string& etag = "") {
    v1::DeleteLicenseRequest request;
    request.set_name(name);
    request.set_etag(etag);
    return licenses_.DeleteLicense(request);
  }

  absl::StatusOr<v1::License> UndeleteLicense(const std::string& name, const std::string& etag = "") {
    v1::UndeleteLicenseRequest request;
    request.set_name(name);
    request.set_etag(etag);
    return licenses_.UndeleteLicense(request);
  }

  absl::StatusOr<v1::Model> CreateModel(const std::string& publisher, const std::string& id,
                                        const std::string& license) {
    return models_.CreateModel(CreateModelRequest(publisher, id, license));
  }

  absl::StatusOr<v1::Model> DeleteModel(const std::string& name) {
    v1::DeleteModelRequest request;
    request.set_name(name);
    return models_.DeleteModel(request);
  }

  // An update of `name` adding a usage threshold (mask `usage_thresholds`).
  static v1::UpdateLicenseRequest AddThreshold(const std::string& name, const std::string& etag = "") {
    v1::UpdateLicenseRequest request;
    request.mutable_license()->set_name(name);
    request.mutable_license()->set_etag(etag);
    *request.mutable_license()->add_usage_thresholds() = MauThreshold();
    request.mutable_update_mask()->add_paths("usage_thresholds");
    return request;
  }

  const std::vector<testing::FakeModelRepository::ReassessCall>& Reassessed() const {
    return stores_.models.calls().reassess;
  }

  FakeStores stores_;
  ModelService models_{&stores_.models, &stores_.licenses};
  LicenseService licenses_{&stores_.licenses, &models_};
};

// ---- CreateLicense / GetLicense ----

TEST_F(LicenseServiceTest, CreateLicenseNamesItFromTheIdAndIgnoresOutputOnlyFields) {
  v1::License license = OpenLicense("ignored");
  license.set_name("licenses/something-else");
  license.set_etag("forged");
  license.mutable_create_time()->set_seconds(1);
  license.mutable_update_time()->set_seconds(2);
  license.mutable_delete_time()->set_seconds(3);
  auto created = CreateLicense("apache-2.0", license);
  ASSERT_OK(created);
  const v1::License& sent = stores_.licenses.last_create_input();
  EXPECT_EQ(sent.name(), "licenses/apache-2.0");
  EXPECT_EQ(sent.etag(), "");
  EXPECT_FALSE(sent.has_create_time());
  EXPECT_FALSE(sent.has_update_time());
  EXPECT_FALSE(sent.has_delete_time());
  EXPECT_TRUE(sent.osi_approved());

  EXPECT_EQ(created->name(), "licenses/apache-2.0");
  EXPECT_FALSE(created->has_delete_time());
  EXPECT_NE(created->etag(), "forged");

  ASSERT_OK(CreateLicense("openrail++", OpenLicense("openrail++")));  // `+` is allowed in license ids
  EXPECT_THAT(CreateLicense("apache-2.0", OpenLicense("apache-2.0")),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("licenses/apache-2.0")));
}

TEST_F(LicenseServiceTest, CreateLicenseRejectsBadIdsAndTermsNamingTheField) {
  for (const char* id : {"", "Apache-2.0", "licenses/mit", "-mit"}) {
    EXPECT_THAT(CreateLicense(id, OpenLicense("x")),
                StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("license_id:")))
        << id;
  }
  v1::License license = OpenLicense("x");
  license.set_uri("ftp://example.com/license");
  EXPECT_THAT(CreateLicense("x", license), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("license.uri:")));
  license = OpenLicense("x");
  license.add_usage_thresholds()->set_limit(10);  // no metric
  EXPECT_THAT(CreateLicense("x", license),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("license.usage_thresholds[0].metric:")));
  EXPECT_EQ(stores_.licenses.calls().create, 0);
}

TEST_F(LicenseServiceTest, GetLicenseChecksTheName) {
  v1::GetLicenseRequest get;
  get.set_name("apache-2.0");
  EXPECT_THAT(licenses_.GetLicense(get), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("name:")));
  EXPECT_EQ(stores_.licenses.calls().get, 0);
  get.set_name("licenses/apache-2.0");
  EXPECT_THAT(licenses_.GetLicense(get), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(CreateLicense("apache-2.0", OpenLicense("apache-2.0")));
  EXPECT_OK(licenses_.GetLicense(get));
}

// ---- UpdateLicense ----

TEST_F(LicenseServiceTest, UpdateLicenseReassessesItsModels) {
  auto license = CreateLicense("flip-1.0", OpenLicense("flip-1.0"));
  ASSERT_OK(license);
  ASSERT_OK(CreateLicense("mit", OpenLicense("mit")));
  auto live = CreateModel("acme", "live", kFlip);
  ASSERT_OK(live);
  auto deleted = CreateModel("acme", "deleted", kFlip);
  ASSERT_OK(deleted);
  ASSERT_OK(DeleteModel(deleted->name()));
  auto other = CreateModel("acme", "other", "licenses/mit");
  ASSERT_OK(other);
  ASSERT_EQ(live->openness().level(), 3);

  auto updated = licenses_.UpdateLicense(AddThreshold(kFlip, license->etag()));
  ASSERT_OK(updated);
  EXPECT_EQ(updated->usage_thresholds_size(), 1);
  EXPECT_TRUE(updated->osi_approved());  // not in the mask: kept
  EXPECT_NE(updated->etag(), license->etag());

  // One reassessment, of this license's models, by its id.
  ASSERT_EQ(Reassessed().size(), 1u);
  EXPECT_EQ(Reassessed()[0].license_id, "flip-1.0");
  EXPECT_EQ(Reassessed()[0].rules_version, kRulesVersion);

  // Their stored assessments followed: the usage threshold moves them from level 3 to 2. Soft-deleted models too.
  for (const std::string& name : {live->name(), deleted->name()}) {
    auto stored = stores_.models.Get(name);
    ASSERT_OK(stored);
    EXPECT_EQ(stored->openness().level(), 2) << name;
    EXPECT_THAT(stored->openness().flags(), Contains(v1::OPENNESS_FLAG_USAGE_THRESHOLD)) << name;
  }
  // A reassessment is not an edit: the model's revision stays.
  EXPECT_EQ(stores_.models.Get(live->name())->revision(), 1);
  auto unrelated = stores_.models.Get(other->name());
  ASSERT_OK(unrelated);
  EXPECT_EQ(unrelated->openness().level(), 3);

  // And back: clearing the thresholds makes the license open again.
  v1::UpdateLicenseRequest clear;
  clear.mutable_license()->set_name(kFlip);
  clear.mutable_update_mask()->add_paths("usage_thresholds");
  ASSERT_OK(licenses_.UpdateLicense(clear));
  EXPECT_EQ(Reassessed().size(), 2u);
  EXPECT_EQ(stores_.models.Get(live->name())->openness().level(), 3);
  EXPECT_THAT(stores_.models.Get(live->name())->openness().flags(), Not(Contains(v1::OPENNESS_FLAG_USAGE_THRESHOLD)));
}

// With a queue (as modelregd runs): the update only queues; a LicenseReassessor does the work in batches.
TEST_F(LicenseServiceTest, UpdateLicenseWithAQueueLeavesTheReassessmentToTheBackground) {
  testing::FakeReassessmentQueue queue(&stores_.models);
  int wakes = 0;
  licenses_.set_reassessment(&queue, [&wakes] { ++wakes; });
  LicenseReassessor::Options options;
  options.batch = 2;
  LicenseReassessor reassessor(&queue, &models_, options);
  auto license = CreateLicense("flip-1.0", OpenLicense("flip-1.0"));
  ASSERT_OK(license);
  std::vector<std::string> names;
  for (const char* id : {"a", "b", "c"}) {
    auto model = CreateModel("acme", id, kFlip);
    ASSERT_OK(model);
    names.push_back(model->name());
  }

  // Refused: nothing queued, no wake.
  EXPECT_THAT(licenses_.UpdateLicense(AddThreshold(kFlip, "stale")), StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(queue.entries().empty());
  EXPECT_EQ(wakes, 0);

  auto updated = licenses_.UpdateLicense(AddThreshold(kFlip, license->etag()));
  ASSERT_OK(updated);
  EXPECT_EQ(updated->reassessment_state(), v1::License::REASSESSMENT_STATE_QUEUED) << "queued, not counted";
  EXPECT_EQ(updated->reassessment_pending_models(), 0);
  EXPECT_EQ(wakes, 1);
  EXPECT_TRUE(Reassessed().empty()) << "no reassessment inside the call";
  EXPECT_EQ(stores_.models.Get(names[0])->openness().level(), 3) << "not yet";
  v1::GetLicenseRequest get;
  get.set_name(kFlip);
  EXPECT_EQ(licenses_.GetLicense(get)->reassessment_state(), v1::License::REASSESSMENT_STATE_QUEUED);

  ASSERT_OK(reassessor.RunBatch());
  EXPECT_EQ(licenses_.GetLicense(get)->reassessment_state(), v1::License::REASSESSMENT_STATE_RUNNING);
  EXPECT_EQ(licenses_.GetLicense(get)->reassessment_pending_models(), 1) << "counted by the first batch";
  EXPECT_EQ(stores_.models.Get(names[1])->openness().level(), 2);
  EXPECT_EQ(stores_.models.Get(names[2])->openness().level(), 3);
  v1::ListLicensesRequest list;
  auto listed = licenses_.ListLicenses(list);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->licenses_size(), 1);
  EXPECT_EQ(listed->licenses(0).reassessment_state(), v1::License::REASSESSMENT_STATE_RUNNING);
  EXPECT_EQ(listed->licenses(0).reassessment_pending_models(), 1);

  auto drained = reassessor.Drain();
  ASSERT_OK(drained);
  EXPECT_EQ(*drained, 2) << "the last model, then the empty batch that ends the pass";
  EXPECT_TRUE(queue.entries().empty());
  EXPECT_EQ(licenses_.GetLicense(get)->reassessment_state(), v1::License::REASSESSMENT_STATE_UNSPECIFIED);
  EXPECT_EQ(licenses_.GetLicense(get)->reassessment_pending_models(), 0);
  for (const std::string& name : names) EXPECT_EQ(stores_.models.Get(name)->openness().level(), 2) << name;
  EXPECT_EQ(reassessor.models_done(), 3);
  EXPECT_EQ(stores_.models.Get(names[0])->revision(), 1);

  // The output-only fields: refused in a mask, ignored in the license sent.
  v1::UpdateLicenseRequest forged = AddThreshold(kFlip);
  forged.mutable_license()->set_reassessment_pending_models(99);
  forged.mutable_license()->set_reassessment_state(v1::License::REASSESSMENT_STATE_RUNNING);
  auto reupdated = licenses_.UpdateLicense(forged);
  ASSERT_OK(reupdated);
  EXPECT_EQ(reupdated->reassessment_state(), v1::License::REASSESSMENT_STATE_QUEUED);
  EXPECT_EQ(reupdated->reassessment_pending_models(), 0);
  for (const char* field : {"reassessment_pending_models", "reassessment_state"}) {
    v1::UpdateLicenseRequest masked = AddThreshold(kFlip);
    masked.mutable_update_mask()->add_paths(field);
    EXPECT_THAT(licenses_.UpdateLicense(masked),
                StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("update_mask")))
        << field;
  }
}

TEST_F(LicenseServiceTest, UpdateLicenseThatFailsReassessesNothing) {
  auto license = CreateLicense("flip-1.0", OpenLicense("flip-1.0"));
  ASSERT_OK(license);
  auto model = CreateModel("acme", "m", kFlip);
  ASSERT_OK(model);
  ASSERT_OK(licenses_.UpdateLicense(AddThreshold(kFlip, license->etag())));
  ASSERT_EQ(Reassessed().size(), 1u);
  auto before = stores_.licenses.Get(kFlip);
  ASSERT_OK(before);

  // Stale etag.
  EXPECT_THAT(licenses_.UpdateLicense(AddThreshold(kFlip, license->etag())),
              StatusIs(absl::StatusCode::kAborted, StartsWith("etag:")));
  // Immutable and unknown paths.
  for (const char* path : {"name", "etag", "create_time", "delete_time", "no_such_field"}) {
    v1::UpdateLicenseRequest update;
    update.mutable_license()->set_name(kFlip);
    update.mutable_update_mask()->add_paths(path);
    EXPECT_THAT(licenses_.UpdateLicense(update),
                StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("update_mask:")))
        << path;
  }
  // Invalid terms after the mask is applied.
  auto invalid = AddThreshold(kFlip);
  invalid.mutable_license()->mutable_usage_thresholds(0)->set_limit(0);
  EXPECT_THAT(licenses_.UpdateLicense(invalid),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("license.usage_thresholds[0].limit:")));
  // Bad and missing names.
  EXPECT_THAT(licenses_.UpdateLicense(AddThreshold("flip-1.0")),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("license.name:")));
  EXPECT_THAT(licenses_.UpdateLicense(AddThreshold("licenses/missing")), StatusIs(absl::StatusCode::kNotFound));

  EXPECT_EQ(Reassessed().size(), 1u);
  auto after = stores_.licenses.Get(kFlip);
  ASSERT_OK(after);
  EXPECT_EQ(after->etag(), before->etag());
  EXPECT_EQ(after->usage_thresholds(0).limit(), 700000000);
}

TEST_F(LicenseServiceTest, UpdateLicenseOfADeletedLicenseIsNotFound) {
  ASSERT_OK(CreateLicense("flip-1.0", OpenLicense("flip-1.0")));
  ASSERT_OK(DeleteLicense(kFlip));
  EXPECT_THAT(licenses_.UpdateLicense(AddThreshold(kFlip)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("is deleted")));
  EXPECT_THAT(Reassessed(), IsEmpty());
  EXPECT_EQ(stores_.licenses.Get(kFlip)->usage_thresholds_size(), 0);
}

TEST_F(LicenseServiceTest, UpdateLicenseSucceedsWhenTheReassessmentFails) {
  ASSERT_OK(CreateLicense("flip-1.0", OpenLicense("flip-1.0")));
  auto model = CreateModel("acme", "m", kFlip);
  ASSERT_OK(model);
  stores_.models.FailNextReassess(absl::UnavailableError("database went away"));

  auto updated = licenses_.UpdateLicense(AddThreshold(kFlip));
  ASSERT_OK(updated);  // the license change is committed; the failure is logged
  EXPECT_EQ(updated->usage_thresholds_size(), 1);
  EXPECT_EQ(Reassessed().size(), 1u);
  EXPECT_EQ(stores_.models.Get(model->name())->openness().level(), 3);  // stale until the next reassessment

  // Only a reassessment of this license repairs it: the rules-version pass (`modelregd reassess`, start-up) skips
  // models whose stored rules_version is current.
  auto changed = models_.Reassess("flip-1.0");
  ASSERT_OK(changed);
  EXPECT_EQ(*changed, 1);
  EXPECT_EQ(stores_.models.Get(model->name())->openness().level(), 2);
}

// ---- DeleteLicense / UndeleteLicense ----

TEST_F(LicenseServiceTest, DeleteLicenseInUseIsFailedPrecondition) {
  auto license = CreateLicense("flip-1.0", OpenLicense("flip-1.0"));
  ASSERT_OK(license);
  auto model = CreateModel("acme", "user", kFlip);
  ASSERT_OK(model);

  EXPECT_THAT(DeleteLicense(kFlip),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("publishers/acme/models/user")));
  EXPECT_FALSE(stores_.licenses.Get(kFlip)->has_delete_time());

  // A soft-deleted model does not hold it.
  ASSERT_OK(DeleteModel(model->name()));
  EXPECT_THAT(DeleteLicense(kFlip, "stale"), StatusIs(absl::StatusCode::kAborted));
  auto deleted = DeleteLicense(kFlip, license->etag());
  ASSERT_OK(deleted);
  EXPECT_TRUE(deleted->has_delete_time());
  EXPECT_THAT(DeleteLicense(kFlip), StatusIs(absl::StatusCode::kNotFound, HasSubstr("is deleted")));
  EXPECT_THAT(DeleteLicense("licenses/missing"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(DeleteLicense("flip-1.0"), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("name:")));
  // New references to it are refused.
  EXPECT_THAT(CreateModel("acme", "late", kFlip),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("model.weights.license:"), HasSubstr("is deleted"))));
}

TEST_F(LicenseServiceTest, UndeleteLicenseRestoresOnlyDeletedLicenses) {
  auto license = CreateLicense("flip-1.0", OpenLicense("flip-1.0"));
  ASSERT_OK(license);
  EXPECT_THAT(UndeleteLicense(kFlip), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is not deleted")));
  auto deleted = DeleteLicense(kFlip);
  ASSERT_OK(deleted);
  EXPECT_THAT(UndeleteLicense(kFlip, license->etag()), StatusIs(absl::StatusCode::kAborted));
  auto restored = UndeleteLicense(kFlip, deleted->etag());
  ASSERT_OK(restored);
  EXPECT_FALSE(restored->has_delete_time());
  EXPECT_OK(CreateModel("acme", "m", kFlip));
  EXPECT_THAT(UndeleteLicense("licenses/missing"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(UndeleteLicense("licenses/"), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("name:")));
}

// ---- ListLicenses ----

TEST_F(LicenseServiceTest, ListLicensesRejectsABadFilterWithoutTouchingTheStore) {
  for (const char* filter : {"osi_approved = maybe", "no_such_field:*", "category = "}) {
    v1::ListLicensesRequest list;
    list.set_filter(filter);
    EXPECT_THAT(licenses_.ListLicenses(list), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("filter:")))
        << filter;
  }
  v1::ListLicensesRequest list;
  list.set_page_size(-5);
  EXPECT_THAT(licenses_.ListLicenses(list), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("page_size:")));
  EXPECT_EQ(stores_.licenses.calls().list, 0);
}

TEST_F(LicenseServiceTest, ListLicensesPagesInNameOrder) {
  for (const char* id : {"mit", "apache-2.0", "gpl-3.0", "bsd-3-clause"}) ASSERT_OK(CreateLicense(id, OpenLicense(id)));
  ASSERT_OK(DeleteLicense("licenses/gpl-3.0"));

  v1::ListLicensesRequest list;
  list.set_page_size(2);
  std::vector<std::string> names;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = licenses_.ListLicenses(list);
    ASSERT_OK(page);
    for (const v1::License& license : page->licenses()) names.push_back(license.name());
    if (page->next_page_token().empty()) break;
    list.set_page_token(page->next_page_token());
  }
  EXPECT_THAT(names, ElementsAre("licenses/apache-2.0", "licenses/bsd-3-clause", "licenses/mit"));

  v1::ListLicensesRequest all;
  all.set_show_deleted(true);
  auto everything = licenses_.ListLicenses(all);
  ASSERT_OK(everything);
  EXPECT_EQ(everything->licenses_size(), 4);
}

}  // namespace
}  // namespace modelreg

// History.Purge and the revision retention over real gRPC on loopback and real PostgreSQL: a purge deletes a
// soft-deleted resource of each kind, clears the records of its revisions and appends a PURGE revision with its
// author; it refuses live resources, resources still referred to, stale etags and non-admins; retries replay the
// tombstone. The retention deletes only revisions no read at or after its cutoff needs, and reads before the
// retention are OUT_OF_RANGE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "client/client.h"
#include "google/protobuf/util/time_util.h"
#include "server/storage/change_signal.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using ::google::protobuf::util::TimeUtil;
using GV = v1::Governance::Stub;
using HS = v1::History::Stub;
using LC = v1::LicenseCatalog::Stub;
using MR = v1::ModelRegistry::Stub;

constexpr char kPurgeRequestId[] = "5d2a7c1e-8b3f-4e6a-9c0d-1f2e3a4b5c6d";

class PurgeApiTest : public SharedApiServerTest {
 protected:
  static absl::StatusOr<v1::Revision> Purge(const std::string& name, const std::string& etag = "",
                                            const std::string& request_id = "") {
    v1::PurgeRequest request;
    request.set_name(name);
    request.set_etag(etag);
    request.set_request_id(request_id);
    return Call(server_->history(), &HS::Purge, request);
  }

  static absl::StatusOr<v1::ListRevisionsResponse> Revisions(const std::string& name) {
    v1::ListRevisionsRequest request;
    request.set_name(name);
    return Call(server_->history(), &HS::ListRevisions, request);
  }

  static absl::StatusOr<v1::Model> CreateModel(const std::string& id, const std::string& license = "") {
    v1::CreateModelRequest create;
    create.set_parent("publishers/purge");
    create.set_model_id(id);
    create.mutable_model()->set_display_name(id);
    if (!license.empty()) {
      create.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
      create.mutable_model()->mutable_weights()->set_license(license);
    }
    return Call(server_->models(), &MR::CreateModel, create);
  }

  static absl::StatusOr<v1::Model> DeleteModel(const std::string& name) {
    v1::DeleteModelRequest remove;
    remove.set_name(name);
    return Call(server_->models(), &MR::DeleteModel, remove);
  }

  static absl::StatusOr<v1::Model> GetModel(const std::string& name) {
    v1::GetModelRequest get;
    get.set_name(name);
    return Call(server_->models(), &MR::GetModel, get);
  }

  // Checks the tombstone a purge of `name` returned, by `test-admin` under `request_id`.
  static void ExpectTombstone(const v1::Revision& tombstone, const std::string& name, const std::string& request_id) {
    EXPECT_EQ(tombstone.resource(), name);
    EXPECT_EQ(tombstone.change(), v1::CHANGE_KIND_PURGE);
    EXPECT_EQ(tombstone.principal(), "test-admin");
    EXPECT_EQ(tombstone.request_id(), request_id);
    EXPECT_EQ(tombstone.record_case(), v1::Revision::RECORD_NOT_SET);
    EXPECT_GT(tombstone.sequence(), 0);
    EXPECT_TRUE(tombstone.has_commit_time());
  }

  // Checks that every revision of `name` but the last (the tombstone) has lost its record, and returns how many
  // there are.
  static int ExpectRecordsCleared(const std::string& name) {
    auto history = Revisions(name);
    EXPECT_OK(history);
    if (!history.ok() || history->revisions_size() == 0) return 0;
    for (const v1::Revision& r : history->revisions()) {
      EXPECT_EQ(r.record_case(), v1::Revision::RECORD_NOT_SET) << name << " revision " << r.sequence();
      EXPECT_EQ(r.principal(), "test-admin");
    }
    EXPECT_EQ(history->revisions(history->revisions_size() - 1).change(), v1::CHANGE_KIND_PURGE);
    return history->revisions_size();
  }
};

TEST_F(PurgeApiTest, APurgedModelKeepsItsHistoryWithoutRecords) {
  const std::string name = "publishers/purge/models/old";
  auto created = CreateModel("old");
  ASSERT_OK(created);
  auto deleted = DeleteModel(name);
  ASSERT_OK(deleted);
  ASSERT_OK(GetModel(name)) << "a soft-deleted model is still readable (and now cached)";

  auto tombstone = Purge(name, deleted->etag(), kPurgeRequestId);
  ASSERT_OK(tombstone);
  ExpectTombstone(*tombstone, name, kPurgeRequestId);
  EXPECT_EQ(tombstone->resource_revision(), 3);

  auto history = Revisions(name);
  ASSERT_OK(history);
  ASSERT_EQ(history->revisions_size(), 3);
  EXPECT_EQ(history->revisions(0).change(), v1::CHANGE_KIND_CREATE);
  EXPECT_EQ(history->revisions(1).change(), v1::CHANGE_KIND_DELETE);
  EXPECT_EQ(history->revisions(2).sequence(), tombstone->sequence());
  EXPECT_EQ(ExpectRecordsCleared(name), 3);

  EXPECT_EQ(GetModel(name).status().code(), absl::StatusCode::kNotFound) << "the cache was invalidated";
  v1::GetModelRequest at;
  at.set_name(name);
  *at.mutable_read_time() = created->create_time();
  EXPECT_EQ(Call(server_->models(), &MR::GetModel, at).status().code(), absl::StatusCode::kNotFound)
      << "its records are gone";

  // A retry with the same request id returns the first tombstone and changes nothing.
  auto retried = Purge(name, deleted->etag(), kPurgeRequestId);
  ASSERT_OK(retried);
  EXPECT_EQ(retried->sequence(), tombstone->sequence());
  EXPECT_EQ(Revisions(name)->revisions_size(), 3);
  // Without it, the resource is gone.
  EXPECT_EQ(Purge(name).status().code(), absl::StatusCode::kNotFound);

  // The name is free again: a new model starts at revision 1, after the old history.
  auto recreated = CreateModel("old");
  ASSERT_OK(recreated);
  EXPECT_EQ(recreated->revision(), 1);
  auto after = Revisions(name);
  ASSERT_OK(after);
  ASSERT_EQ(after->revisions_size(), 4);
  EXPECT_EQ(after->revisions(3).change(), v1::CHANGE_KIND_CREATE);
  EXPECT_EQ(after->revisions(3).model().display_name(), "old");
  EXPECT_EQ(after->revisions(0).record_case(), v1::Revision::RECORD_NOT_SET);
}

// A purge is a write of this process: its reads stop going to a standby that may not have replayed it yet
// (ReadReplica::Usable compares the standby's fence with the end of this process's last recorded write).
TEST_F(PurgeApiTest, APurgeIsALocalWrite) {
  auto model = CreateModel("local-write");
  ASSERT_OK(model);
  ASSERT_OK(DeleteModel(model->name()));
  const int64_t before = LastLocalWriteEndNanos().load();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_OK(Purge(model->name()));
  EXPECT_GT(LastLocalWriteEndNanos().load(), before);
}

TEST_F(PurgeApiTest, ReferencedResourcesArePurgedAfterTheirReferrers) {
  // A license used by a model, the model used by a deployment of an organization that also has a policy.
  v1::CreateLicenseRequest license;
  license.set_license_id("purge-terms");
  license.mutable_license()->set_display_name("Purge Terms");
  license.mutable_license()->set_category(v1::License::CATEGORY_PERMISSIVE);
  license.mutable_license()->set_commercial_use(v1::License::COMMERCIAL_USE_ALLOWED);
  ASSERT_OK(Call(server_->licenses(), &LC::CreateLicense, license));
  const std::string model = "publishers/purge/models/used";
  ASSERT_OK(CreateModel("used", "licenses/purge-terms"));
  v1::CreateOrganizationRequest org;
  org.set_organization_id("purge-org");
  org.mutable_organization()->set_display_name("Purge Org");
  ASSERT_OK(Call(server_->governance(), &GV::CreateOrganization, org));
  v1::CreateDeploymentRequest deployment;
  deployment.set_parent("organizations/purge-org");
  deployment.set_deployment_id("chat");
  deployment.mutable_deployment()->set_model(model);
  deployment.mutable_deployment()->set_hosting(v1::HOSTING_SELF_HOSTED);
  deployment.mutable_deployment()->set_purpose("internal chat");
  deployment.mutable_deployment()->set_purpose_category(v1::Deployment::PURPOSE_CATEGORY_INTERNAL);
  deployment.mutable_deployment()->set_state(v1::Deployment::STATE_PROPOSED);
  ASSERT_OK(Call(server_->governance(), &GV::CreateDeployment, deployment));
  v1::CreatePolicyRequest policy;
  policy.set_parent("organizations/purge-org");
  policy.set_policy_id("open");
  policy.mutable_policy()->set_filter("openness.level >= 1");
  policy.mutable_policy()->set_mode(v1::Policy::MODE_AUDIT);
  ASSERT_OK(Call(server_->governance(), &GV::CreatePolicy, policy));

  // A live resource is not purged.
  auto live = Purge(model);
  EXPECT_EQ(live.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(live.status().message()), ::testing::HasSubstr("is not deleted"));

  // The deployment, soft-deleted, still refers to the model.
  v1::DeleteDeploymentRequest delete_deployment;
  delete_deployment.set_name("organizations/purge-org/deployments/chat");
  ASSERT_OK(Call(server_->governance(), &GV::DeleteDeployment, delete_deployment));
  ASSERT_OK(DeleteModel(model));
  auto in_use = Purge(model);
  EXPECT_EQ(in_use.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(in_use.status().message()),
              ::testing::HasSubstr("deployment `organizations/purge-org/deployments/chat`"));
  EXPECT_THAT(std::string(in_use.status().message()), ::testing::Not(::testing::HasSubstr("SELECT")));

  // The license, soft-deleted, is still referenced by the soft-deleted model.
  v1::DeleteLicenseRequest delete_license;
  delete_license.set_name("licenses/purge-terms");
  ASSERT_OK(Call(server_->licenses(), &LC::DeleteLicense, delete_license));
  auto license_in_use = Purge("licenses/purge-terms");
  EXPECT_EQ(license_in_use.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(license_in_use.status().message()), ::testing::HasSubstr("model `" + model + "`"));

  // The organization has a deployment and a policy.
  v1::DeleteOrganizationRequest delete_org;
  delete_org.set_name("organizations/purge-org");
  v1::DeletePolicyRequest delete_policy;
  delete_policy.set_name("organizations/purge-org/policies/open");
  ASSERT_OK(Call(server_->governance(), &GV::DeletePolicy, delete_policy));
  ASSERT_OK(Call(server_->governance(), &GV::DeleteOrganization, delete_org));
  EXPECT_EQ(Purge("organizations/purge-org").status().code(), absl::StatusCode::kFailedPrecondition);

  // Referrers first: every kind with soft delete is purged, and is NOT_FOUND afterwards.
  for (const std::string& name :
       {std::string("organizations/purge-org/deployments/chat"), std::string("organizations/purge-org/policies/open"),
        model, std::string("licenses/purge-terms"), std::string("organizations/purge-org")}) {
    auto tombstone = Purge(name);
    ASSERT_OK(tombstone) << name;
    ExpectTombstone(*tombstone, name, "");
    EXPECT_GE(ExpectRecordsCleared(name), 3) << name;
  }
  v1::GetDeploymentRequest get_deployment;
  get_deployment.set_name("organizations/purge-org/deployments/chat");
  EXPECT_EQ(Call(server_->governance(), &GV::GetDeployment, get_deployment).status().code(),
            absl::StatusCode::kNotFound);
  v1::GetLicenseRequest get_license;
  get_license.set_name("licenses/purge-terms");
  EXPECT_EQ(Call(server_->licenses(), &LC::GetLicense, get_license).status().code(), absl::StatusCode::kNotFound);
  v1::GetOrganizationRequest get_org;
  get_org.set_name("organizations/purge-org");
  EXPECT_EQ(Call(server_->governance(), &GV::GetOrganization, get_org).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(GetModel(model).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PurgeApiTest, RefusalsLeaveTheResourceIntact) {
  const std::string name = "publishers/purge/models/kept";
  ASSERT_OK(CreateModel("kept"));
  auto deleted = DeleteModel(name);
  ASSERT_OK(deleted);

  auto stale = Purge(name, "not-the-etag");
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);

  // An editor of the publisher is no admin.
  v1::CreateTokenRequest token_request;
  token_request.mutable_token()->set_principal("purge-editor");
  v1::TokenBinding* binding = token_request.mutable_token()->add_bindings();
  binding->set_role(v1::ROLE_EDITOR);
  binding->set_scope("publishers/purge");
  auto token = Call(server_->admin(), &v1::Admin::Stub::CreateToken, token_request);
  ASSERT_OK(token);
  Client editor(server_->Channel(token->secret()));
  v1::PurgeRequest request;
  request.set_name(name);
  EXPECT_EQ(editor.Purge(request).status().code(), absl::StatusCode::kPermissionDenied);
  Client anonymous(server_->Channel(""));
  EXPECT_EQ(anonymous.Purge(request).status().code(), absl::StatusCode::kUnauthenticated);

  auto malformed = Purge("publishers/purge/modelz/kept");
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(malformed.status().message()), ::testing::StartsWith("name"));
  EXPECT_EQ(Purge("tokens/some-token").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Purge("publishers/purge/models/never-made").status().code(), absl::StatusCode::kNotFound);

  auto still = GetModel(name);
  ASSERT_OK(still);
  EXPECT_EQ(still->etag(), deleted->etag());
  auto history = Revisions(name);
  ASSERT_OK(history);
  ASSERT_EQ(history->revisions_size(), 2);
  EXPECT_EQ(history->revisions(0).model().display_name(), "kept") << "records kept";

  // The admin's purge through the client library (request id and retries of its own).
  Client admin(server_->channel());
  request.set_etag(deleted->etag());
  auto tombstone = admin.Purge(request);
  ASSERT_OK(tombstone);
  EXPECT_EQ(tombstone->change(), v1::CHANGE_KIND_PURGE);
  EXPECT_FALSE(tombstone->request_id().empty()) << "the client library sends a request id";
}

// The retention, on a server of its own (it deletes history of every resource).
class RevisionRetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiTestServer::Options options;
    options.revision_retention = absl::Hours(1);
    auto server = ApiTestServer::Start(options);
    ASSERT_OK(server);
    server_ = *std::move(server);
  }

  absl::StatusOr<v1::Model> Update(const std::string& name, const std::string& display_name) {
    v1::UpdateModelRequest update;
    update.mutable_model()->set_name(name);
    update.mutable_model()->set_display_name(display_name);
    update.mutable_update_mask()->add_paths("display_name");
    return Call(server_->models(), &MR::UpdateModel, update);
  }

  std::vector<int64_t> RevisionNumbers(const std::string& name) {
    v1::ListRevisionsRequest request;
    request.set_name(name);
    auto history = Call(server_->history(), &HS::ListRevisions, request);
    EXPECT_OK(history);
    std::vector<int64_t> numbers;
    if (history.ok()) {
      for (const v1::Revision& r : history->revisions()) numbers.push_back(r.resource_revision());
    }
    return numbers;
  }

  std::unique_ptr<ApiTestServer> server_;
};

TEST_F(RevisionRetentionTest, KeepsWhatReadsAtOrAfterTheCutoffNeed) {
  const std::string changed = "publishers/retention/models/changed";
  const std::string once = "publishers/retention/models/once";
  for (const char* id : {"changed", "once"}) {
    v1::CreateModelRequest create;
    create.set_parent("publishers/retention");
    create.set_model_id(id);
    ASSERT_OK(Call(server_->models(), &MR::CreateModel, create));
  }
  ASSERT_OK(Update(changed, "second"));
  auto third = Update(changed, "third");
  ASSERT_OK(third);
  // The cutoff: the third revision's commit time; then a fourth revision after it.
  const absl::Time cutoff = absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(third->update_time()));
  ASSERT_OK(Update(changed, "fourth"));
  ASSERT_EQ(RevisionNumbers(changed), (std::vector<int64_t>{1, 2, 3, 4}));

  // Batches of one revision: revisions 1 and 2 of `changed` are superseded by 3 (at the cutoff); `once` keeps its
  // only revision, and 3 stays as what a read as of the cutoff returns.
  auto deleted = server_->history_store().DeleteRevisionsBefore(cutoff, /*batch=*/1);
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(RevisionNumbers(changed), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(RevisionNumbers(once), (std::vector<int64_t>{1}));
  v1::GetModelRequest at;
  at.set_name(changed);
  *at.mutable_read_time() = third->update_time();
  auto read = Call(server_->models(), &MR::GetModel, at);
  ASSERT_OK(read);
  EXPECT_EQ(read->display_name(), "third");
  // Idempotent: nothing more to delete at the same cutoff.
  EXPECT_EQ(*server_->history_store().DeleteRevisionsBefore(cutoff, 1000), 0);
}

TEST_F(RevisionRetentionTest, ReadsBeforeTheRetentionAreOutOfRange) {
  v1::CreateModelRequest create;
  create.set_parent("publishers/retention");
  create.set_model_id("read");
  auto created = Call(server_->models(), &MR::CreateModel, create);
  ASSERT_OK(created);
  v1::GetModelRequest at;
  at.set_name(created->name());
  *at.mutable_read_time() = TimeUtil::GetCurrentTime() - TimeUtil::SecondsToDuration(int64_t{2} * 3600);
  auto old = Call(server_->models(), &MR::GetModel, at);
  EXPECT_EQ(old.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(old.status().message()), ::testing::HasSubstr("is not retained"));
  *at.mutable_read_time() = created->update_time();
  EXPECT_OK(Call(server_->models(), &MR::GetModel, at)) << "within the retention";

  // Lists and reports as of a time before the retention too: the history before it may be incomplete.
  v1::ListModelsRequest list;
  list.set_parent("publishers/retention");
  *list.mutable_read_time() = TimeUtil::GetCurrentTime() - TimeUtil::SecondsToDuration(int64_t{2} * 3600);
  EXPECT_EQ(Call(server_->models(), &MR::ListModels, list).status().code(), absl::StatusCode::kOutOfRange);
  *list.mutable_read_time() = created->update_time();
  auto listed = Call(server_->models(), &MR::ListModels, list);
  ASSERT_OK(listed);
  EXPECT_EQ(listed->models_size(), 1);
  v1::EvaluateComplianceRequest report;
  report.set_organization("organizations/any");
  *report.mutable_read_time() = TimeUtil::GetCurrentTime() - TimeUtil::SecondsToDuration(int64_t{2} * 3600);
  EXPECT_EQ(Call(server_->governance(), &v1::Governance::Stub::EvaluateCompliance, report).status().code(),
            absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace modelreg::testing

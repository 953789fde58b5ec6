// The background reassessment after UpdateLicense (server/service/license_reassessor.h) over real gRPC and real
// PostgreSQL: the update returns with the models queued, not counted; the first batch counts them; each batch commits
// the new assessments with their REASSESS revisions; a new service instance resumes a pass another left; two workers on
// one database never do a batch twice; an update during a pass ends with every model assessed against the newest
// license; a refused update queues nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/limits.h"
#include "server/service/license_reassessor.h"
#include "server/storage/license_store.h"
#include "server/storage/model_store.h"
#include "server/storage/reassessment_store.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using LC = v1::LicenseCatalog::Stub;
using MR = v1::ModelRegistry::Stub;

// Another modelregd on the same database: its own pool, stores, services and reassessor.
struct Replica {
  explicit Replica(const std::string& url, int batch) {
    auto created = ConnectionPool::Create(url, 4);
    EXPECT_TRUE(created.ok()) << created.status();
    pool = std::move(*created);
    models = std::make_unique<ModelStore>(pool.get());
    licenses = std::make_unique<LicenseStore>(pool.get());
    model_service = std::make_unique<ModelService>(models.get(), licenses.get());
    queue = std::make_unique<ReassessmentStore>(pool.get());
    LicenseReassessor::Options options;
    options.batch = batch;
    options.idle_poll = absl::Milliseconds(20);
    reassessor = std::make_unique<LicenseReassessor>(queue.get(), model_service.get(), options);
  }

  std::unique_ptr<ConnectionPool> pool;
  std::unique_ptr<ModelStore> models;
  std::unique_ptr<LicenseStore> licenses;
  std::unique_ptr<ModelService> model_service;
  std::unique_ptr<ReassessmentStore> queue;
  std::unique_ptr<LicenseReassessor> reassessor;
};

// The server's licenses, read through a real LicenseStore, with `after_first_read` run once after the first read
// returns: how a test commits a license update between a create's assessment and its write.
class LicenseReadHook : public LicenseRepository {
 public:
  explicit LicenseReadHook(LicenseStore* store) : store_(store) {}
  std::function<void()> after_first_read;
  int reads = 0;

  absl::StatusOr<v1::License> Create(const v1::License& license,
                                     const std::function<absl::Status(Transaction& tx)>& check) override {
    return store_->Create(license, check);
  }
  absl::StatusOr<v1::License> Get(const std::string& name) override { return Read(store_->Get(name)); }
  absl::StatusOr<std::vector<v1::License>> GetMany(const std::vector<std::string>& names, Transaction* tx) override {
    return Read(store_->GetMany(names, tx));
  }
  absl::StatusOr<std::vector<v1::License>> FindByKeys(const std::vector<std::string>& keys, Transaction* tx) override {
    return Read(store_->FindByKeys(keys, tx));
  }
  absl::StatusOr<v1::License> Update(const std::string& name, const Mutation& mutate) override {
    return store_->Update(name, mutate);
  }
  absl::StatusOr<Page<v1::License>> List(const ListQuery& query) override { return store_->List(query); }

 private:
  template <typename T>
  T Read(T result) {
    if (++reads == 1 && after_first_read) after_first_read();
    return result;
  }
  LicenseStore* store_;
};

class LicenseReassessmentTest : public ::testing::Test {
 protected:
  static constexpr int kBatch = 500;

  void SetUp() override {
    ApiTestServer::Options options;
    options.start_reassessor = false;  // each test drives the queue itself
    options.reassessor.batch = kBatch;
    auto server = ApiTestServer::Start(options);
    ASSERT_OK(server);
    server_ = std::move(*server);
  }

  // A license, open download under it: assessed level 3 without usage thresholds.
  void CreateLicense(const std::string& id) {
    v1::CreateLicenseRequest create;
    create.set_license_id(id);
    create.mutable_license()->set_display_name(id);
    create.mutable_license()->set_osi_approved(true);
    ASSERT_OK(Call(server_->licenses(), &LC::CreateLicense, create));
  }

  // `count` models of `publishers/{publisher}` under `license`, through BatchCreateModels.
  void CreateModels(const std::string& publisher, const std::string& license, int count) {
    for (int start = 0; start < count; start += kMaxBatch) {
      v1::BatchCreateModelsRequest batch;
      batch.set_parent("publishers/" + publisher);
      for (int i = start; i < std::min(count, start + kMaxBatch); ++i) {
        v1::CreateModelRequest* item = batch.add_requests();
        item->set_model_id(absl::StrCat("m", 100000 + i));  // name order = creation order
        item->mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
        item->mutable_model()->mutable_weights()->set_license("licenses/" + license);
      }
      ASSERT_OK(server_->model_service().BatchCreateModels(batch));
    }
  }

  // Adds (or, with `add` false, removes) a usage threshold; the assessment gains (loses) the USAGE_THRESHOLD flag.
  absl::StatusOr<v1::License> SetThreshold(const std::string& license, bool add, const std::string& etag = "") {
    v1::UpdateLicenseRequest update;
    update.mutable_license()->set_name("licenses/" + license);
    update.mutable_license()->set_etag(etag);
    if (add) {
      auto* threshold = update.mutable_license()->add_usage_thresholds();
      threshold->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
      threshold->set_limit(700000000);
      threshold->set_consequence(v1::License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
    }
    update.mutable_update_mask()->add_paths("usage_thresholds");
    return Call(server_->licenses(), &LC::UpdateLicense, update);
  }

  // The reassessment progress GetLicense shows: "none", "queued" (models not counted yet) or "N pending".
  std::string Progress(const std::string& license) {
    v1::GetLicenseRequest get;
    get.set_name("licenses/" + license);
    auto got = Call(server_->licenses(), &LC::GetLicense, get);
    EXPECT_OK(got);
    return got.ok() ? ProgressOf(*got) : "GetLicense failed";
  }
  static std::string ProgressOf(const v1::License& license) {
    switch (license.reassessment_state()) {
      case v1::License::REASSESSMENT_STATE_QUEUED:
        return license.reassessment_pending_models() == 0 ? "queued" : "queued with a count";
      case v1::License::REASSESSMENT_STATE_RUNNING:
        return absl::StrCat(license.reassessment_pending_models(), " pending");
      default:
        return license.reassessment_pending_models() == 0 ? "none" : "none with a count";
    }
  }

  v1::Model GetModel(const std::string& name) {
    v1::GetModelRequest get;
    get.set_name(name);
    auto got = Call(server_->models(), &MR::GetModel, get);
    EXPECT_OK(got);
    return got.ok() ? *got : v1::Model();
  }

  static bool Flagged(const v1::Model& model) {
    for (int flag : model.openness().flags()) {
      if (flag == v1::OPENNESS_FLAG_USAGE_THRESHOLD) return true;
    }
    return false;
  }

  // The models of `publisher` whose stored assessment has the USAGE_THRESHOLD flag, through ListModels.
  int CountFlagged(const std::string& publisher) {
    int flagged = 0;
    v1::ListModelsRequest list;
    list.set_parent("publishers/" + publisher);
    list.set_page_size(1000);
    do {
      auto page = Call(server_->models(), &MR::ListModels, list);
      EXPECT_OK(page);
      if (!page.ok()) return -1;
      for (const v1::Model& model : page->models()) flagged += Flagged(model) ? 1 : 0;
      list.set_page_token(page->next_page_token());
    } while (!list.page_token().empty());
    return flagged;
  }

  int64_t Sql(const std::string& query) {
    pqxx::connection connection(server_->pool().url());
    pqxx::nontransaction tx(connection);
    return tx.exec(query)[0][0].as<int64_t>();
  }
  // REASSESS revisions (ChangeKind 6) of the models of `publisher`.
  int64_t Reassessments(const std::string& publisher) {
    return Sql(absl::StrCat("SELECT count(*) FROM revisions WHERE change = 6 AND resource LIKE 'publishers/", publisher,
                            "/%'"));
  }
  // Models of `publisher` with more than one REASSESS revision.
  int64_t ReassessedTwice(const std::string& publisher) {
    return Sql(
        absl::StrCat("SELECT count(*) FROM (SELECT resource FROM revisions WHERE change = 6 AND resource "
                     "LIKE 'publishers/",
                     publisher, "/%' GROUP BY resource HAVING count(*) > 1) twice"));
  }

  std::unique_ptr<ApiTestServer> server_;
};

TEST_F(LicenseReassessmentTest, UpdateReturnsAtOnceAndEachBatchCommitsTheNewAssessments) {
  constexpr int kModels = 2000;
  CreateLicense("bg-1.0");
  CreateModels("bg", "bg-1.0", kModels);
  const std::string first = "publishers/bg/models/m100000";
  const std::string last = absl::StrCat("publishers/bg/models/m", 100000 + kModels - 1);
  const v1::Model before = GetModel(first);
  EXPECT_FALSE(Flagged(before));

  auto updated = SetThreshold("bg-1.0", true);
  ASSERT_OK(updated);
  EXPECT_EQ(ProgressOf(*updated), "queued") << "the update returned without counting the models";
  EXPECT_EQ(Sql("SELECT count(*) FROM license_reassessments WHERE license_id = 'bg-1.0' AND pending IS NULL"), 1);
  EXPECT_EQ(Progress("bg-1.0"), "queued");
  // Until its batch commits, a model reads as stored: its previous assessment under its previous etag.
  const v1::Model waiting = GetModel(first);
  EXPECT_FALSE(Flagged(waiting));
  EXPECT_EQ(waiting.etag(), before.etag());
  EXPECT_EQ(Reassessments("bg"), 0);

  ASSERT_OK(server_->reassessor().RunBatch());
  EXPECT_EQ(Progress("bg-1.0"), absl::StrCat(kModels - kBatch, " pending")) << "counted by the first batch";
  EXPECT_EQ(CountFlagged("bg"), kBatch) << "one batch, committed with its revisions";
  EXPECT_EQ(Reassessments("bg"), kBatch);
  const v1::Model moved = GetModel(first);  // the cache was invalidated by the batch's commit
  EXPECT_TRUE(Flagged(moved));
  EXPECT_NE(moved.etag(), before.etag()) << "a new assessment is a new etag";
  EXPECT_EQ(moved.revision(), before.revision()) << "a reassessment is no new revision of the model";
  EXPECT_FALSE(Flagged(GetModel(last)));

  auto batches = server_->reassessor().Drain();
  ASSERT_OK(batches);
  EXPECT_EQ(*batches, 4) << "three more full batches and the empty one that ends the pass";
  EXPECT_EQ(Progress("bg-1.0"), "none");
  EXPECT_EQ(Sql("SELECT count(*) FROM license_reassessments"), 0);
  EXPECT_EQ(CountFlagged("bg"), kModels);
  EXPECT_EQ(Reassessments("bg"), kModels);
  EXPECT_EQ(ReassessedTwice("bg"), 0);
  EXPECT_EQ(Sql("SELECT count(*) FROM revisions WHERE change = 6 AND principal <> 'test-admin'"), 0)
      << "authored by the caller of UpdateLicense";
  EXPECT_EQ(Sql("SELECT count(*) FROM revisions r WHERE change = 6 AND sequence < (SELECT max(sequence) FROM "
                "revisions WHERE resource = 'licenses/bg-1.0')"),
            0)
      << "the change stream orders every reassessment after the license update";
}

TEST_F(LicenseReassessmentTest, ANewInstanceResumesWhereAStoppedOneLeft) {
  constexpr int kModels = 1500;
  CreateLicense("resume-1.0");
  CreateModels("resume", "resume-1.0", kModels);
  ASSERT_OK(SetThreshold("resume-1.0", true));
  ASSERT_OK(server_->reassessor().RunBatch());  // then this instance stops working on it
  ASSERT_EQ(Reassessments("resume"), kBatch);

  Replica restarted(server_->pool().url(), kBatch);
  restarted.reassessor->Start();
  ASSERT_OK(server_->WaitUntilReassessed());
  restarted.reassessor->Stop();
  EXPECT_EQ(restarted.reassessor->models_done(), kModels - kBatch) << "resumed after the committed batch";
  EXPECT_EQ(CountFlagged("resume"), kModels);
  EXPECT_EQ(ReassessedTwice("resume"), 0);
  EXPECT_TRUE(Flagged(GetModel("publishers/resume/models/m101499"))) << "the other instance's cache followed";
}

TEST_F(LicenseReassessmentTest, TwoWorkersOnOneDatabaseShareTheWorkWithoutDoingABatchTwice) {
  CreateLicense("share-a");
  CreateLicense("share-b");
  CreateModels("share-a", "share-a", 2500);
  CreateModels("share-b", "share-b", 1000);
  ASSERT_OK(SetThreshold("share-a", true));
  ASSERT_OK(SetThreshold("share-b", true));

  Replica one(server_->pool().url(), 100);
  Replica two(server_->pool().url(), 100);
  one.reassessor->Start();
  two.reassessor->Start();
  ASSERT_OK(server_->WaitUntilReassessed());
  one.reassessor->Stop();
  two.reassessor->Stop();
  EXPECT_EQ(one.reassessor->models_done() + two.reassessor->models_done(), 3500) << "no model read twice";
  EXPECT_GT(one.reassessor->models_done(), 0);
  EXPECT_GT(two.reassessor->models_done(), 0);
  EXPECT_EQ(CountFlagged("share-a"), 2500);
  EXPECT_EQ(CountFlagged("share-b"), 1000);
  EXPECT_EQ(ReassessedTwice("share-a") + ReassessedTwice("share-b"), 0);
}

TEST_F(LicenseReassessmentTest, AnUpdateDuringAPassRestartsItAgainstTheNewestLicense) {
  constexpr int kModels = 1500;
  CreateLicense("twice-1.0");
  CreateModels("twice", "twice-1.0", kModels);
  ASSERT_OK(SetThreshold("twice-1.0", true));
  ASSERT_OK(server_->reassessor().RunBatch());
  ASSERT_EQ(CountFlagged("twice"), kBatch);

  auto second = SetThreshold("twice-1.0", false);  // the threshold is withdrawn again
  ASSERT_OK(second);
  EXPECT_EQ(ProgressOf(*second), "queued") << "the pass starts over, uncounted";
  ASSERT_OK(server_->reassessor().RunBatch());
  EXPECT_EQ(Progress("twice-1.0"), absl::StrCat(kModels - kBatch, " pending")) << "counted again from the start";
  ASSERT_OK(server_->reassessor().Drain());
  EXPECT_EQ(Progress("twice-1.0"), "none");
  EXPECT_EQ(CountFlagged("twice"), 0) << "every model assessed against the newest license";
  EXPECT_EQ(ReassessedTwice("twice"), kBatch) << "flagged, then unflagged; the rest never changed";
  EXPECT_EQ(Reassessments("twice"), 2 * kBatch);
}

// A create assessed with a license that an UpdateLicense changes before the create's transaction locks it is
// assessed again with the update (ModelRepository::Create's etag check, ModelService's retry): no model keeps the
// assessment of a license version that was replaced before it was written. Without the check, both models would be
// written unflagged after the pass queued by the update had run (the pass cannot see a model not yet written).
TEST_F(LicenseReassessmentTest, AModelCreatedWhileItsLicenseChangesIsAssessedWithTheChange) {
  CreateLicense("moving-1.0");
  Replica other(server_->pool().url(), kBatch);
  for (const bool batch : {false, true}) {
    SCOPED_TRACE(batch ? "BatchCreateModels" : "CreateModel");
    LicenseReadHook licenses(other.licenses.get());
    // The create has read the license and assessed the model; the update commits before its write.
    licenses.after_first_read = [&] { EXPECT_OK(SetThreshold("moving-1.0", !batch)); };
    ModelService service(other.models.get(), &licenses);
    v1::CreateModelRequest create;
    create.set_parent("publishers/moving");
    create.set_model_id(batch ? "batched" : "single");
    create.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    create.mutable_model()->mutable_weights()->set_license("licenses/moving-1.0");
    if (batch) {
      v1::BatchCreateModelsRequest request;
      request.set_parent("publishers/moving");
      *request.add_requests() = create;
      ASSERT_OK(service.BatchCreateModels(request));
    } else {
      ASSERT_OK(service.CreateModel(create));
    }
    EXPECT_EQ(licenses.reads, 2) << "assessed once more, after the update";
    // The first round adds the threshold, the second withdraws it: the stored assessment follows the license as
    // committed before the model was.
    EXPECT_EQ(Flagged(GetModel("publishers/moving/models/" + create.model_id())), !batch);
  }
  // The pass after the second update leaves both as that license has it: `single` changes, `batched` does not.
  ASSERT_OK(server_->reassessor().Drain());
  EXPECT_FALSE(Flagged(GetModel("publishers/moving/models/single")));
  EXPECT_EQ(Reassessments("moving"), 1);
}

// The foreground reassessment (`modelregd reassess --license`, ModelService::Reassess) reads the license again in
// each batch: an update committed after the first batch read it reaches the later batches. (Until session 20 the
// license read by the first batch was kept for the whole pass.)
TEST_F(LicenseReassessmentTest, AForegroundPassReadsTheLicenseAgainInEachBatch) {
  constexpr int kModels = 1000;  // two batches of ModelStore::Reassess (500 each)
  CreateLicense("midway-1.0");
  CreateModels("midway", "midway-1.0", kModels);
  Replica other(server_->pool().url(), kBatch);
  LicenseReadHook licenses(other.licenses.get());
  // The first batch holds the license FOR SHARE: the update waits for that batch to commit, then commits before the
  // second batch reads the license (it queues behind the update's lock).
  std::thread update;
  licenses.after_first_read = [&] { update = std::thread([&] { EXPECT_OK(SetThreshold("midway-1.0", true)); }); };
  ModelService service(other.models.get(), &licenses);
  absl::StatusOr<int64_t> rewritten = service.Reassess("midway-1.0");
  update.join();
  ASSERT_OK(rewritten);
  EXPECT_EQ(licenses.reads, 2) << "once per batch";
  EXPECT_EQ(*rewritten, kModels - 500) << "the second batch, assessed with the update";
  EXPECT_FALSE(Flagged(GetModel("publishers/midway/models/m100000")));
  EXPECT_TRUE(Flagged(GetModel(absl::StrCat("publishers/midway/models/m", 100000 + kModels - 1))));
}

TEST_F(LicenseReassessmentTest, ARefusedUpdateQueuesNothing) {
  CreateLicense("refused-1.0");
  CreateModels("refused", "refused-1.0", 10);
  EXPECT_THAT(SetThreshold("refused-1.0", true, "stale-etag"), StatusIs(absl::StatusCode::kAborted));
  v1::UpdateLicenseRequest bad;
  bad.mutable_license()->set_name("licenses/refused-1.0");
  bad.mutable_license()->set_uri("ftp://example.com/license");
  bad.mutable_update_mask()->add_paths("uri");
  EXPECT_THAT(Call(server_->licenses(), &LC::UpdateLicense, bad), StatusIs(absl::StatusCode::kInvalidArgument));
  bad.mutable_license()->set_name("licenses/no-such-license");
  bad.mutable_license()->set_uri("https://example.com/license");
  EXPECT_THAT(Call(server_->licenses(), &LC::UpdateLicense, bad), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Sql("SELECT count(*) FROM license_reassessments"), 0);
  EXPECT_EQ(Progress("refused-1.0"), "none");
  auto ran = server_->reassessor().RunBatch();
  ASSERT_OK(ran);
  EXPECT_FALSE(*ran);
  EXPECT_EQ(Reassessments("refused"), 0);
}

}  // namespace
}  // namespace modelreg::testing

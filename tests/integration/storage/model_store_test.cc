#include "server/storage/model_store.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "modelreg/v1/history.pb.h"
#include "server/common/call_deadline.h"
#include "server/common/change_author.h"
#include "server/common/errors.h"
#include "server/domain/query/model_query.h"
#include "server/storage/license_store.h"
#include "server/storage/migrator.h"
#include "server/storage/pg_errors.h"
#include "server/storage/pooled_connection.h"
#include "tests/integration/storage/storage_test_base.h"
#include "tests/integration/storage/store_test_data.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::google::protobuf::util::TimeUtil;
using ::modelreg::testing::FullLicense;
using ::modelreg::testing::FullModel;
using ::modelreg::testing::MinimalModel;
using ::modelreg::testing::NoCheck;
using ::modelreg::testing::SimpleLicense;
using ::modelreg::testing::StatusIs;
using ::modelreg::testing::StorageTest;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class ModelStoreTest : public StorageTest {
 protected:
  static void SetUpTestSuite() {
    StorageTest::SetUpTestSuite();
    if (pool_ == nullptr) return;
    LicenseStore licenses(pool_.get());
    for (const char* id : {"apache-2.0", "cc-by-4.0", "mit"}) {
      if (!licenses.Create(SimpleLicense(id), NoCheck).ok()) setup_error_ = "cannot create licenses";
    }
    if (!licenses.Create(FullLicense("llama3.1"), NoCheck).ok()) setup_error_ = "cannot create licenses";
    if (!setup_error_.empty()) pool_.reset();
  }

  // One row of typed columns, as text.
  static pqxx::row Columns(const std::string& name) {
    absl::StatusOr<ConnectionPool::Lease> lease = pool().Acquire();
    pqxx::work tx(**lease);
    return tx.exec_params1(
        "SELECT publisher, release_date::text, parameter_count::text, modality, treatment, labels::text, base_model, "
        "base_model_relation, weights_access, weights_license, license_refs::text, data_disclosure_level, "
        "openness_level, mof_class, osaid_candidate, openness_flags::text, rules_version, display_name, family, "
        "version, architecture FROM models WHERE name = $1",
        name);
  }

  // A page of ListSerialized with its models parsed.
  absl::StatusOr<Page<v1::Model>> List(const ListQuery& query) {
    absl::StatusOr<Page<std::string>> serialized = store_.ListSerialized(query);
    if (!serialized.ok()) return serialized.status();
    Page<v1::Model> page;
    page.next_key = serialized->next_key;
    for (const std::string& bytes : serialized->items) {
      if (!page.items.emplace_back().ParseFromString(bytes)) return absl::InternalError("unparsable listed model");
    }
    return page;
  }

  ModelStore store_{pool_.get()};
};

// A listed model in wire form (stored bytes + its output-only fields, never parsed) is the model Get returns: live,
// updated and soft-deleted.
TEST_F(ModelStoreTest, ListedModelsInWireFormAreTheModelsGetReturns) {
  ASSERT_OK(store_.Create(FullModel("publishers/wire/models/full", "llama3.1", "apache-2.0", "cc-by-4.0")));
  ASSERT_OK(store_.Create(MinimalModel("publishers/wire/models/updated", "mit")));
  ASSERT_OK(store_.Create(MinimalModel("publishers/wire/models/deleted", "")));
  ASSERT_OK(store_.Update("publishers/wire/models/updated", [](Transaction&, v1::Model& m) -> absl::Status {
    m.set_description("second revision");
    return absl::OkStatus();
  }));
  ASSERT_OK(store_.Update("publishers/wire/models/deleted", [](Transaction&, v1::Model& m) -> absl::Status {
    *m.mutable_delete_time() = TimeUtil::GetCurrentTime();
    return absl::OkStatus();
  }));
  v1::ListModelsRequest request;
  request.set_parent("publishers/wire");
  request.set_show_deleted(true);
  absl::StatusOr<ListQuery> query = CompileListModels(request);
  ASSERT_OK(query);
  absl::StatusOr<Page<v1::Model>> page = List(*query);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 3u);
  for (const v1::Model& listed : page->items) {
    absl::StatusOr<v1::Model> got = store_.Get(listed.name());
    ASSERT_OK(got);
    EXPECT_TRUE(MessageDifferencer::Equals(listed, *got)) << listed.DebugString() << "\nvs\n" << got->DebugString();
  }
  EXPECT_EQ(page->items[2].name(), "publishers/wire/models/updated");
  EXPECT_EQ(page->items[2].revision(), 2);
  EXPECT_TRUE(page->items[0].has_delete_time());
}

TEST_F(ModelStoreTest, FetchedModelsInWireFormHoldNoSpareCapacity) {
  ASSERT_OK(store_.Create(FullModel("publishers/wire/models/sized", "llama3.1", "apache-2.0", "cc-by-4.0")));
  absl::StatusOr<std::vector<ModelRepository::SerializedModel>> fetched =
      store_.Fetch({"publishers/wire/models/sized"});
  ASSERT_OK(fetched);
  ASSERT_EQ(fetched->size(), 1u);
  const std::string& bytes = *(*fetched)[0].bytes;
  // The model cache keeps these strings and counts their size: a doubled capacity would hold twice the memory.
  EXPECT_EQ(bytes.capacity(), bytes.size());
  v1::Model model;
  ASSERT_TRUE(model.ParseFromString(bytes));
  EXPECT_EQ(model.revision(), 1);
}

TEST_F(ModelStoreTest, CreateGetRoundTripWithEveryField) {
  const v1::Model input =
      FullModel("publishers/meta/models/llama-3.1-8b-instruct", "llama3.1", "apache-2.0", "cc-by-4.0");
  absl::StatusOr<v1::Model> created = store_.Create(input);
  ASSERT_OK(created);
  EXPECT_EQ(created->revision(), 1);
  EXPECT_TRUE(created->has_create_time());
  EXPECT_EQ(created->create_time(), created->update_time());
  EXPECT_FALSE(created->has_delete_time());
  EXPECT_THAT(created->etag(), MatchesRegex("[0-9a-f]{16}"));
  EXPECT_LT(TimeUtil::TimestampToSeconds(TimeUtil::GetCurrentTime()) - created->create_time().seconds(), 60);

  // The stored content is the input's.
  v1::Model content = *created;
  content.clear_create_time();
  content.clear_update_time();
  content.clear_etag();
  content.clear_revision();
  std::string diff;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(input, content)) << diff;

  absl::StatusOr<v1::Model> got = store_.Get(input.name());
  ASSERT_OK(got);
  EXPECT_TRUE(MessageDifferencer::Equals(*created, *got)) << got->DebugString();

  const pqxx::row row = Columns(input.name());
  EXPECT_EQ(row[0].as<std::string>(), "meta");
  EXPECT_EQ(row[1].as<std::string>(), "2024-07-23");
  EXPECT_EQ(row[2].as<std::string>(), "8030261248");
  EXPECT_EQ(row[3].as<int>(), v1::Model::MODALITY_TEXT);
  EXPECT_EQ(row[4].as<int>(), v1::Model::TREATMENT_INSTRUCT);
  EXPECT_EQ(row[5].as<std::string>(), R"({"team": "a\"b\\c", "tier": "gold", "z.last/key_1": ""})");
  EXPECT_EQ(row[6].as<std::string>(), "publishers/meta/models/llama-3.1-8b");
  EXPECT_EQ(row[7].as<int>(), v1::Model::BASE_MODEL_RELATION_FINETUNE);
  EXPECT_EQ(row[8].as<int>(), v1::Weights::ACCESS_GATED_CLICK_THROUGH);
  EXPECT_EQ(row[9].as<std::string>(), "llama3.1");
  EXPECT_EQ(row[10].as<std::string>(), "{apache-2.0,cc-by-4.0,llama3.1}");
  EXPECT_EQ(row[11].as<int>(), v1::DataDisclosure::LEVEL_DESCRIBED);
  EXPECT_EQ(row[12].as<int>(), 2);
  EXPECT_EQ(row[13].as<int>(), v1::MOF_CLASS_UNCLASSIFIED);
  EXPECT_FALSE(row[14].as<bool>());
  EXPECT_EQ(row[15].as<std::string>(), "{3,5}");
  EXPECT_EQ(row[16].as<int>(), 1);
  EXPECT_EQ(row[17].as<std::string>(), "Llama 3.1 8B Instruct");
  EXPECT_EQ(row[18].as<std::string>(), "llama-3.1");
  EXPECT_EQ(row[19].as<std::string>(), "3.1");
  EXPECT_EQ(row[20].as<std::string>(), "decoder-only transformer");
}

TEST_F(ModelStoreTest, UnknownValuesAreNull) {
  ASSERT_OK(store_.Create(MinimalModel("publishers/nulls/models/m")));
  const pqxx::row row = Columns("publishers/nulls/models/m");
  EXPECT_TRUE(row[1].is_null());  // release_date
  EXPECT_TRUE(row[2].is_null());  // parameter_count
  EXPECT_EQ(row[5].as<std::string>(), "{}");
  EXPECT_TRUE(row[9].is_null());  // weights_license
  EXPECT_EQ(row[10].as<std::string>(), "{}");
}

TEST_F(ModelStoreTest, GetMissingIsNotFound) {
  EXPECT_THAT(store_.Get("publishers/x/models/missing"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ModelStoreTest, DuplicateIsAlreadyExists) {
  ASSERT_OK(store_.Create(MinimalModel("publishers/dup/models/m")));
  EXPECT_THAT(store_.Create(MinimalModel("publishers/dup/models/m")),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("publishers/dup/models/m")));
}

TEST_F(ModelStoreTest, MalformedNameIsInvalidArgument) {
  EXPECT_THAT(store_.Create(MinimalModel("models/m")), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ModelStoreTest, MissingOrDeletedLicenseIsInvalidArgument) {
  EXPECT_THAT(store_.Create(MinimalModel("publishers/refs/models/a", "no-such-license")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("license `licenses/no-such-license` does not exist or is deleted")));
  v1::Model dataset_ref = MinimalModel("publishers/refs/models/b", "mit");
  dataset_ref.mutable_data_disclosure()->add_datasets()->set_license("licenses/nope");
  EXPECT_THAT(store_.Create(dataset_ref), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("licenses/nope")));

  LicenseStore licenses(pool_.get());
  ASSERT_OK(licenses.Create(SimpleLicense("retired"), NoCheck));
  ASSERT_OK(licenses.Update("licenses/retired", [](Transaction&, v1::License& license) {
    *license.mutable_delete_time() = TimeUtil::GetCurrentTime();
    return absl::OkStatus();
  }));
  EXPECT_THAT(store_.Create(MinimalModel("publishers/refs/models/c", "retired")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("licenses/retired")));
  EXPECT_THAT(store_.Get("publishers/refs/models/c"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ModelStoreTest, UpdateIncrementsRevisionAndKeepsCreateTime) {
  absl::StatusOr<v1::Model> created = store_.Create(MinimalModel("publishers/upd/models/m", "mit"));
  ASSERT_OK(created);
  absl::StatusOr<v1::Model> updated = store_.Update("publishers/upd/models/m", [&](Transaction&, v1::Model& model) {
    EXPECT_EQ(model.revision(), 1);
    EXPECT_EQ(model.etag(), created->etag());
    model.set_display_name("New name");
    model.mutable_weights()->set_license("licenses/apache-2.0");
    return absl::OkStatus();
  });
  ASSERT_OK(updated);
  EXPECT_EQ(updated->revision(), 2);
  EXPECT_EQ(updated->display_name(), "New name");
  EXPECT_EQ(updated->create_time(), created->create_time());
  EXPECT_GE(TimeUtil::TimestampToMicroseconds(updated->update_time()),
            TimeUtil::TimestampToMicroseconds(created->update_time()));
  EXPECT_NE(updated->etag(), created->etag());
  absl::StatusOr<v1::Model> got = store_.Get("publishers/upd/models/m");
  ASSERT_OK(got);
  EXPECT_TRUE(MessageDifferencer::Equals(*updated, *got));
  EXPECT_EQ(Columns("publishers/upd/models/m")[9].as<std::string>(), "apache-2.0");

  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(store_.Update("publishers/upd/models/m", [](Transaction&, v1::Model&) { return absl::OkStatus(); }));
  }
  EXPECT_EQ(store_.Get("publishers/upd/models/m")->revision(), 5);
}

TEST_F(ModelStoreTest, MutationErrorAbortsWithoutWriting) {
  ASSERT_OK(store_.Create(MinimalModel("publishers/abort/models/m")));
  EXPECT_THAT(store_.Update("publishers/abort/models/m",
                            [](Transaction&, v1::Model& model) {
                              model.set_display_name("changed");
                              return absl::FailedPreconditionError("etag mismatch");
                            }),
              StatusIs(absl::StatusCode::kFailedPrecondition, "etag mismatch"));
  absl::StatusOr<v1::Model> got = store_.Get("publishers/abort/models/m");
  ASSERT_OK(got);
  EXPECT_EQ(got->revision(), 1);
  EXPECT_EQ(got->display_name(), "");
  EXPECT_THAT(
      store_.Update("publishers/abort/models/missing", [](Transaction&, v1::Model&) { return absl::OkStatus(); }),
      StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_.Update("publishers/abort/models/m",
                            [](Transaction&, v1::Model& model) {
                              model.mutable_weights()->set_license("licenses/missing");
                              return absl::OkStatus();
                            }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("licenses/missing")));
  EXPECT_THAT(store_.Update("publishers/abort/models/m",
                            [](Transaction&, v1::Model& model) {
                              model.set_name("publishers/abort/models/other");
                              return absl::OkStatus();
                            }),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ModelStoreTest, SoftDeleteAndRestore) {
  ASSERT_OK(store_.Create(MinimalModel("publishers/del/models/m")));
  absl::StatusOr<v1::Model> deleted = store_.Update("publishers/del/models/m", [](Transaction&, v1::Model& model) {
    *model.mutable_delete_time() = TimeUtil::GetCurrentTime();
    return absl::OkStatus();
  });
  ASSERT_OK(deleted);
  EXPECT_TRUE(deleted->has_delete_time());
  EXPECT_EQ(deleted->delete_time(), deleted->update_time());  // the transaction time
  absl::StatusOr<v1::Model> got = store_.Get("publishers/del/models/m");
  ASSERT_OK(got);
  EXPECT_EQ(got->delete_time(), deleted->delete_time());
  EXPECT_THAT(store_.Create(MinimalModel("publishers/del/models/m")), StatusIs(absl::StatusCode::kAlreadyExists));

  absl::StatusOr<v1::Model> restored = store_.Update("publishers/del/models/m", [](Transaction&, v1::Model& model) {
    model.clear_delete_time();
    return absl::OkStatus();
  });
  ASSERT_OK(restored);
  EXPECT_FALSE(restored->has_delete_time());
  EXPECT_EQ(restored->revision(), 3);
}

TEST_F(ModelStoreTest, CreateBatchIsAllOrNothing) {
  std::vector<v1::Model> models = {MinimalModel("publishers/batch/models/a", "mit"),
                                   MinimalModel("publishers/batch/models/b", "missing")};
  EXPECT_THAT(store_.CreateBatch(models), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_.Get("publishers/batch/models/a"), StatusIs(absl::StatusCode::kNotFound));
  models[1] = MinimalModel("publishers/batch/models/b", "mit");
  absl::StatusOr<std::vector<v1::Model>> created = store_.CreateBatch(models);
  ASSERT_OK(created);
  ASSERT_EQ(created->size(), 2u);
  EXPECT_EQ((*created)[1].name(), "publishers/batch/models/b");
  EXPECT_EQ((*created)[1].revision(), 1);
  EXPECT_THAT(
      store_.CreateBatch({MinimalModel("publishers/batch/models/c"), MinimalModel("publishers/batch/models/c")}),
      StatusIs(absl::StatusCode::kAlreadyExists));
}

// A batch writes in one statement what Create writes row by row: the same columns (NULLs, arrays and JSON with
// quotes and backslashes included), the same record and a CREATE revision per model in the history.
TEST_F(ModelStoreTest, CreateBatchWritesWhatCreateWrites) {
  v1::Model full = FullModel("publishers/same/models/one", "llama3.1", "apache-2.0", "cc-by-4.0");
  ASSERT_OK(store_.Create(full));
  full.set_name("publishers/same/models/many");
  absl::StatusOr<std::vector<v1::Model>> created =
      store_.CreateBatch({full, MinimalModel("publishers/same/models/minimal")});
  ASSERT_OK(created);
  ASSERT_EQ(created->size(), 2u);
  EXPECT_EQ((*created)[0].revision(), 1);
  EXPECT_THAT((*created)[0].etag(), MatchesRegex("[0-9a-f]{16}"));
  absl::StatusOr<v1::Model> got = store_.Get("publishers/same/models/many");
  ASSERT_OK(got);
  EXPECT_TRUE(MessageDifferencer::Equals((*created)[0], *got)) << got->DebugString();

  const pqxx::row one = Columns("publishers/same/models/one");
  const pqxx::row many = Columns("publishers/same/models/many");
  for (pqxx::row::size_type i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].is_null(), many[i].is_null()) << "column " << i;
    EXPECT_EQ(one[i].c_str(), std::string(many[i].c_str())) << "column " << i;
  }
  const pqxx::row minimal = Columns("publishers/same/models/minimal");
  EXPECT_TRUE(minimal[1].is_null());  // release_date
  EXPECT_TRUE(minimal[9].is_null());  // weights_license

  absl::StatusOr<ConnectionPool::Lease> lease = pool().Acquire();
  ASSERT_OK(lease);
  pqxx::work tx(**lease);
  const pqxx::result history = tx.exec(
      "SELECT r.resource, r.revision, r.change, r.record = m.record FROM revisions r JOIN models m ON m.name = "
      "r.resource WHERE r.resource LIKE 'publishers/same/models/m%' ORDER BY r.sequence");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0][0].as<std::string>(), "publishers/same/models/many");
  EXPECT_EQ(history[1][0].as<std::string>(), "publishers/same/models/minimal");
  for (const pqxx::row& row : history) {
    EXPECT_EQ(row[1].as<int>(), 1);
    EXPECT_EQ(row[2].as<int>(), v1::CHANGE_KIND_CREATE);
    EXPECT_TRUE(row[3].as<bool>());
  }
}

TEST_F(ModelStoreTest, CreateBatchOverAnExistingModelWritesNothing) {
  ASSERT_OK(store_.Create(MinimalModel("publishers/exists/models/b")));
  EXPECT_THAT(
      store_.CreateBatch({MinimalModel("publishers/exists/models/a"), MinimalModel("publishers/exists/models/b")}),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("publishers/exists/models/b")));
  EXPECT_THAT(store_.Get("publishers/exists/models/a"), StatusIs(absl::StatusCode::kNotFound));
}

// Concurrent creates outside a transaction are group-committed (group_commit.h), yet each call gets the outcome it
// would have had alone: its row, ALREADY_EXISTS when another call took the name, INVALID_ARGUMENT for a deleted
// license (while the calls sharing its group succeed), and its own author in the history.
TEST_F(ModelStoreTest, ConcurrentCreatesShareCommitsButKeepTheirOwnOutcomes) {
  LicenseStore licenses(pool_.get());
  ASSERT_OK(licenses.Create(SimpleLicense("withdrawn"), NoCheck));
  ASSERT_OK(licenses.Update("licenses/withdrawn", [](Transaction&, v1::License& license) {
    *license.mutable_delete_time() = TimeUtil::GetCurrentTime();
    return absl::OkStatus();
  }));
  constexpr int kThreads = 12;
  constexpr int kEach = 20;
  std::atomic<int> contested_created{0};
  std::atomic<int> contested_existing{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const ScopedChangeAuthor author({absl::StrCat("caller-", t % 3), ""});
      for (int i = 0; i < kEach; ++i) {
        EXPECT_OK(store_.Create(MinimalModel(absl::StrCat("publishers/group/models/t", t, "-", i), "mit")));
        if (i % 5 == 0) {
          const absl::Status status =
              store_.Create(MinimalModel(absl::StrCat("publishers/group/models/contested-", i), "mit")).status();
          if (status.ok()) {
            ++contested_created;
          } else {
            EXPECT_THAT(status, StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("contested-")));
            ++contested_existing;
          }
        }
        if (i % 7 == 0) {
          EXPECT_THAT(store_.Create(MinimalModel(absl::StrCat("publishers/group/models/w", t, "-", i), "withdrawn")),
                      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("licenses/withdrawn")));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(contested_created.load(), kEach / 5);
  EXPECT_EQ(contested_existing.load(), (kThreads - 1) * kEach / 5);

  absl::StatusOr<ConnectionPool::Lease> lease = pool().Acquire();
  ASSERT_OK(lease);
  pqxx::work tx(**lease);
  // Rows written by one transaction share its xmin: fewer transactions than rows means creates shared commits.
  const pqxx::row rows =
      tx.exec1("SELECT count(*), count(DISTINCT xmin::text) FROM models WHERE name LIKE 'publishers/group/models/t%'");
  EXPECT_EQ(rows[0].as<int>(), kThreads * kEach);
  EXPECT_LT(rows[1].as<int>(), kThreads * kEach);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM models WHERE name LIKE 'publishers/group/models/w%'")[0].as<int>(), 0);
  const pqxx::result history = tx.exec(
      "SELECT resource, principal FROM revisions WHERE resource LIKE 'publishers/group/models/t%' ORDER BY sequence");
  ASSERT_EQ(history.size(), static_cast<size_t>(kThreads * kEach));
  for (const pqxx::row& row : history) {
    const std::string resource = row[0].as<std::string>();
    const int t = std::stoi(resource.substr(resource.find("/t") + 2));
    EXPECT_EQ(row[1].as<std::string>(), absl::StrCat("caller-", t % 3)) << resource;
  }
}

// A create whose call deadline has passed writes nothing, grouped or not.
TEST_F(ModelStoreTest, CreateAfterItsDeadlineWritesNothing) {
  {
    const ScopedCallDeadline past(absl::Now() - absl::Seconds(1));
    EXPECT_THAT(store_.Create(MinimalModel("publishers/late/models/m", "mit")),
                StatusIs(absl::StatusCode::kDeadlineExceeded));
  }
  EXPECT_THAT(store_.Get("publishers/late/models/m"), StatusIs(absl::StatusCode::kNotFound));
}

// A group of creates runs under the earliest deadline of its calls: a call is never committed after its deadline
// because it shared a transaction with a call that had more time, and the calls with time left still succeed.
TEST_F(ModelStoreTest, AGroupIsNeverCommittedAfterAMembersDeadline) {
  LicenseStore licenses(pool_.get());
  ASSERT_OK(licenses.Create(SimpleLicense("first-held"), NoCheck));
  ASSERT_OK(licenses.Create(SimpleLicense("then-held"), NoCheck));
  // Two transactions hold the licenses FOR UPDATE; a create using one waits for it (lock_timeout is 5 s).
  absl::StatusOr<ConnectionPool::Lease> first_lease = pool().Acquire();
  absl::StatusOr<ConnectionPool::Lease> then_lease = pool().Acquire();
  ASSERT_OK(first_lease);
  ASSERT_OK(then_lease);
  auto first = std::make_unique<pqxx::work>(**first_lease);
  auto then = std::make_unique<pqxx::work>(**then_lease);
  first->exec("SELECT 1 FROM licenses WHERE id = 'first-held' FOR UPDATE");
  then->exec("SELECT 1 FROM licenses WHERE id = 'then-held' FOR UPDATE");

  auto create = [&](const std::string& id, const std::string& license, absl::Duration timeout, absl::Status* status) {
    return std::thread([&, id, license, timeout, status] {
      const ScopedCallDeadline deadline(absl::Now() + timeout);
      *status = store_.Create(MinimalModel("publishers/held/models/" + id, license)).status();
    });
  };
  // Two creates take both flush slots and wait on the first license...
  absl::Status blocker_a, blocker_b, short_call, long_call;
  std::thread a = create("blocker-a", "first-held", absl::Seconds(30), &blocker_a);
  std::thread b = create("blocker-b", "first-held", absl::Seconds(30), &blocker_b);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // ... so these two queue, and are written as one group once a slot frees, then wait on the second license.
  std::thread s = create("short", "then-held", absl::Milliseconds(1500), &short_call);
  std::thread l = create("long", "then-held", absl::Seconds(30), &long_call);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  first->commit();  // at about 1 s: the blockers are written, the group of the other two starts
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  then->commit();  // at about 2.5 s: past the short call's deadline
  for (std::thread* thread : {&a, &b, &s, &l}) thread->join();

  EXPECT_OK(blocker_a);
  EXPECT_OK(blocker_b);
  EXPECT_THAT(short_call, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_OK(long_call);
  EXPECT_THAT(store_.Get("publishers/held/models/short"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_OK(store_.Get("publishers/held/models/long"));
}

// A create names the license etags its assessment was made with; a license updated since fails the create with
// ABORTED LICENSE_CHANGED and nothing written: alone, in a batch, and in a group, where only the calls assessed with
// the earlier version fail.
TEST_F(ModelStoreTest, ACreateAssessedWithAnEarlierLicenseVersionWritesNothing) {
  LicenseStore licenses(pool_.get());
  ASSERT_OK(licenses.Create(SimpleLicense("revised"), NoCheck));
  absl::StatusOr<v1::License> before = licenses.Get("licenses/revised");
  ASSERT_OK(before);
  absl::StatusOr<v1::License> after = licenses.Update("licenses/revised", [](Transaction&, v1::License& license) {
    license.set_display_name("Revised License 2.0");
    return absl::OkStatus();
  });
  ASSERT_OK(after);
  ASSERT_NE(before->etag(), after->etag());
  const LicenseEtags stale = {{"licenses/revised", before->etag()}};
  const LicenseEtags current = {{"licenses/revised", after->etag()}};
  auto changed = [](const absl::Status& status) {
    return status.code() == absl::StatusCode::kAborted && ErrorReason(status) == kLicenseChanged &&
           absl::StrContains(status.message(), "licenses/revised");
  };

  EXPECT_TRUE(changed(store_.Create(MinimalModel("publishers/revised/models/alone", "revised"), stale).status()));
  EXPECT_TRUE(changed(store_
                          .CreateBatch({MinimalModel("publishers/revised/models/batch-a", "mit"),
                                        MinimalModel("publishers/revised/models/batch-b", "revised")},
                                       stale)
                          .status()));
  for (const char* name : {"alone", "batch-a", "batch-b"}) {
    EXPECT_THAT(store_.Get(absl::StrCat("publishers/revised/models/", name)), StatusIs(absl::StatusCode::kNotFound));
  }

  constexpr int kThreads = 8;
  constexpr int kEach = 10;
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string name = absl::StrCat("publishers/revised/models/t", t, "-", i);
        absl::StatusOr<v1::Model> created = store_.Create(MinimalModel(name, "revised"), t % 2 == 0 ? stale : current);
        if (t % 2 == 0) {
          refused += changed(created.status()) ? 1 : 0;
        } else {
          EXPECT_OK(created);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(refused.load(), kThreads / 2 * kEach);
  absl::StatusOr<ConnectionPool::Lease> lease = pool().Acquire();
  ASSERT_OK(lease);
  pqxx::work tx(**lease);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM models WHERE name LIKE 'publishers/revised/models/%'")[0].as<int>(),
            kThreads / 2 * kEach);
}

// A license read inside a model write's transaction (a mutation assessing the model) is locked FOR SHARE until it
// ends: no license update can commit in between, so the assessment cannot be overtaken.
TEST_F(ModelStoreTest, LicensesReadInAMutationCannotChangeUntilItEnds) {
  LicenseStore licenses(pool_.get());
  ASSERT_OK(licenses.Create(SimpleLicense("pinned"), NoCheck));
  ASSERT_OK(store_.Create(MinimalModel("publishers/pinned/models/m", "mit")));
  // From another connection: an update of the license gives up after 200 ms of waiting for a lock.
  auto update_blocked = [&] {
    pqxx::connection other(db().url());
    pqxx::work tx(other);
    tx.exec("SET LOCAL lock_timeout = '200ms'");
    try {
      tx.exec("UPDATE licenses SET record = record WHERE id = 'pinned'");
      return false;
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate() == "55P03";  // lock_not_available
    }
  };
  for (const bool by_alias : {false, true}) {
    SCOPED_TRACE(by_alias ? "FindByKeys" : "GetMany");
    ASSERT_OK(store_.Update("publishers/pinned/models/m", [&](Transaction& tx, v1::Model&) -> absl::Status {
      absl::StatusOr<std::vector<v1::License>> read =
          by_alias ? licenses.FindByKeys({"pinned"}, &tx) : licenses.GetMany({"licenses/pinned"}, &tx);
      if (!read.ok()) return read.status();
      EXPECT_EQ(read->size(), 1u);
      EXPECT_TRUE(update_blocked());
      return absl::OkStatus();
    }));
    EXPECT_FALSE(update_blocked()) << "released at the end of the transaction";
  }
  // Outside a transaction a read locks nothing.
  ASSERT_OK(licenses.GetMany({"licenses/pinned"}, nullptr));
  EXPECT_FALSE(update_blocked());
}

TEST_F(ModelStoreTest, ConcurrentUpdatesAreSerialized) {
  ASSERT_OK(store_.Create(MinimalModel("publishers/conc/models/m")));
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([this] {
      for (int j = 0; j < 10; ++j) {
        EXPECT_OK(store_.Update("publishers/conc/models/m", [](Transaction&, v1::Model& model) {
          model.set_parameter_count(model.parameter_count() + 1);
          return absl::OkStatus();
        }));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  absl::StatusOr<v1::Model> got = store_.Get("publishers/conc/models/m");
  ASSERT_OK(got);
  EXPECT_EQ(got->parameter_count(), 60);
  EXPECT_EQ(got->revision(), 61);
}

TEST_F(ModelStoreTest, ListPagesWithKeyset) {
  std::vector<v1::Model> models;
  for (int i = 0; i < 1234; ++i) {
    v1::Model model = MinimalModel(absl::StrFormat("publishers/paged/models/m%04d", i), i % 2 ? "mit" : "");
    models.push_back(model);
  }
  ASSERT_OK(store_.CreateBatch(models));

  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  while (true) {
    v1::ListModelsRequest request;
    request.set_parent("publishers/paged");
    request.set_page_size(100);
    absl::StatusOr<ListQuery> query = CompileListModels(request);
    ASSERT_OK(query);
    if (!after.empty()) query->after = std::vector<std::string>{after};
    absl::StatusOr<Page<v1::Model>> page = List(*query);
    ASSERT_OK(page);
    ++pages;
    for (const v1::Model& model : page->items) {
      EXPECT_EQ(model.revision(), 1);
      seen.push_back(model.name());
    }
    if (!page->next_key.has_value()) {
      EXPECT_EQ(page->items.size(), 34u);
      break;
    }
    ASSERT_EQ(page->items.size(), 100u);
    ASSERT_EQ(page->next_key->size(), 1u);
    ASSERT_TRUE((*page->next_key)[0].has_value());
    EXPECT_EQ(*(*page->next_key)[0], page->items.back().name());
    after = *(*page->next_key)[0];
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(pages, 13);
  ASSERT_EQ(seen.size(), 1234u);
  for (int i = 0; i < 1234; ++i)
    EXPECT_EQ(seen[static_cast<size_t>(i)], absl::StrFormat("publishers/paged/models/m%04d", i));
}

TEST_F(ModelStoreTest, ListWithNullableKeysAndTypedParams) {
  for (int i = 0; i < 5; ++i) {
    v1::Model model = MinimalModel(absl::StrCat("publishers/typed/models/m", i));
    model.set_parameter_count(int64_t{i} * 1000);  // 0 is NULL
    ASSERT_OK(store_.Create(model));
  }
  auto compile = [](const std::string& parent, int page_size) {
    v1::ListModelsRequest request;
    request.set_parent(parent);
    request.set_filter("parameter_count < 3000 OR -parameter_count:*");
    request.set_order_by("parameter_count");
    request.set_page_size(page_size);
    return CompileListModels(request);
  };
  absl::StatusOr<ListQuery> query = compile("publishers/typed", 1);
  ASSERT_OK(query);
  absl::StatusOr<Page<v1::Model>> page = List(*query);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].name(), "publishers/typed/models/m0");
  ASSERT_TRUE(page->next_key.has_value());
  EXPECT_EQ((*page->next_key)[0], "-1") << "an unknown count is keyed by its sort sentinel";
  EXPECT_EQ((*page->next_key)[1], "publishers/typed/models/m0");

  query = compile("publishers/typed", 10);
  ASSERT_OK(query);
  page = List(*query);
  ASSERT_OK(page);
  EXPECT_EQ(page->items.size(), 3u);
  EXPECT_FALSE(page->next_key.has_value());

  // Values are bound, never pasted: a quote is just a character.
  query->parent[0].value = "typed' OR '1'='1";
  page = List(*query);
  ASSERT_OK(page);
  EXPECT_TRUE(page->items.empty());

  query->limit = 0;
  EXPECT_THAT(List(*query), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ModelStoreTest, MutationsReadOtherStoresInTheirTransaction) {
  // One connection: a read that took a second one would time out.
  absl::StatusOr<std::unique_ptr<ConnectionPool>> single = ConnectionPool::Create(db().url(), 1);
  ASSERT_OK(single);
  ModelStore models(single->get());
  LicenseStore licenses(single->get());
  ASSERT_OK(models.Create(MinimalModel("publishers/nested/models/m", "mit")));
  absl::StatusOr<v1::Model> updated =
      models.Update("publishers/nested/models/m", [&](Transaction& tx, v1::Model& model) {
        absl::StatusOr<std::vector<v1::License>> found = licenses.GetMany({model.weights().license()}, &tx);
        if (!found.ok()) return found.status();
        EXPECT_EQ(found->size(), 1u);
        // The same transaction: a row written in it is visible to the read.
        tx.sql().exec("UPDATE licenses SET delete_time = now() WHERE id = 'mit'");
        found = licenses.GetMany({"licenses/mit"}, &tx);
        EXPECT_TRUE(found.ok() && found->size() == 1 && (*found)[0].has_delete_time());
        return absl::AbortedError("changed my mind");
      });
  EXPECT_THAT(updated, StatusIs(absl::StatusCode::kAborted));
  // The aborted transaction took its write with it.
  absl::StatusOr<v1::License> mit = licenses.Get("licenses/mit");
  ASSERT_OK(mit);
  EXPECT_FALSE(mit->has_delete_time());
  EXPECT_EQ(models.Get("publishers/nested/models/m")->revision(), 1);
}

// Reassess rewrites every model of the database, so it runs on a database of its own.
TEST(ModelStoreReassessTest, RewritesOnlyTheAssessmentInBatches) {
  absl::StatusOr<std::unique_ptr<testing::TestDatabase>> db = testing::TestDatabase::Create();
  ASSERT_OK(db);
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create((*db)->url(), 2);
  ASSERT_OK(pool);
  LicenseStore licenses(pool->get());
  ASSERT_OK(licenses.Create(SimpleLicense("mit"), NoCheck));
  ModelStore store(pool->get());
  std::vector<v1::Model> models;
  for (int i = 0; i < 1100; ++i) {
    models.push_back(MinimalModel(absl::StrFormat("publishers/r/models/m%04d", i), i % 100 == 0 ? "mit" : ""));
  }
  models[7].mutable_openness()->set_rules_version(2);  // already current
  ASSERT_OK(store.CreateBatch(models));
  absl::StatusOr<v1::Model> before = store.Get("publishers/r/models/m0001");
  ASSERT_OK(before);

  auto recompute = [](int level) {
    return [level](Transaction&, v1::Model& model) {
      model.mutable_openness()->set_level(level);
      model.mutable_openness()->set_rules_version(2);
      model.mutable_openness()->clear_flags();
      model.mutable_openness()->add_flags(v1::OPENNESS_FLAG_UNKNOWN_FACTS);
      model.set_display_name("ignored: only the assessment is kept");
      return absl::OkStatus();
    };
  };
  absl::StatusOr<int64_t> rewritten = store.Reassess(2, "", recompute(3));
  ASSERT_OK(rewritten);
  EXPECT_EQ(*rewritten, 1099);
  absl::StatusOr<v1::Model> after = store.Get("publishers/r/models/m0001");
  ASSERT_OK(after);
  EXPECT_EQ(after->openness().level(), 3);
  EXPECT_EQ(after->openness().rules_version(), 2);
  EXPECT_EQ(after->display_name(), "");
  EXPECT_EQ(after->revision(), before->revision());
  EXPECT_EQ(after->update_time(), before->update_time());

  rewritten = store.Reassess(2, "", recompute(3));
  ASSERT_OK(rewritten);
  EXPECT_EQ(*rewritten, 0);

  rewritten = store.Reassess(2, "licenses/mit", recompute(4));
  ASSERT_OK(rewritten);
  EXPECT_EQ(*rewritten, 11);
  EXPECT_EQ(store.Get("publishers/r/models/m0100")->openness().level(), 4);

  absl::StatusOr<ConnectionPool::Lease> lease = (*pool)->Acquire();
  ASSERT_OK(lease);
  pqxx::work tx(**lease);
  pqxx::row counts = tx.exec1(
      "SELECT count(*) FILTER (WHERE openness_level = 4), count(*) FILTER (WHERE rules_version = 2), "
      "count(*) FILTER (WHERE openness_flags = '{6}') FROM models");
  EXPECT_EQ(counts[0].as<int>(), 11);
  EXPECT_EQ(counts[1].as<int>(), 1100);
  EXPECT_EQ(counts[2].as<int>(), 1099);
}

TEST(ModelStoreReassessTest, ErrorStopsAndKeepsCommittedBatches) {
  absl::StatusOr<std::unique_ptr<testing::TestDatabase>> db = testing::TestDatabase::Create();
  ASSERT_OK(db);
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create((*db)->url(), 1);
  ASSERT_OK(pool);
  ModelStore store(pool->get());
  std::vector<v1::Model> models;
  for (int i = 0; i < 600; ++i) models.push_back(MinimalModel(absl::StrFormat("publishers/e/models/m%04d", i)));
  ASSERT_OK(store.CreateBatch(models));
  absl::StatusOr<int64_t> rewritten = store.Reassess(2, "", [](Transaction&, v1::Model& model) {
    if (model.name() == "publishers/e/models/m0550") return absl::InternalError("rules failed");
    model.mutable_openness()->set_rules_version(2);
    return absl::OkStatus();
  });
  EXPECT_THAT(rewritten, StatusIs(absl::StatusCode::kInternal, "rules failed"));
  EXPECT_EQ(store.Get("publishers/e/models/m0499")->openness().rules_version(), 2);
  EXPECT_EQ(store.Get("publishers/e/models/m0500")->openness().rules_version(), 1);
}

}  // namespace
}  // namespace modelreg

#include "server/storage/license_store.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <future>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/str_cat.h"
#include "server/domain/query/model_query.h"
#include "server/storage/model_store.h"
#include "server/storage/pooled_connection.h"
#include "server/storage/transaction.h"
#include "tests/integration/storage/storage_test_base.h"
#include "tests/integration/storage/store_test_data.h"
#include "tests/support/eventually.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::google::protobuf::util::TimeUtil;
using ::modelreg::testing::Eventually;
using ::modelreg::testing::FullLicense;
using ::modelreg::testing::MinimalModel;
using ::modelreg::testing::NoCheck;
using ::modelreg::testing::SimpleLicense;
using ::modelreg::testing::StatusIs;
using ::modelreg::testing::StorageTest;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

absl::Status SoftDelete(Transaction& /*tx*/, v1::License& license) {
  *license.mutable_delete_time() = TimeUtil::GetCurrentTime();
  return absl::OkStatus();
}

class LicenseStoreTest : public StorageTest {
 protected:
  // Runs `write`, a license write that takes the update's table lock, while an earlier transaction holds license `id`
  // FOR SHARE as a model write does, and returns what it returned. Checks that the write waits for that transaction;
  // that a model write starting meanwhile waits behind it instead of joining the earlier one; that plain reads go on;
  // and that the write releases its lock when it ends. A create, which waits for no model write, must succeed while
  // the earlier transaction holds the license (it would fail with LOCK_TIMEOUT after 5 s).
  template <typename T>
  absl::StatusOr<T> WriteBehindAModelWrite(const std::string& id, const std::function<absl::StatusOr<T>()>& write) {
    const auto hold_for_share = [&id](pqxx::work& tx) {
      tx.exec("SET LOCAL lock_timeout = '300ms'");
      tx.exec_params("SELECT 1 FROM licenses WHERE id = $1 FOR SHARE", id);
    };
    pqxx::connection earlier_connection(db().url());
    pqxx::work earlier(earlier_connection);
    hold_for_share(earlier);
    EXPECT_OK(store_.Create(SimpleLicense(id + "-newcomer"), NoCheck));

    std::future<absl::StatusOr<T>> written = std::async(std::launch::async, write);
    pqxx::connection monitor(db().url());
    const std::string blocked_by_earlier = absl::StrCat(
        "SELECT 1 FROM pg_stat_activity WHERE ", earlier_connection.backendpid(), " = ANY(pg_blocking_pids(pid))");
    const auto write_waiting = [&] { return !pqxx::nontransaction(monitor).exec(blocked_by_earlier).empty(); };
    const bool waiting = Eventually(write_waiting, absl::Seconds(5));
    EXPECT_TRUE(waiting) << "the write did not wait for the earlier model write";

    pqxx::connection later_connection(db().url());
    if (waiting) {
      pqxx::work later(later_connection);
      try {
        hold_for_share(later);
        ADD_FAILURE() << "a later FOR SHARE was granted while the write waited";
      } catch (const pqxx::sql_error& e) {
        EXPECT_EQ(e.sqlstate(), "55P03");  // lock_not_available
      }
    }
    {
      pqxx::work read(monitor);
      read.exec("SET LOCAL statement_timeout = '300ms'");
      EXPECT_NO_THROW(read.exec_params("SELECT record FROM licenses WHERE id = $1", id));
    }
    earlier.commit();
    absl::StatusOr<T> result = written.get();
    pqxx::work after(later_connection);
    EXPECT_NO_THROW(hold_for_share(after)) << "the write released its lock";
    return result;
  }

  // Marks license `id` as derived by an older modelregd: the old has_use_restrictions rule, no derived version.
  void MarkStale(const std::string& id) {
    ASSERT_OK(RunTransaction(pool(), [&id](Transaction& tx) {
      tx.sql().exec_params("UPDATE licenses SET has_use_restrictions = false, derived_version = 0 WHERE id = $1", id);
      return absl::OkStatus();
    }));
  }

  // Creates license `id` (its restrictions propagate, which the old has_use_restrictions rule missed) as an older
  // modelregd derived it: one row for a backfill to rewrite.
  void CreateStaleLicense(const std::string& id) {
    v1::License license = SimpleLicense(id);
    license.mutable_derivative_terms()->set_restrictions_propagate(true);
    ASSERT_OK(store_.Create(license, NoCheck));
    MarkStale(id);
  }

  // A lock timeout of 200 ms instead of 5 s for the rest of the test (TearDown restores the defaults).
  static void ShortenLockTimeout() {
    SetStatementLimits({StatementLimits().max_statement_timeout, absl::Milliseconds(200)});
  }
  void TearDown() override { SetStatementLimits({}); }

  LicenseStore store_{pool_.get()};
  ModelStore models_{pool_.get()};
};

TEST_F(LicenseStoreTest, CreateGetRoundTripWithEveryField) {
  const v1::License input = FullLicense("llama3.1");
  absl::StatusOr<v1::License> created = store_.Create(input, NoCheck);
  ASSERT_OK(created);
  EXPECT_TRUE(created->has_create_time());
  EXPECT_EQ(created->create_time(), created->update_time());
  EXPECT_THAT(created->etag(), MatchesRegex("[0-9a-f]{16}"));
  v1::License content = *created;
  content.clear_create_time();
  content.clear_update_time();
  content.clear_etag();
  EXPECT_TRUE(MessageDifferencer::Equals(input, content));

  absl::StatusOr<v1::License> got = store_.Get("licenses/llama3.1");
  ASSERT_OK(got);
  EXPECT_TRUE(MessageDifferencer::Equals(*created, *got));

  absl::StatusOr<ConnectionPool::Lease> lease = pool().Acquire();
  ASSERT_OK(lease);
  pqxx::work tx(**lease);
  pqxx::row row = tx.exec1(
      "SELECT display_name, spdx_id, category, commercial_use, osi_approved, fsf_libre, open_data, "
      "has_usage_threshold, has_use_restrictions, revision FROM licenses WHERE id = 'llama3.1'");
  EXPECT_EQ(row[0].as<std::string>(), "Llama 3.1 Community License Agreement");
  EXPECT_EQ(row[1].as<std::string>(), "LicenseRef-llama3.1");
  EXPECT_EQ(row[2].as<int>(), v1::License::CATEGORY_COMMUNITY);
  EXPECT_EQ(row[3].as<int>(), v1::License::COMMERCIAL_USE_CONDITIONAL);
  EXPECT_FALSE(row[4].as<bool>());
  EXPECT_FALSE(row[5].as<bool>());
  EXPECT_FALSE(row[6].as<bool>());
  EXPECT_TRUE(row[7].as<bool>());
  EXPECT_TRUE(row[8].as<bool>());
  EXPECT_EQ(row[9].as<int>(), 1);
}

TEST_F(LicenseStoreTest, ErrorsOnCreateAndGet) {
  ASSERT_OK(store_.Create(SimpleLicense("dup"), NoCheck));
  EXPECT_THAT(store_.Create(SimpleLicense("dup"), NoCheck),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("licenses/dup")));
  v1::License bad = SimpleLicense("x");
  bad.set_name("x");
  EXPECT_THAT(store_.Create(bad, NoCheck), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_.Get("licenses/none"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_.Get("none"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(LicenseStoreTest, ARefusingCheckStoresNothing) {
  int checks = 0;
  EXPECT_THAT(store_.Create(SimpleLicense("refused"),
                            [&](Transaction&) {
                              ++checks;
                              return absl::InvalidArgumentError("license.aliases[0]: taken");
                            }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("taken")));
  EXPECT_EQ(checks, 1);
  EXPECT_THAT(store_.Get("licenses/refused"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(LicenseStoreTest, GetManyReturnsTheExistingOnes) {
  ASSERT_OK(store_.Create(SimpleLicense("many-a"), NoCheck));
  ASSERT_OK(store_.Create(SimpleLicense("many-b"), NoCheck));
  ASSERT_OK(store_.Update("licenses/many-b", SoftDelete));
  absl::StatusOr<std::vector<v1::License>> got =
      store_.GetMany({"licenses/many-b", "licenses/many-missing", "licenses/many-a", "garbage"}, nullptr);
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].name(), "licenses/many-a");
  EXPECT_EQ((*got)[1].name(), "licenses/many-b");
  EXPECT_TRUE((*got)[1].has_delete_time());
  EXPECT_THAT(store_.GetMany({}, nullptr), testing::IsOk());
}

TEST_F(LicenseStoreTest, UpdateChangesTermsAndEtag) {
  absl::StatusOr<v1::License> created = store_.Create(SimpleLicense("upd"), NoCheck);
  ASSERT_OK(created);
  absl::StatusOr<v1::License> updated = store_.Update("licenses/upd", [](Transaction&, v1::License& license) {
    license.mutable_use_restrictions()->add_restricted_uses("military");
    return absl::OkStatus();
  });
  ASSERT_OK(updated);
  EXPECT_NE(updated->etag(), created->etag());
  EXPECT_EQ(updated->create_time(), created->create_time());
  EXPECT_TRUE(MessageDifferencer::Equals(*updated, *store_.Get("licenses/upd")));
  EXPECT_THAT(store_.Update("licenses/missing", SoftDelete), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(LicenseStoreTest, DeleteIsBlockedWhileALiveModelReferencesIt) {
  ASSERT_OK(store_.Create(SimpleLicense("busy"), NoCheck));
  ASSERT_OK(models_.Create(MinimalModel("publishers/lic/models/user", "busy")));
  EXPECT_THAT(store_.Update("licenses/busy", SoftDelete),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       Eq("license `licenses/busy` is referenced by model `publishers/lic/models/user`")));
  EXPECT_FALSE(store_.Get("licenses/busy")->has_delete_time());

  // A component reference counts too.
  ASSERT_OK(store_.Create(SimpleLicense("component-only"), NoCheck));
  v1::Model component_user = MinimalModel("publishers/lic/models/component-user");
  component_user.add_components()->set_license("licenses/component-only");
  ASSERT_OK(models_.Create(component_user));
  EXPECT_THAT(store_.Update("licenses/component-only", SoftDelete),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("component-user")));

  // Once the model is soft-deleted, the license can go; the model then cannot come back.
  ASSERT_OK(models_.Update("publishers/lic/models/user", [](Transaction&, v1::Model& model) {
    *model.mutable_delete_time() = TimeUtil::GetCurrentTime();
    return absl::OkStatus();
  }));
  absl::StatusOr<v1::License> deleted = store_.Update("licenses/busy", SoftDelete);
  ASSERT_OK(deleted);
  EXPECT_TRUE(deleted->has_delete_time());
  EXPECT_THAT(models_.Update("publishers/lic/models/user",
                             [](Transaction&, v1::Model& model) {
                               model.clear_delete_time();
                               return absl::OkStatus();
                             }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("licenses/busy")));

  // Undelete of the license works.
  absl::StatusOr<v1::License> restored = store_.Update("licenses/busy", [](Transaction&, v1::License& license) {
    license.clear_delete_time();
    return absl::OkStatus();
  });
  ASSERT_OK(restored);
  EXPECT_FALSE(restored->has_delete_time());
}

// A model write holds its licenses FOR SHARE. A row lock alone lets a new FOR SHARE join the holders while an update
// waits, so overlapping model writes (a bulk import) could keep the update waiting for as long as they go on.
TEST_F(LicenseStoreTest, AnUpdateWaitingForModelWritesHoldsBackTheLaterOnes) {
  ASSERT_OK(store_.Create(SimpleLicense("popular"), NoCheck));
  absl::StatusOr<v1::License> updated = WriteBehindAModelWrite<v1::License>("popular", [&] {
    return store_.Update("licenses/popular", [](Transaction&, v1::License& license) {
      license.set_display_name("Popular, updated");
      return absl::OkStatus();
    });
  });
  ASSERT_OK(updated);
  EXPECT_EQ(updated->display_name(), "Popular, updated");
}

TEST_F(LicenseStoreTest, ListPages) {
  for (int i = 0; i < 5; ++i) ASSERT_OK(store_.Create(SimpleLicense("list-" + std::to_string(i)), NoCheck));
  v1::ListLicensesRequest request;
  request.set_filter("name = list-*");
  request.set_order_by("name desc");
  request.set_page_size(3);
  absl::StatusOr<ListQuery> query = CompileListLicenses(request);
  ASSERT_OK(query);
  absl::StatusOr<Page<v1::License>> page = store_.List(*query);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].name(), "licenses/list-4");
  ASSERT_TRUE(page->next_key.has_value());
  EXPECT_EQ((*page->next_key)[0], "list-2");
  query->after = std::vector<std::string>{"list-2"};
  page = store_.List(*query);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[1].name(), "licenses/list-0");
  EXPECT_FALSE(page->next_key.has_value());
}

// A derived column whose rule changed (has_use_restrictions now counts restrictions_propagate) or that a migration
// added is recomputed from the stored record for rows derived by another version; each row once.
TEST_F(LicenseStoreTest, BackfillRecomputesRowsDerivedByAnotherVersion) {
  v1::License license = SimpleLicense("propagates");
  license.mutable_derivative_terms()->set_restrictions_propagate(true);
  ASSERT_OK(store_.Create(license, NoCheck));
  ASSERT_OK(models_.Create(MinimalModel("publishers/backfill/models/m", "propagates")));
  auto column = [](const std::string& sql) {
    bool value = false;
    EXPECT_OK(RunSingleStatement(pool(), [&](Transaction& tx) {
      value = tx.sql().exec1(sql)[0].as<bool>();
      return absl::OkStatus();
    }));
    return value;
  };
  const std::string restricted = "SELECT has_use_restrictions FROM licenses WHERE id = 'propagates'";
  EXPECT_TRUE(column(restricted));
  // As an older modelregd stored it: the old rule's value, no derived version.
  MarkStale("propagates");
  ASSERT_OK(RunTransaction(pool(), [](Transaction& tx) {
    tx.sql().exec(
        "UPDATE models SET derived_version = 0, family = 'stale' WHERE name = 'publishers/backfill/models/m'");
    return absl::OkStatus();
  }));
  EXPECT_FALSE(column(restricted));

  absl::StatusOr<int64_t> licenses = store_.Backfill();
  ASSERT_OK(licenses);
  EXPECT_EQ(*licenses, 1);
  EXPECT_TRUE(column(restricted));
  absl::StatusOr<int64_t> models = models_.Backfill();
  ASSERT_OK(models);
  EXPECT_EQ(*models, 1);
  EXPECT_TRUE(column("SELECT family = '' FROM models WHERE name = 'publishers/backfill/models/m'"));
  // Nothing is stale any more; the revision did not change.
  EXPECT_EQ(*store_.Backfill(), 0);
  EXPECT_EQ(*models_.Backfill(), 0);
  EXPECT_EQ(models_.Get("publishers/backfill/models/m")->revision(), 1);
}

// A backfill (at start-up, after an upgrade) rewrites licenses while other replicas may be writing models: like an
// update, it waits for the model writes holding a license and holds back the later ones, so that a bulk import cannot
// keep it waiting past the lock timeout and fail the start-up.
TEST_F(LicenseStoreTest, ABackfillTakesTheUpdatesLock) {
  CreateStaleLicense("backfilled");
  absl::StatusOr<int64_t> rewritten = WriteBehindAModelWrite<int64_t>("backfilled", [&] { return store_.Backfill(); });
  ASSERT_OK(rewritten);
  EXPECT_EQ(*rewritten, 1);
}

// With nothing to rewrite (every start-up but the first after an upgrade), a backfill takes no lock: a model write in
// flight does not delay it, nor it the model writes.
TEST_F(LicenseStoreTest, ABackfillWithNothingToRewriteWaitsForNoModelWrite) {
  ASSERT_OK(store_.Create(SimpleLicense("unchanged"), NoCheck));
  ASSERT_OK(store_.Backfill());  // nothing stale left by another test
  ShortenLockTimeout();          // a regression fails in seconds
  pqxx::connection earlier_connection(db().url());
  pqxx::work earlier(earlier_connection);
  earlier.exec("SELECT 1 FROM licenses WHERE id = 'unchanged' FOR SHARE");
  absl::StatusOr<int64_t> rewritten = store_.Backfill();
  ASSERT_OK(rewritten);  // with the lock it would wait, then fail with LOCK_TIMEOUT after its attempts
  EXPECT_EQ(*rewritten, 0);
}

// A model write holding a license past the lock timeout fails a backfill attempt; the backfill tries again (a
// start-up fails only if the license stays held through every attempt).
TEST_F(LicenseStoreTest, ABackfillThatMeetsALockTimeoutTriesAgain) {
  CreateStaleLicense("held-long");
  ShortenLockTimeout();
  pqxx::connection holder_connection(db().url());
  pqxx::work holder(holder_connection);
  holder.exec("SELECT 1 FROM licenses WHERE id = 'held-long' FOR SHARE");
  std::future<void> release = std::async(std::launch::async, [&holder] {
    absl::SleepFor(absl::Milliseconds(600));  // past the first attempt's lock timeout
    holder.commit();
  });
  const absl::Time start = absl::Now();
  absl::StatusOr<int64_t> rewritten = store_.Backfill();
  const absl::Duration took = absl::Now() - start;
  release.get();
  ASSERT_OK(rewritten);
  EXPECT_EQ(*rewritten, 1);
  EXPECT_GE(took, absl::Seconds(1)) << "the first attempt met the lock timeout and paused";
}

}  // namespace
}  // namespace modelreg

// The in-memory fakes keep the documented semantics of the store interfaces (server/storage/repositories.h), so the
// service tests that use them mean what they say.
#include "tests/unit/service/fake_repositories.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/domain/query/model_query.h"
#include "tests/support/status_matchers.h"
#include "tests/unit/service/service_test_data.h"

namespace modelreg::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::Model Model(const std::string& id, const std::string& license = "licenses/apache-2.0") {
  v1::Model model = CreateModelRequest("acme", id, license).model();
  model.set_name("publishers/acme/models/" + id);
  return model;
}

ModelRepository::Mutation SetDescription(const std::string& description) {
  return [description](Transaction&, v1::Model& model) {
    model.set_description(description);
    return absl::OkStatus();
  };
}

ModelRepository::Mutation SetDeleted(bool deleted) {
  return [deleted](Transaction&, v1::Model& model) {
    if (deleted) {
      model.mutable_delete_time()->set_seconds(1);  // any value: the store uses its own time
    } else {
      model.clear_delete_time();
    }
    return absl::OkStatus();
  };
}

class FakeRepositoriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(stores_.licenses.Create(OpenLicense("apache-2.0")));
    ASSERT_OK(stores_.licenses.Create(ThresholdLicense("llama3.1")));
  }
  FakeStores stores_;
};

TEST_F(FakeRepositoriesTest, WritesCountRevisionsAndChangeEtagsAndTimes) {
  v1::Model input = Model("m");
  input.set_revision(9);
  input.set_etag("forged");
  auto created = stores_.models.Create(input);
  ASSERT_OK(created);
  EXPECT_EQ(created->revision(), 1);
  EXPECT_NE(created->etag(), "forged");
  EXPECT_EQ(created->etag().size(), 16u);
  EXPECT_TRUE(created->has_create_time());
  EXPECT_EQ(created->update_time().seconds(), created->create_time().seconds());
  EXPECT_FALSE(created->has_delete_time());

  auto updated = stores_.models.Update(created->name(), SetDescription("d"));
  ASSERT_OK(updated);
  EXPECT_EQ(updated->revision(), 2);
  EXPECT_NE(updated->etag(), created->etag());
  EXPECT_GT(updated->update_time().seconds(), created->update_time().seconds());
  EXPECT_EQ(updated->create_time().seconds(), created->create_time().seconds());
  EXPECT_EQ(stores_.models.Get(created->name())->etag(), updated->etag());

  // Same record, new revision: a new etag.
  auto again = stores_.models.Update(created->name(), SetDescription("d"));
  ASSERT_OK(again);
  EXPECT_NE(again->etag(), updated->etag());

  EXPECT_THAT(stores_.models.Create(Model("m")), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(stores_.models.Get("publishers/acme/models/x"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(stores_.models.Update("publishers/acme/models/x", SetDescription("d")),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(FakeRepositoriesTest, AFailedMutationOrANameChangeWritesNothing) {
  auto created = stores_.models.Create(Model("m"));
  ASSERT_OK(created);
  EXPECT_THAT(stores_.models.Update(created->name(),
                                    [](Transaction&, v1::Model& model) {
                                      model.set_description("half-done");
                                      return absl::DataLossError("boom");
                                    }),
              StatusIs(absl::StatusCode::kDataLoss, "boom"));
  EXPECT_THAT(stores_.models.Update(created->name(),
                                    [](Transaction&, v1::Model& model) {
                                      model.set_name("publishers/acme/models/renamed");
                                      return absl::OkStatus();
                                    }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name cannot change")));
  auto stored = stores_.models.Get(created->name());
  ASSERT_OK(stored);
  EXPECT_EQ(stored->revision(), 1);
  EXPECT_EQ(stored->description(), "");
  EXPECT_EQ(stored->etag(), created->etag());
}

TEST_F(FakeRepositoriesTest, SoftDeleteKeepsTheFirstDeleteTimeUntilRestored) {
  auto created = stores_.models.Create(Model("m"));
  ASSERT_OK(created);
  auto deleted = stores_.models.Update(created->name(), SetDeleted(true));
  ASSERT_OK(deleted);
  ASSERT_TRUE(deleted->has_delete_time());
  EXPECT_EQ(deleted->delete_time().seconds(), deleted->update_time().seconds());  // the transaction's time

  auto edited = stores_.models.Update(created->name(), SetDescription("while deleted"));
  ASSERT_OK(edited);
  EXPECT_EQ(edited->delete_time().seconds(), deleted->delete_time().seconds());
  EXPECT_GT(edited->update_time().seconds(), deleted->update_time().seconds());

  auto restored = stores_.models.Update(created->name(), SetDeleted(false));
  ASSERT_OK(restored);
  EXPECT_FALSE(restored->has_delete_time());
  EXPECT_EQ(restored->revision(), 4);
}

TEST_F(FakeRepositoriesTest, LiveModelsReferenceOnlyLiveLicenses) {
  ASSERT_OK(stores_.licenses.Create(OpenLicense("temp-1.0")));
  EXPECT_THAT(stores_.models.Create(Model("m", "licenses/nope")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("licenses/nope")));
  auto user = stores_.models.Create(Model("user", "licenses/temp-1.0"));
  ASSERT_OK(user);

  EXPECT_THAT(SoftDeleteLicense(stores_.licenses, "licenses/temp-1.0"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(user->name())));
  EXPECT_TRUE(stores_.licenses.IsLive("licenses/temp-1.0"));

  ASSERT_OK(stores_.models.Update(user->name(), SetDeleted(true)));
  ASSERT_OK(SoftDeleteLicense(stores_.licenses, "licenses/temp-1.0"));
  EXPECT_THAT(stores_.models.Create(Model("late", "licenses/temp-1.0")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("licenses/temp-1.0")));
  // A deleted model may keep the reference and be edited; it cannot come back while the license is deleted.
  ASSERT_OK(stores_.models.Update(user->name(), SetDescription("still deleted")));
  EXPECT_THAT(stores_.models.Update(user->name(), SetDeleted(false)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("licenses/temp-1.0")));
  // Deleting a deleted license again does not re-check references.
  ASSERT_OK(SoftDeleteLicense(stores_.licenses, "licenses/temp-1.0"));
}

TEST_F(FakeRepositoriesTest, CreateBatchIsAllOrNothing) {
  ASSERT_OK(stores_.models.Create(Model("b")));
  EXPECT_THAT(stores_.models.CreateBatch({Model("a"), Model("b")}), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(stores_.models.CreateBatch({Model("a"), Model("a")}), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(stores_.models.CreateBatch({Model("a"), Model("c", "licenses/nope")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(stores_.models.size(), 1u);
  auto created = stores_.models.CreateBatch({Model("a"), Model("c")});
  ASSERT_OK(created);
  EXPECT_EQ(created->size(), 2u);
  EXPECT_EQ(stores_.models.size(), 3u);
}

TEST_F(FakeRepositoriesTest, GetManyReturnsExistingLicensesInNameOrder) {
  ASSERT_OK(stores_.licenses.Create(OpenLicense("gone-1.0")));
  ASSERT_OK(SoftDeleteLicense(stores_.licenses, "licenses/gone-1.0"));
  auto found = stores_.licenses.GetMany({"licenses/llama3.1", "licenses/missing", "not-a-name", "licenses/gone-1.0",
                                         "licenses/apache-2.0", "licenses/llama3.1"},
                                        nullptr);
  ASSERT_OK(found);
  std::vector<std::string> names;
  for (const v1::License& license : *found) names.push_back(license.name());
  EXPECT_THAT(names, ElementsAre("licenses/apache-2.0", "licenses/gone-1.0", "licenses/llama3.1"));
  EXPECT_TRUE((*found)[1].has_delete_time());
}

TEST_F(FakeRepositoriesTest, ReassessKeepsOnlyTheOpennessAndCountsCalls) {
  ASSERT_OK(stores_.models.Create(Model("a", "licenses/llama3.1")));
  auto deleted = stores_.models.Create(Model("b", "licenses/llama3.1"));
  ASSERT_OK(deleted);
  ASSERT_OK(stores_.models.Update(deleted->name(), SetDeleted(true)));
  ASSERT_OK(stores_.models.Create(Model("c")));
  const auto before = stores_.models.Get("publishers/acme/models/a");
  ASSERT_OK(before);

  auto recompute = [](Transaction&, v1::Model& model) {
    model.mutable_openness()->set_level(4);
    model.set_description("ignored");
    return absl::OkStatus();
  };
  // By resource name or by id: the same models, soft-deleted included.
  EXPECT_EQ(*stores_.models.Reassess(1, "licenses/llama3.1", recompute), 2);
  EXPECT_EQ(*stores_.models.Reassess(1, "llama3.1", recompute), 2);
  auto after = stores_.models.Get("publishers/acme/models/a");
  ASSERT_OK(after);
  EXPECT_EQ(after->openness().level(), 4);
  EXPECT_EQ(after->description(), "");
  EXPECT_EQ(after->revision(), before->revision());
  EXPECT_EQ(after->update_time().seconds(), before->update_time().seconds());
  EXPECT_EQ(stores_.models.Get(deleted->name())->openness().level(), 4);
  EXPECT_EQ(stores_.models.Get("publishers/acme/models/c")->openness().level(), 0);

  // By rules version: every model whose assessment has another version (all three: none set one).
  EXPECT_EQ(*stores_.models.Reassess(7, "", recompute), 3);
  ASSERT_EQ(stores_.models.calls().reassess.size(), 3u);
  EXPECT_EQ(stores_.models.calls().reassess[1].license_id, "llama3.1");
  EXPECT_EQ(stores_.models.calls().reassess[2].rules_version, 7);

  // An error stops the pass; batches already committed stay.
  stores_.models.set_reassess_batch_size(1);
  int seen = 0;
  EXPECT_THAT(stores_.models.Reassess(1, "",
                                      [&seen](Transaction&, v1::Model& model) {
                                        if (++seen == 2) return absl::InternalError("second fails");
                                        model.mutable_openness()->set_level(5);
                                        return absl::OkStatus();
                                      }),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(stores_.models.Get("publishers/acme/models/a")->openness().level(), 5);
  EXPECT_EQ(stores_.models.Get(deleted->name())->openness().level(), 4);
}

TEST_F(FakeRepositoriesTest, TransactionEndHooksRunWhenTheCallReturns) {
  ASSERT_OK(stores_.models.Create(Model("m")));
  bool ended = false;
  ASSERT_OK(stores_.models.Update("publishers/acme/models/m", [&ended](Transaction& tx, v1::Model&) {
    tx.OnEnd([&ended] { ended = true; });
    EXPECT_FALSE(ended);
    return absl::OkStatus();
  }));
  EXPECT_TRUE(ended);
}

TEST_F(FakeRepositoriesTest, ListSupportsLimitShowDeletedAndNameOrderOnly) {
  for (const char* id : {"c", "a", "b"}) ASSERT_OK(stores_.models.Create(Model(id)));
  ASSERT_OK(stores_.models.Update("publishers/acme/models/b", SetDeleted(true)));
  v1::ListModelsRequest request;
  request.set_parent("publishers/acme");
  request.set_page_size(1);
  auto query = CompileListModels(request);
  ASSERT_OK(query);
  auto page = stores_.models.ListSerialized(*query);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 1u);
  v1::Model listed;
  ASSERT_TRUE(listed.ParseFromString(page->items[0]));
  EXPECT_EQ(listed.name(), "publishers/acme/models/a");
  ASSERT_TRUE(page->next_key.has_value());
  EXPECT_THAT(*page->next_key, ElementsAre("publishers/acme/models/a"));

  query->limit = 10;
  query->show_deleted = true;
  EXPECT_EQ(stores_.models.ListSerialized(*query)->items.size(), 3u);
  EXPECT_FALSE(stores_.models.ListSerialized(*query)->next_key.has_value());

  query->limit = 0;
  EXPECT_THAT(stores_.models.ListSerialized(*query), StatusIs(absl::StatusCode::kInvalidArgument));
  request.set_filter("family = \"x\"");
  auto filtered = CompileListModels(request);
  ASSERT_OK(filtered);
  EXPECT_THAT(stores_.models.ListSerialized(*filtered), StatusIs(absl::StatusCode::kUnimplemented));
  request.clear_filter();
  request.set_order_by("create_time desc");
  auto ordered = CompileListModels(request);
  ASSERT_OK(ordered);
  EXPECT_THAT(stores_.models.ListSerialized(*ordered), StatusIs(absl::StatusCode::kUnimplemented));
}

}  // namespace
}  // namespace modelreg::testing

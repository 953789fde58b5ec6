// Catalog parsing (ParseCatalog) and the sync decision (DecideSync).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "server/domain/catalog/catalog.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr char kCatalog[] = R"yaml(
# a comment
licenses:
  - license_id: llama3.1
    display_name: Llama 3.1 Community License Agreement
    category: CATEGORY_COMMUNITY
    usage_thresholds:
      - metric: METRIC_MONTHLY_ACTIVE_USERS
        limit: 700000000
        consequence: CONSEQUENCE_REQUEST_LICENSE
    sources: [https://example.com/llama]
  - license_id: apache-2.0
    osiApproved: true
models:
  - name: publishers/meta-llama/models/llama-3.1-8b
    display_name: Llama 3.1 8B
    labels: {team: x}
    weights: {access: ACCESS_GATED_CLICK_THROUGH, license: licenses/llama3.1}
    components:
      - {kind: COMPONENT_KIND_TRAINING_CODE, status: STATUS_NOT_RELEASED}
    data_disclosure: {level: LEVEL_UNDISCLOSED, complete_description: false}
)yaml";

TEST(ParseCatalogTest, ParsesLicensesAndModels) {
  absl::StatusOr<Catalog> catalog = ParseCatalog(kCatalog);
  ASSERT_OK(catalog);
  ASSERT_EQ(catalog->licenses.size(), 2u);
  EXPECT_EQ(catalog->licenses[0].first, "llama3.1");
  const v1::License& llama = catalog->licenses[0].second;
  EXPECT_EQ(llama.name(), "licenses/llama3.1");
  EXPECT_EQ(llama.category(), v1::License::CATEGORY_COMMUNITY);
  ASSERT_EQ(llama.usage_thresholds_size(), 1);
  EXPECT_EQ(llama.usage_thresholds(0).limit(), 700000000);
  EXPECT_EQ(llama.usage_thresholds(0).metric(), v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  EXPECT_TRUE(catalog->licenses[1].second.osi_approved());  // lowerCamel names work too
  ASSERT_EQ(catalog->models.size(), 1u);
  const v1::Model& model = catalog->models[0];
  EXPECT_EQ(model.name(), "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_EQ(model.weights().access(), v1::Weights::ACCESS_GATED_CLICK_THROUGH);
  EXPECT_EQ(model.components(0).status(), v1::Component::STATUS_NOT_RELEASED);
  EXPECT_TRUE(model.data_disclosure().has_complete_description());
  EXPECT_FALSE(model.data_disclosure().has_public_sources_listed());
}

TEST(ParseCatalogTest, EmptyDocumentIsEmptyCatalog) {
  absl::StatusOr<Catalog> catalog = ParseCatalog("# nothing\n");
  ASSERT_OK(catalog);
  EXPECT_TRUE(catalog->licenses.empty());
  EXPECT_TRUE(catalog->models.empty());
}

TEST(ParseCatalogTest, RejectsMalformedCatalogs) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"licenses: [{display_name: x}]", "license_id"},
      {"licenses: [{license_id: Apache}]", "license_id"},
      {"licenses: [{license_id: a, name: licenses/a}]", "not `name`"},
      {"licenses: [{license_id: a}, {license_id: a}]", "duplicate"},
      {"licenses: [{license_id: a, no_such_field: 1}]", "licenses[0] (a)"},
      {"licenses: [{license_id: a, etag: x}]", "output-only"},
      {"models: [{display_name: x}]", "name"},
      {"models: [{name: models/x}]", "publishers/"},
      {"models: [{name: publishers/A/models/x}]", "publishers/"},
      {"models: [{name: publishers/a/models/x, revision: 3}]", "output-only"},
      {"models: [{name: publishers/a/models/x, openness: {level: 5}}]", "output-only"},
      {"models: [{name: publishers/a/models/x, labels: {modelreg.io/catalog-digest: abc}}]", "set by the sync"},
      {"models: [{name: publishers/a/models/x}, {name: publishers/a/models/x}]", "duplicate"},
      {"models: [{name: publishers/a/models/x, weights: {access: ACCESS_NOPE}}]", "models[0]"},
      {"other: []", "unknown top-level key"},
      {"models: {name: x}", "must be a list"},
      {"- a\n- b\n", "mapping"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseCatalog(c.text), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message))) << c.text;
  }
}

TEST(ParseCatalogTest, EmbeddedCatalogLoads) {
  absl::StatusOr<Catalog> catalog = LoadEmbeddedCatalog();
  ASSERT_OK(catalog);
  EXPECT_GE(catalog->licenses.size(), 36u);
  EXPECT_GE(catalog->models.size(), 25u);
}

v1::Model ShippedModel() {
  v1::Model model;
  model.set_name("publishers/a/models/x");
  model.set_display_name("X");
  model.mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
  model.mutable_weights()->set_license("licenses/apache-2.0");
  (*model.mutable_labels())["team"] = "core";
  return model;
}

// What the store holds after a sync wrote `shipped`: the label plus output-only fields.
v1::Model Stored(const v1::Model& shipped) {
  v1::Model stored = WithCatalogDigest(shipped);
  stored.mutable_create_time()->set_seconds(100);
  stored.mutable_update_time()->set_seconds(200);
  stored.set_etag("etag-1");
  stored.set_revision(3);
  stored.mutable_openness()->set_level(3);
  return stored;
}

TEST(CatalogDigestTest, DigestIsHexAndIgnoresOutputOnlyFieldsAndTheLabel) {
  const v1::Model shipped = ShippedModel();
  const std::string digest = CatalogDigest(shipped);
  EXPECT_THAT(digest, MatchesRegex("[0-9a-f]{16}"));
  EXPECT_EQ(CatalogDigest(Stored(shipped)), digest);
  EXPECT_EQ(WithCatalogDigest(shipped).labels().at(kCatalogDigestLabel), digest);
  v1::Model changed = shipped;
  changed.set_description("new");
  EXPECT_NE(CatalogDigest(changed), digest);
}

TEST(CatalogDigestTest, DigestIsStableAcrossMapInsertionOrder) {
  v1::Model a = ShippedModel();
  (*a.mutable_labels())["b"] = "2";
  (*a.mutable_labels())["c"] = "3";
  v1::Model b = ShippedModel();
  b.mutable_labels()->clear();
  (*b.mutable_labels())["c"] = "3";
  (*b.mutable_labels())["b"] = "2";
  (*b.mutable_labels())["team"] = "core";
  EXPECT_EQ(CatalogDigest(a), CatalogDigest(b));
}

TEST(DecideSyncTest, ModelDecisions) {
  const v1::Model shipped = ShippedModel();
  EXPECT_EQ(DecideSync(shipped, std::nullopt), CatalogAction::kCreate);
  // Written by a sync and untouched: nothing to do, however often the sync runs.
  EXPECT_EQ(DecideSync(shipped, Stored(shipped)), CatalogAction::kUnchanged);

  // A newer catalog changes the record; the stored one is untouched: update.
  v1::Model newer = shipped;
  newer.set_description("now with a description");
  EXPECT_EQ(DecideSync(newer, Stored(shipped)), CatalogAction::kUpdate);

  // The user edited the stored record: never overwrite it.
  v1::Model edited = Stored(shipped);
  edited.mutable_weights()->set_license("licenses/mit");
  EXPECT_EQ(DecideSync(newer, edited), CatalogAction::kSkipUserModified);
  EXPECT_EQ(DecideSync(shipped, edited), CatalogAction::kSkipUserModified);

  // A user edit of the labels counts too, but the digest label itself does not.
  v1::Model relabelled = Stored(shipped);
  (*relabelled.mutable_labels())["team"] = "other";
  EXPECT_EQ(DecideSync(newer, relabelled), CatalogAction::kSkipUserModified);

  // Created by a user (no digest label) with other content: leave it.
  v1::Model user_created = newer;
  user_created.set_display_name("Mine");
  EXPECT_EQ(DecideSync(shipped, user_created), CatalogAction::kSkipUserModified);
  // Created by a user with exactly the shipped content: nothing to do.
  EXPECT_EQ(DecideSync(shipped, shipped), CatalogAction::kUnchanged);

  // Soft-deleted by a user: never resurrect or rewrite.
  v1::Model deleted = Stored(shipped);
  deleted.mutable_delete_time()->set_seconds(300);
  EXPECT_EQ(DecideSync(shipped, deleted), CatalogAction::kSkipUserModified);
  EXPECT_EQ(DecideSync(newer, deleted), CatalogAction::kSkipUserModified);
}

TEST(DecideSyncTest, LicenseDecisions) {
  v1::License shipped;
  shipped.set_name("licenses/apache-2.0");
  shipped.set_osi_approved(true);
  shipped.add_sources("https://spdx.org/licenses/Apache-2.0.html");
  v1::License stored = WithCatalogDigest(shipped);
  stored.set_etag("e");
  stored.mutable_update_time()->set_seconds(5);

  EXPECT_EQ(DecideSync(shipped, std::nullopt), CatalogAction::kCreate);
  EXPECT_EQ(DecideSync(shipped, stored), CatalogAction::kUnchanged);
  v1::License newer = shipped;
  newer.set_fsf_libre(true);
  EXPECT_EQ(DecideSync(newer, stored), CatalogAction::kUpdate);
  v1::License edited = stored;
  edited.set_display_name("Apache 2");
  EXPECT_EQ(DecideSync(newer, edited), CatalogAction::kSkipUserModified);
  // A stale digest label (the user changed the record, then the label no longer matches) is user-modified.
  v1::License stale = stored;
  (*stale.mutable_labels())[kCatalogDigestLabel] = "0000000000000000";
  EXPECT_EQ(DecideSync(newer, stale), CatalogAction::kSkipUserModified);
}

TEST(DecideSyncTest, ActionNames) {
  EXPECT_STREQ(CatalogActionName(CatalogAction::kCreate), "CREATE");
  EXPECT_STREQ(CatalogActionName(CatalogAction::kUpdate), "UPDATE");
  EXPECT_STREQ(CatalogActionName(CatalogAction::kSkipUserModified), "SKIP_USER_MODIFIED");
  EXPECT_STREQ(CatalogActionName(CatalogAction::kUnchanged), "UNCHANGED");
}

}  // namespace
}  // namespace modelreg

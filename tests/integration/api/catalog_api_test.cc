// The shipped reference catalog loaded into a real database and read back through the gRPC API: every model's
// stored assessment is the expected one, and a second load changes nothing and keeps a user's edit.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/catalog/catalog.h"
#include "server/service/catalog_sync.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/catalog_expectations.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::ApiTestServer;
using ::modelreg::testing::Call;
using ::modelreg::testing::ExpectedCatalogAssessments;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;

TEST(CatalogApiTest, ReferenceCatalogAssessesAsExpectedThroughTheApi) {
  auto server = ApiTestServer::Start();
  ASSERT_OK(server);
  auto first = SyncShippedCatalog(&(*server)->license_service(), &(*server)->model_service());
  ASSERT_OK(first);
  EXPECT_EQ(first->created,
            static_cast<int>(LoadEmbeddedCatalog()->licenses.size() + ExpectedCatalogAssessments().size()));

  v1::ListModelsRequest list;
  list.set_parent("publishers/-");
  list.set_page_size(10);
  std::set<std::string> seen;
  for (;;) {
    auto page = Call((*server)->models(), &MR::ListModels, list);
    ASSERT_OK(page);
    for (const v1::Model& model : page->models()) {
      SCOPED_TRACE(model.name());
      seen.insert(model.name());
      auto it = ExpectedCatalogAssessments().find(model.name());
      ASSERT_NE(it, ExpectedCatalogAssessments().end());
      EXPECT_EQ(model.openness().level(), it->second.level);
      EXPECT_EQ(model.openness().mof_class(), it->second.mof_class);
      std::vector<v1::OpennessFlag> flags;
      for (int flag : model.openness().flags()) flags.push_back(static_cast<v1::OpennessFlag>(flag));
      EXPECT_EQ(flags, it->second.flags);
      EXPECT_EQ(model.openness().osaid_candidate(), it->second.osaid_candidate);
      EXPECT_FALSE(model.openness().reasons().empty());
      EXPECT_FALSE(model.sources().empty()) << "every shipped fact carries its source";
    }
    if (page->next_page_token().empty()) break;
    list.set_page_token(page->next_page_token());
  }
  EXPECT_EQ(seen.size(), ExpectedCatalogAssessments().size());

  // Filters see the stored assessment.
  v1::ListModelsRequest open_source;
  open_source.set_parent("publishers/-");
  open_source.set_filter("openness.level = 5 AND openness.mof_class = MOF_CLASS_I");
  auto class_one = Call((*server)->models(), &MR::ListModels, open_source);
  ASSERT_OK(class_one);
  std::set<std::string> names;
  for (const auto& m : class_one->models()) names.insert(m.name());
  EXPECT_EQ(names.count("publishers/eleutherai/models/pythia-6.9b"), 1u);
  open_source.set_filter("openness.flags:USAGE_THRESHOLD AND license.has_usage_threshold = false");
  EXPECT_EQ(Call((*server)->models(), &MR::ListModels, open_source)->models_size(), 0);

  // A user edits a shipped model; reloading keeps the edit and changes nothing else.
  v1::GetModelRequest get;
  get.set_name("publishers/mistralai/models/mistral-7b-v0.1");
  auto mistral = Call((*server)->models(), &MR::GetModel, get);
  ASSERT_OK(mistral);
  v1::UpdateModelRequest update;
  *update.mutable_model() = *mistral;
  update.mutable_model()->set_description("our internal notes");
  update.mutable_update_mask()->add_paths("description");
  ASSERT_OK(Call((*server)->models(), &MR::UpdateModel, update));
  auto second = SyncShippedCatalog(&(*server)->license_service(), &(*server)->model_service());
  ASSERT_OK(second);
  EXPECT_EQ(second->created, 0);
  EXPECT_EQ(second->updated, 0);
  EXPECT_EQ(second->skipped, std::vector<std::string>{"publishers/mistralai/models/mistral-7b-v0.1"});
  EXPECT_EQ(Call((*server)->models(), &MR::GetModel, get)->description(), "our internal notes");
}

// The filter `has_use_restrictions` and the assessment's USE_RESTRICTIONS flag are one fact computed once
// (domain/openness): for every shipped license, a model whose only license it is carries the flag exactly when the
// license filter lists that license.
TEST(CatalogApiTest, UseRestrictionsFilterAndFlagAgreeForEveryCatalogLicense) {
  auto server = ApiTestServer::Start();
  ASSERT_OK(server);
  ASSERT_OK(SyncShippedCatalog(&(*server)->license_service(), &(*server)->model_service()));

  v1::ListLicensesRequest restricted;
  restricted.set_filter("has_use_restrictions = true");
  restricted.set_page_size(1000);
  auto listed = Call((*server)->licenses(), &LC::ListLicenses, restricted);
  ASSERT_OK(listed);
  std::set<std::string> by_filter;
  for (const v1::License& license : listed->licenses()) by_filter.insert(license.name());

  v1::ListLicensesRequest all;
  all.set_page_size(1000);
  auto licenses = Call((*server)->licenses(), &LC::ListLicenses, all);
  ASSERT_OK(licenses);
  ASSERT_EQ(static_cast<size_t>(licenses->licenses_size()), LoadEmbeddedCatalog()->licenses.size());
  int flagged = 0;
  for (const v1::License& license : licenses->licenses()) {
    SCOPED_TRACE(license.name());
    v1::ClassifyModelRequest classify;
    classify.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    classify.mutable_model()->mutable_weights()->set_license(license.name());
    auto openness = Call((*server)->models(), &MR::ClassifyModel, classify);
    ASSERT_OK(openness);
    bool flag = false;
    for (int f : openness->flags()) flag = flag || f == v1::OPENNESS_FLAG_USE_RESTRICTIONS;
    EXPECT_EQ(flag, by_filter.count(license.name()) == 1);
    flagged += flag ? 1 : 0;
  }
  EXPECT_GT(flagged, 0);

  // The quickstart's query for unrestricted open weights no longer lists models whose rows show the flag.
  v1::ListModelsRequest unrestricted;
  unrestricted.set_parent("publishers/-");
  unrestricted.set_page_size(1000);
  unrestricted.set_filter(
      "weights.access = OPEN_DOWNLOAD AND license.has_usage_threshold = false AND "
      "license.has_use_restrictions = false");
  auto models = Call((*server)->models(), &MR::ListModels, unrestricted);
  ASSERT_OK(models);
  EXPECT_GT(models->models_size(), 0);
  for (const v1::Model& model : models->models()) {
    for (int f : model.openness().flags()) EXPECT_NE(f, v1::OPENNESS_FLAG_USE_RESTRICTIONS) << model.name();
    EXPECT_NE(model.name(), "publishers/bigscience/models/bloom");
  }
}

// The example queries a new user meets first, read from deploy/quickstart.sh and README.md (every `models list` or
// `licenses list` with a `--filter '...'`), each return at least one record on the shipped catalog.
std::vector<std::pair<std::string, std::string>> DocumentedQueries() {
  std::vector<std::pair<std::string, std::string>> queries;  // (models|licenses, filter)
  const std::regex pattern(R"((models|licenses) list[^\n]*?--filter '([^']*)')");
  for (const char* file : {"deploy/quickstart.sh", "README.md"}) {
    std::ifstream in(std::string(MODELREG_SOURCE_DIR) + "/" + file);
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    for (auto it = std::sregex_iterator(content.begin(), content.end(), pattern); it != std::sregex_iterator(); ++it) {
      queries.emplace_back((*it)[1].str(), (*it)[2].str());
    }
  }
  return queries;
}

TEST(CatalogApiTest, DocumentedExampleQueriesReturnModels) {
  auto server = ApiTestServer::Start();
  ASSERT_OK(server);
  ASSERT_OK(SyncShippedCatalog(&(*server)->license_service(), &(*server)->model_service()));
  const auto queries = DocumentedQueries();
  ASSERT_GE(queries.size(), 6u) << "the quickstart and the README show example filters";
  for (const auto& [kind, filter] : queries) {
    SCOPED_TRACE(absl::StrCat(kind, " list --filter '", filter, "'"));
    if (kind == "models") {
      v1::ListModelsRequest request;
      request.set_parent("publishers/-");
      request.set_page_size(1000);
      request.set_filter(filter);
      auto page = Call((*server)->models(), &MR::ListModels, request);
      ASSERT_OK(page);
      EXPECT_GT(page->models_size(), 0);
    } else {
      v1::ListLicensesRequest request;
      request.set_page_size(1000);
      request.set_filter(filter);
      auto page = Call((*server)->licenses(), &LC::ListLicenses, request);
      ASSERT_OK(page);
      EXPECT_GT(page->licenses_size(), 0);
    }
  }
}

}  // namespace
}  // namespace modelreg

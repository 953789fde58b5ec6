// The shipped reference catalog loaded into a real database and read back through the gRPC API: every model's
// stored assessment is the expected one, and a second load changes nothing and keeps a user's edit.
#include <gtest/gtest.h>

#include <set>
#include <string>

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

}  // namespace
}  // namespace modelreg

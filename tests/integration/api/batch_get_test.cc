// BatchGetModels (AIP-231) over real gRPC and PostgreSQL: models in the order asked, repeats kept, soft-deleted ones
// included, all or nothing (NOT_FOUND names the missing model), bad names refused naming `names[i]`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using ::testing::HasSubstr;
using MR = v1::ModelRegistry::Stub;

class BatchGetTest : public SharedApiServerTest {
 protected:
  static void SetUpTestSuite() {
    SharedApiServerTest::SetUpTestSuite();
    if (server_ == nullptr) return;
    for (int i = 0; i < 5; ++i) {
      v1::CreateModelRequest request;
      request.set_parent("publishers/batch");
      request.set_model_id(absl::StrCat("m", i));
      request.mutable_model()->set_display_name(absl::StrCat("Model ", i));
      ASSERT_OK(Call(server_->models(), &MR::CreateModel, request));
    }
    v1::DeleteModelRequest remove;
    remove.set_name("publishers/batch/models/m4");
    ASSERT_OK(Call(server_->models(), &MR::DeleteModel, remove));
  }

  static absl::StatusOr<v1::BatchGetModelsResponse> Get(const std::vector<std::string>& names,
                                                        const std::string& parent = "") {
    v1::BatchGetModelsRequest request;
    request.set_parent(parent);
    for (const std::string& name : names) request.add_names(name);
    return Call(server_->models(), &MR::BatchGetModels, request);
  }

  static std::vector<std::string> Names(const v1::BatchGetModelsResponse& response) {
    std::vector<std::string> names;
    for (const v1::Model& model : response.models()) names.push_back(model.name());
    return names;
  }
};

TEST_F(BatchGetTest, ReturnsTheModelsInTheOrderAsked) {
  const std::vector<std::string> names = {"publishers/batch/models/m3", "publishers/batch/models/m0",
                                          "publishers/batch/models/m4", "publishers/batch/models/m3"};
  absl::StatusOr<v1::BatchGetModelsResponse> response = Get(names);
  ASSERT_OK(response);
  EXPECT_EQ(Names(*response), names);
  EXPECT_EQ(response->models(0).display_name(), "Model 3");
  EXPECT_TRUE(response->models(2).has_delete_time()) << "soft-deleted models are returned, as by GetModel";
  EXPECT_FALSE(response->models(0).etag().empty());
  EXPECT_GE(response->models(0).openness().level(), 1);

  ASSERT_OK(Get({"publishers/batch/models/m1"}, "publishers/batch"));
  ASSERT_OK(Get({"publishers/batch/models/m1"}, "publishers/-"));
}

TEST_F(BatchGetTest, OneMissingNameFailsTheCallNamingIt) {
  EXPECT_THAT(Get({"publishers/batch/models/m0", "publishers/batch/models/nope", "publishers/batch/models/m1"}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("publishers/batch/models/nope")));
}

TEST_F(BatchGetTest, BadRequestsNameTheField) {
  EXPECT_THAT(Get({}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("names")));
  EXPECT_THAT(Get({"publishers/batch/models/m0", "not a name"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("names[1]")));
  EXPECT_THAT(Get({"publishers/batch/models/m0", "publishers/other/models/m0"}, "publishers/batch"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("names[1]")));
  EXPECT_THAT(Get({"publishers/batch/models/m0"}, "bad parent"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("parent")));
  std::vector<std::string> too_many(1001, "publishers/batch/models/m0");
  EXPECT_THAT(Get(too_many), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1000")));
  std::vector<std::string> most(1000, "publishers/batch/models/m0");
  absl::StatusOr<v1::BatchGetModelsResponse> full = Get(most);
  ASSERT_OK(full);
  EXPECT_EQ(full->models_size(), 1000);
}

}  // namespace
}  // namespace modelreg::testing

// UsageService over in-memory stores: request checking, the base_model walk through the model store, one batched
// license read, and the response (verdict, findings, profile used, lineage). The rules themselves are tested in
// tests/unit/usage/; the RPC over gRPC and PostgreSQL in tests/integration/api/usage_api_test.cc.
#include "server/service/usage_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/status_matchers.h"
#include "tests/unit/service/fake_repositories.h"
#include "tests/unit/service/service_test_data.h"

namespace modelreg {
namespace {

using ::modelreg::testing::FakeStores;
using ::modelreg::testing::OpenLicense;
using ::modelreg::testing::StatusIs;
using ::modelreg::testing::ThresholdLicense;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kRoot[] = "publishers/meta-llama/models/llama";
constexpr char kQuant[] = "publishers/q/models/llama-q4";
constexpr char kFineTune[] = "publishers/acme/models/chat";

class UsageServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(stores_.licenses.Create(OpenLicense("apache-2.0")));
    ASSERT_OK(stores_.licenses.Create(ThresholdLicense("llama3.1")));
    ASSERT_OK(AddModel(kRoot, "licenses/llama3.1"));
    ASSERT_OK(AddModel(kQuant, "licenses/llama3.1", kRoot));
    ASSERT_OK(AddModel(kFineTune, "licenses/apache-2.0", kQuant));
  }

  absl::StatusOr<v1::Model> AddModel(const std::string& name, const std::string& license,
                                     const std::string& base = "") {
    v1::Model model;
    model.set_name(name);
    model.mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    model.mutable_weights()->set_license(license);
    model.set_base_model(base);
    return stores_.models.Create(model);
  }

  static v1::CheckUsageRequest Request(const std::string& model, int64_t users) {
    v1::CheckUsageRequest request;
    request.set_model(model);
    v1::UsageProfile* profile = request.mutable_profile();
    profile->set_monthly_active_users(users);
    profile->set_commercial(true);
    profile->set_hosting(v1::HOSTING_SELF_HOSTED);
    profile->set_train_on_outputs(false);
    profile->set_distillation(false);
    return request;
  }

  FakeStores stores_;
  UsageService service_{&stores_.models, &stores_.licenses, /*governance=*/nullptr};
};

TEST_F(UsageServiceTest, WalksTheChainAndReadsTheLicensesInOneBatch) {
  const int get_many_before = stores_.licenses.calls().get_many;
  auto response = service_.CheckUsage(Request(kFineTune, 800000000));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_THAT(response->lineage(), ElementsAre(kQuant, kRoot));
  ASSERT_GT(response->findings_size(), 0);
  EXPECT_EQ(response->findings(0).model(), kRoot);  // inherited, from where the license entered the chain
  EXPECT_EQ(response->findings(0).term(), "usage_thresholds[0]");
  EXPECT_EQ(stores_.licenses.calls().get_many, get_many_before + 1);
  EXPECT_EQ(stores_.models.calls().get, 3);  // the model and its two ancestors
  EXPECT_EQ(response->profile().monthly_active_users(), 800000000);
}

TEST_F(UsageServiceTest, CycleInTheStoredChainEndsWithUnknown) {
  ASSERT_OK(AddModel("publishers/x/models/a", "licenses/apache-2.0", "publishers/x/models/b"));
  ASSERT_OK(AddModel("publishers/x/models/b", "licenses/apache-2.0", "publishers/x/models/a"));
  auto response = service_.CheckUsage(Request("publishers/x/models/a", 1));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_UNKNOWN);
  EXPECT_THAT(response->lineage(), ElementsAre("publishers/x/models/b"));
  ASSERT_EQ(response->findings_size(), 1);
  EXPECT_EQ(response->findings(0).missing_fact(), "model.base_model");
  EXPECT_THAT(response->findings(0).action(), HasSubstr("cycle"));
}

TEST_F(UsageServiceTest, MissingAncestorEndsWithUnknown) {
  ASSERT_OK(AddModel("publishers/x/models/orphan", "licenses/apache-2.0", "publishers/x/models/gone"));
  auto response = service_.CheckUsage(Request("publishers/x/models/orphan", 1));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_UNKNOWN);
  EXPECT_THAT(response->findings(0).action(), HasSubstr("publishers/x/models/gone"));
}

TEST_F(UsageServiceTest, ProfileIsCheckedAndReturnedAsUsed) {
  auto request = Request(kRoot, 5);
  request.mutable_profile()->set_country("de");
  auto response = service_.CheckUsage(request);
  ASSERT_OK(response);
  EXPECT_EQ(response->profile().country(), "DE");
  EXPECT_TRUE(response->profile().has_commercial());

  request.mutable_profile()->set_country("DEU");
  EXPECT_THAT(service_.CheckUsage(request),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("profile.country")));
  request = Request(kRoot, -1);
  EXPECT_THAT(service_.CheckUsage(request),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("profile.monthly_active_users")));
  request = Request(kRoot, 1);
  request.mutable_profile()->set_hosting(static_cast<v1::Hosting>(9));
  EXPECT_THAT(service_.CheckUsage(request),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("profile.hosting")));
  request = Request(kRoot, 1);
  request.mutable_profile()->set_annual_revenue_usd(-5);
  EXPECT_THAT(service_.CheckUsage(request),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("profile.annual_revenue_usd")));
}

TEST_F(UsageServiceTest, RequestShapeErrors) {
  v1::CheckUsageRequest request;
  request.set_model(kRoot);
  EXPECT_THAT(service_.CheckUsage(request), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("profile")));

  request = Request("llama", 1);
  EXPECT_THAT(service_.CheckUsage(request), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("model")));

  request = Request("publishers/none/models/none", 1);
  EXPECT_THAT(service_.CheckUsage(request), StatusIs(absl::StatusCode::kNotFound));

  request = Request(kRoot, 1);
  request.set_organization("organizations/acme");
  EXPECT_THAT(service_.CheckUsage(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("exactly one of `profile`")));
  request.clear_organization();
  request.set_deployment("organizations/acme/deployments/chat");
  EXPECT_THAT(service_.CheckUsage(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("exactly one of `profile`")));

  // The planned use goes with an organization only.
  request.clear_deployment();
  request.mutable_planned_use()->set_hosting(v1::HOSTING_SELF_HOSTED);
  EXPECT_THAT(service_.CheckUsage(request), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("planned_use")));
}

}  // namespace
}  // namespace modelreg

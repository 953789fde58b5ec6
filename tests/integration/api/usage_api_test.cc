// UsageChecker.CheckUsage over real gRPC on loopback, real PostgreSQL, the shipped catalog loaded: the verdicts of
// server/domain/usage/RULES.md on real catalog entries, lineage through models created over the API, errors with
// their details, authorization, and a license change reflected by the next check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "client/client.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;
using UC = v1::UsageChecker::Stub;

constexpr char kLlama[] = "publishers/meta-llama/models/llama-3.1-8b";
constexpr char kCommandR[] = "publishers/cohereforai/models/c4ai-command-r-v01";

class UsageApiTest : public CatalogApiServerTest {
 protected:
  // A commercial, self-hosted use that distributes a derivative as "acme-chat"; `users` < 0 leaves them unknown.
  static v1::CheckUsageRequest Request(const std::string& model, int64_t users) {
    v1::CheckUsageRequest request;
    request.set_model(model);
    v1::UsageProfile* profile = request.mutable_profile();
    if (users >= 0) profile->set_monthly_active_users(users);
    profile->set_annual_revenue_usd(50000000);
    profile->set_commercial(true);
    profile->set_hosting(v1::HOSTING_SELF_HOSTED);
    profile->set_distribute_as("acme-chat");
    profile->set_train_on_outputs(false);
    profile->set_distillation(false);
    return request;
  }

  static absl::StatusOr<v1::CheckUsageResponse> Check(const v1::CheckUsageRequest& request) {
    return Call(server_->usage(), &UC::CheckUsage, request);
  }

  static const v1::UsageFinding* Find(const v1::CheckUsageResponse& response, const std::string& term) {
    for (const v1::UsageFinding& f : response.findings()) {
      if (f.term() == term) return &f;
    }
    return nullptr;
  }

  static void CreateModel(const std::string& publisher, const std::string& id, const std::string& license,
                          const std::string& base, v1::Model::BaseModelRelation relation) {
    v1::CreateModelRequest request;
    request.set_parent("publishers/" + publisher);
    request.set_model_id(id);
    v1::Model* model = request.mutable_model();
    model->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    model->mutable_weights()->set_license(license);
    model->set_base_model(base);
    model->set_base_model_relation(relation);
    ASSERT_OK(Call(server_->models(), &MR::CreateModel, request));
  }
};

TEST_F(UsageApiTest, Llama31AboveSevenHundredMillionUsersNeedsALicenseQuotingTheClause) {
  auto response = Check(Request(kLlama, 800000000));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_LICENSE_REQUIRED);
  ASSERT_GT(response->findings_size(), 0);
  const v1::UsageFinding& first = response->findings(0);
  EXPECT_EQ(first.verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_EQ(first.model(), kLlama);
  EXPECT_EQ(first.license(), "licenses/llama3.1");
  EXPECT_EQ(first.term(), "usage_thresholds[0]");
  EXPECT_THAT(first.clause(), HasSubstr("is greater than 700 million monthly active users"));
  EXPECT_EQ(first.source(), "https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE");
  EXPECT_THAT(first.action(), HasSubstr("request a license"));
  EXPECT_TRUE(response->lineage().empty());
  EXPECT_EQ(response->profile().monthly_active_users(), 800000000);
}

TEST_F(UsageApiTest, Llama31BelowTheThresholdIsAllowedWithAttributionAndNamePrefix) {
  auto response = Check(Request(kLlama, 2000000));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);
  const v1::UsageFinding* attribution = Find(*response, "derivative_terms.attribution_text");
  ASSERT_NE(attribution, nullptr);
  EXPECT_EQ(attribution->verdict(), v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);
  EXPECT_THAT(attribution->action(), HasSubstr("\"Built with Llama\""));
  const v1::UsageFinding* prefix = Find(*response, "derivative_terms.required_name_prefix");
  ASSERT_NE(prefix, nullptr);
  EXPECT_EQ(prefix->verdict(), v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);
  EXPECT_THAT(prefix->action(), HasSubstr("begins with \"Llama\""));
  const v1::UsageFinding* threshold = Find(*response, "usage_thresholds[0]");
  ASSERT_NE(threshold, nullptr);
  EXPECT_EQ(threshold->verdict(), v1::VERDICT_ALLOWED);
}

TEST_F(UsageApiTest, CommercialUseOfACcByNcModelIsProhibited) {
  auto response = Check(Request(kCommandR, 10));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_PROHIBITED);
  EXPECT_EQ(response->findings(0).license(), "licenses/cc-by-nc-4.0-c4ai-aup");
  EXPECT_EQ(response->findings(0).verdict(), v1::VERDICT_PROHIBITED);

  v1::CheckUsageRequest research = Request(kCommandR, 10);
  research.mutable_profile()->set_commercial(false);
  response = Check(research);
  ASSERT_OK(response);
  EXPECT_NE(response->verdict(), v1::VERDICT_PROHIBITED);
}

TEST_F(UsageApiTest, FineTuneOfAQuantizationOfLlama31InheritsTheThreshold) {
  CreateModel("quantizers", "llama-3.1-8b-q4", "licenses/llama3.1", kLlama, v1::Model::BASE_MODEL_RELATION_QUANTIZED);
  CreateModel("acme", "support-chat", "licenses/apache-2.0", "publishers/quantizers/models/llama-3.1-8b-q4",
              v1::Model::BASE_MODEL_RELATION_FINETUNE);
  auto response = Check(Request("publishers/acme/models/support-chat", 800000000));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_THAT(response->lineage(), ElementsAre("publishers/quantizers/models/llama-3.1-8b-q4", kLlama));
  const v1::UsageFinding& first = response->findings(0);
  EXPECT_EQ(first.term(), "usage_thresholds[0]");
  EXPECT_EQ(first.model(), kLlama) << "the finding names the ancestor it is inherited from";
  EXPECT_THAT(first.clause(), HasSubstr("700 million"));
  // Below the threshold the inherited obligations remain.
  response = Check(Request("publishers/acme/models/support-chat", 1000));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);
  ASSERT_NE(Find(*response, "derivative_terms.required_name_prefix"), nullptr);
}

TEST_F(UsageApiTest, UnknownUserCountIsUnknownNamingTheMissingFigure) {
  auto response = Check(Request(kLlama, -1));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_UNKNOWN);
  const v1::UsageFinding* f = Find(*response, "usage_thresholds[0]");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict(), v1::VERDICT_UNKNOWN);
  EXPECT_EQ(f->missing_fact(), "profile.monthly_active_users");
  EXPECT_FALSE(response->profile().has_monthly_active_users());
}

TEST_F(UsageApiTest, ApiOnlyModelSelfHostedIsProhibited) {
  auto response = Check(Request("publishers/openai/models/gpt-4o", 10));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_PROHIBITED);
  EXPECT_EQ(response->findings(0).term(), "weights.access");
}

TEST_F(UsageApiTest, CycleInBaseModelsEndsWithUnknown) {
  CreateModel("loop", "a", "licenses/apache-2.0", "publishers/loop/models/b", v1::Model::BASE_MODEL_RELATION_FINETUNE);
  CreateModel("loop", "b", "licenses/apache-2.0", "publishers/loop/models/a", v1::Model::BASE_MODEL_RELATION_FINETUNE);
  auto response = Check(Request("publishers/loop/models/a", 10));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_UNKNOWN);
  EXPECT_THAT(response->lineage(), ElementsAre("publishers/loop/models/b"));
  EXPECT_EQ(Find(*response, "base_model")->missing_fact(), "model.base_model");
}

TEST_F(UsageApiTest, ALicenseChangeIsReflectedByTheNextCheck) {
  CreateModel("changing", "m", "licenses/llama3.1", "", v1::Model::BASE_MODEL_RELATION_UNSPECIFIED);
  // Exactly at the limit: "greater than" is not past it.
  auto response = Check(Request("publishers/changing/models/m", 700000000));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_ALLOWED_WITH_OBLIGATIONS);

  // A copy of the license worded "at least": the same figure is past it.
  v1::GetLicenseRequest get;
  get.set_name("licenses/llama3.1");
  auto llama = Call(server_->licenses(), &LC::GetLicense, get);
  ASSERT_OK(llama);
  v1::CreateLicenseRequest create;
  create.set_license_id("llama3.1-at-least");
  *create.mutable_license() = *llama;
  create.mutable_license()->clear_aliases();  // an alias names one license only
  create.mutable_license()->mutable_usage_thresholds(0)->set_comparison(
      v1::License::UsageThreshold::COMPARISON_AT_LEAST);
  ASSERT_OK(Call(server_->licenses(), &LC::CreateLicense, create));
  v1::UpdateModelRequest update;
  update.mutable_model()->set_name("publishers/changing/models/m");
  update.mutable_model()->mutable_weights()->set_license("licenses/llama3.1-at-least");
  update.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
  update.mutable_update_mask()->add_paths("weights");
  ASSERT_OK(Call(server_->models(), &MR::UpdateModel, update));
  response = Check(Request("publishers/changing/models/m", 700000000));
  ASSERT_OK(response);
  EXPECT_EQ(response->verdict(), v1::VERDICT_LICENSE_REQUIRED);
  EXPECT_THAT(response->findings(0).action(), HasSubstr("700,000,000 >= 700,000,000"));
}

TEST_F(UsageApiTest, ErrorsCarryTheirDetails) {
  Client client(server_->channel());
  v1::CheckUsageRequest request = Request(kLlama, 1);
  request.mutable_profile()->set_monthly_active_users(-3);
  absl::Status status = client.CheckUsage(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  ErrorDetails details = GetErrorDetails(status);
  ASSERT_EQ(details.field_violations.size(), 1u) << status;
  EXPECT_EQ(details.field_violations[0].field, "profile.monthly_active_users");

  request = Request("publishers/nobody/models/nothing", 1);
  status = client.CheckUsage(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_EQ(GetErrorDetails(status).reason, "RESOURCE_NOT_FOUND");

  request.clear_profile();
  request.set_model(kLlama);
  request.set_organization("organizations/nobody");
  status = client.CheckUsage(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("organizations/nobody"));
}

TEST_F(UsageApiTest, CheckingNeedsReadAccessToTheModel) {
  v1::CreateTokenRequest token_request;
  token_request.mutable_token()->set_principal("meta-viewer");
  v1::TokenBinding* binding = token_request.mutable_token()->add_bindings();
  binding->set_role(v1::ROLE_VIEWER);
  binding->set_scope("publishers/meta-llama");
  auto token = Call(server_->admin(), &v1::Admin::Stub::CreateToken, token_request);
  ASSERT_OK(token);
  Client viewer(server_->Channel(token->secret()));
  EXPECT_OK(viewer.CheckUsage(Request(kLlama, 1)));
  absl::Status denied = viewer.CheckUsage(Request(kCommandR, 1)).status();
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied) << denied;

  Client anonymous(server_->Channel(""));
  EXPECT_EQ(anonymous.CheckUsage(Request(kLlama, 1)).status().code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace modelreg::testing

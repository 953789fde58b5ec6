// modelreg::Client against an in-process fake of the two services.
#include "client/client.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Five models, served `page_size` at a time (default 2); the token is the next index.
class FakeRegistry final : public v1::ModelRegistry::Service {
 public:
  grpc::Status ListModels(grpc::ServerContext*, const v1::ListModelsRequest* request,
                          v1::ListModelsResponse* response) override {
    requests.push_back(*request);
    int start = 0;
    if (!request->page_token().empty() && !absl::SimpleAtoi(request->page_token(), &start)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad page token");
    }
    const int size = request->page_size() > 0 ? request->page_size() : 2;
    for (int i = start; i < start + size && i < 5; ++i) {
      response->add_models()->set_name(absl::StrCat("publishers/p/models/m", i));
    }
    if (start + size < 5) response->set_next_page_token(absl::StrCat(start + size));
    if (repeat_token) response->set_next_page_token(request->page_token().empty() ? "0" : request->page_token());
    return grpc::Status::OK;
  }

  grpc::Status GetModel(grpc::ServerContext*, const v1::GetModelRequest* request, v1::Model* response) override {
    if (request->name() == "publishers/p/models/slow") {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    if (request->name() != "publishers/p/models/m0") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat(request->name(), " not found"));
    }
    response->set_name(request->name());
    return grpc::Status::OK;
  }

  std::vector<v1::ListModelsRequest> requests;
  bool repeat_token = false;
};

class FakeCatalog final : public v1::LicenseCatalog::Service {
 public:
  grpc::Status ListLicenses(grpc::ServerContext*, const v1::ListLicensesRequest* request,
                            v1::ListLicensesResponse* response) override {
    if (request->page_token().empty()) {
      response->add_licenses()->set_name("licenses/apache-2.0");
      response->set_next_page_token("next");
    } else {
      response->add_licenses()->set_name("licenses/mit");
    }
    return grpc::Status::OK;
  }
};

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&registry_);
    builder.RegisterService(&catalog_);
    server_ = builder.BuildAndStart();
    client_ = std::make_unique<Client>(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  FakeRegistry registry_;
  FakeCatalog catalog_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(ClientTest, ConvertsStatusKeepingCodeAndMessage) {
  v1::GetModelRequest request;
  request.set_name("publishers/p/models/nope");
  EXPECT_THAT(client_->GetModel(request), StatusIs(absl::StatusCode::kNotFound, "publishers/p/models/nope not found"));
  request.set_name("publishers/p/models/m0");
  absl::StatusOr<v1::Model> model = client_->GetModel(request);
  ASSERT_OK(model);
  EXPECT_EQ(model->name(), "publishers/p/models/m0");
}

TEST_F(ClientTest, DeadlineApplies) {
  client_->set_deadline(absl::Milliseconds(50));
  v1::GetModelRequest request;
  request.set_name("publishers/p/models/slow");
  EXPECT_THAT(client_->GetModel(request), StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST_F(ClientTest, UnimplementedMethodsReportUnimplemented) {
  EXPECT_THAT(client_->ClassifyModel(v1::ClassifyModelRequest()), StatusIs(absl::StatusCode::kUnimplemented));
}

TEST_F(ClientTest, ListAllModelsFollowsPageTokens) {
  v1::ListModelsRequest request;
  request.set_parent("publishers/-");
  request.set_filter("openness.level >= 2");
  absl::StatusOr<std::vector<v1::Model>> models = client_->ListAllModels(request);
  ASSERT_OK(models);
  std::vector<std::string> names;
  for (const v1::Model& m : *models) names.push_back(m.name());
  EXPECT_THAT(names, ElementsAre("publishers/p/models/m0", "publishers/p/models/m1", "publishers/p/models/m2",
                                 "publishers/p/models/m3", "publishers/p/models/m4"));
  ASSERT_EQ(registry_.requests.size(), 3u);
  for (const auto& r : registry_.requests) EXPECT_EQ(r.filter(), "openness.level >= 2");  // unchanged across pages
  EXPECT_EQ(registry_.requests[1].page_token(), "2");
  EXPECT_EQ(registry_.requests[2].page_token(), "4");
}

TEST_F(ClientTest, ForEachModelStopsOnCallbackError) {
  int seen = 0;
  absl::Status status = client_->ForEachModel(v1::ListModelsRequest(), [&seen](const v1::Model&) {
    return ++seen == 3 ? absl::CancelledError("enough") : absl::OkStatus();
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(seen, 3);
  EXPECT_EQ(registry_.requests.size(), 2u);
}

TEST_F(ClientTest, RepeatedPageTokenIsAnError) {
  registry_.repeat_token = true;
  EXPECT_THAT(client_->ListAllModels(v1::ListModelsRequest()),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("same page token")));
}

TEST_F(ClientTest, ListAllLicenses) {
  absl::StatusOr<std::vector<v1::License>> licenses = client_->ListAllLicenses(v1::ListLicensesRequest());
  ASSERT_OK(licenses);
  ASSERT_EQ(licenses->size(), 2u);
  EXPECT_EQ((*licenses)[1].name(), "licenses/mit");
}

TEST(ClientAddress, UnreachableServerIsUnavailable) {
  Client client("127.0.0.1:1");
  client.set_deadline(absl::Seconds(5));
  EXPECT_THAT(client.GetLicense(v1::GetLicenseRequest()), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace modelreg

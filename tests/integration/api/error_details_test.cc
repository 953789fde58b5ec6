// Structured errors (AIP-193) over real gRPC on loopback against a real PostgreSQL: the google.rpc.Status in the
// `grpc-status-details-bin` trailer, as the client library reads it (FromGrpcStatus + GetErrorDetails).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "client/client.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::Call;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;

// Calls `method` and returns the gRPC status as received, trailer included.
template <typename Stub, typename Request, typename Response>
grpc::Status CallRaw(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                     const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  Response response;
  return (stub.*method)(&context, request, &response);
}

// The error as a client sees it. Checks the wire form every error must have: a google.rpc.Status with the same code
// and message, and exactly one ErrorInfo, in domain modelreg.io, first.
struct Error {
  grpc::StatusCode code;
  std::string message;
  ErrorDetails details;
};
Error Decode(const grpc::Status& status) {
  EXPECT_FALSE(status.ok());
  google::rpc::Status rpc;
  EXPECT_TRUE(rpc.ParseFromString(status.error_details())) << "no google.rpc.Status for: " << status.error_message();
  EXPECT_EQ(rpc.code(), static_cast<int>(status.error_code()));
  EXPECT_EQ(rpc.message(), status.error_message());
  int infos = 0;
  for (const auto& detail : rpc.details()) infos += detail.Is<google::rpc::ErrorInfo>() ? 1 : 0;
  EXPECT_EQ(infos, 1) << rpc.DebugString();
  if (rpc.details_size() > 0) {
    EXPECT_TRUE(rpc.details(0).Is<google::rpc::ErrorInfo>());
  }
  Error error{status.error_code(), status.error_message(), GetErrorDetails(FromGrpcStatus(status))};
  EXPECT_EQ(error.details.domain, "modelreg.io");
  EXPECT_FALSE(error.details.reason.empty());
  return error;
}

std::vector<std::string> FieldsOf(const Error& error) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : error.details.field_violations) fields.push_back(v.field);
  return fields;
}

class ErrorDetailsTest : public ::modelreg::testing::SharedApiServerTest {
 protected:
  static void SetUpTestSuite() {
    SharedApiServerTest::SetUpTestSuite();
    if (server_ == nullptr) return;
    for (const char* id : {"apache-2.0", "in-use", "retired"}) {
      v1::CreateLicenseRequest request;
      request.set_license_id(id);
      request.mutable_license()->set_display_name(id);
      ASSERT_OK(Call(server_->licenses(), &LC::CreateLicense, request));
    }
    v1::DeleteLicenseRequest retire;
    retire.set_name("licenses/retired");
    ASSERT_OK(Call(server_->licenses(), &LC::DeleteLicense, retire));
    v1::CreateModelRequest user = CreateRequest("user");
    user.mutable_model()->mutable_weights()->set_license("licenses/in-use");
    ASSERT_OK(Call(server_->models(), &MR::CreateModel, user));
  }

  static v1::CreateModelRequest CreateRequest(const std::string& id) {
    v1::CreateModelRequest request;
    request.set_parent("publishers/errors");
    request.set_model_id(id);
    request.mutable_model()->set_display_name(id);
    request.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    request.mutable_model()->mutable_weights()->set_license("licenses/apache-2.0");
    return request;
  }
};

TEST_F(ErrorDetailsTest, UnknownLicenseNamesTheFieldPath) {
  v1::CreateModelRequest request = CreateRequest("unknown-license");
  request.mutable_model()->mutable_weights()->set_license("licenses/no-such");
  const Error error = Decode(CallRaw(server_->models(), &MR::CreateModel, request));
  EXPECT_EQ(error.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      error.message,
      "model.weights.license: unknown license `licenses/no-such`: no license has this id or alias; create it first");
  EXPECT_EQ(error.details.reason, "UNKNOWN_LICENSE");
  ASSERT_EQ(error.details.field_violations.size(), 1u);
  EXPECT_EQ(error.details.field_violations[0].field, "model.weights.license");
  EXPECT_EQ(error.details.field_violations[0].description,
            "unknown license `licenses/no-such`: no license has this id or alias; create it first");

  request = CreateRequest("unknown-component-license");
  v1::Component* component = request.mutable_model()->add_components();
  component->set_kind(v1::COMPONENT_KIND_TRAINING_CODE);
  component->set_status(v1::Component::STATUS_RELEASED);
  component->set_license("licenses/no-such");
  const Error nested = Decode(CallRaw(server_->models(), &MR::ClassifyModel, [&] {
    v1::ClassifyModelRequest classify;
    *classify.mutable_model() = request.model();
    return classify;
  }()));
  EXPECT_EQ(nested.details.reason, "UNKNOWN_LICENSE");
  EXPECT_THAT(FieldsOf(nested), ::testing::ElementsAre("model.components[0].license"));
}

TEST_F(ErrorDetailsTest, DeletedLicenseReference) {
  v1::CreateModelRequest request = CreateRequest("retired-license");
  request.mutable_model()->mutable_weights()->set_license("licenses/retired");
  const Error error = Decode(CallRaw(server_->models(), &MR::CreateModel, request));
  EXPECT_EQ(error.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(error.message, "model.weights.license: license `licenses/retired` is deleted");
  EXPECT_EQ(error.details.reason, "LICENSE_DELETED");
  EXPECT_THAT(FieldsOf(error), ::testing::ElementsAre("model.weights.license"));
}

TEST_F(ErrorDetailsTest, StaleEtagIsAbortedWithTheCurrentEtag) {
  auto created = Call(server_->models(), &MR::CreateModel, CreateRequest("etagged"));
  ASSERT_OK(created);
  v1::UpdateModelRequest update;
  *update.mutable_model() = *created;
  update.mutable_model()->set_display_name("changed");
  update.mutable_model()->set_etag("stale");
  update.mutable_update_mask()->add_paths("display_name");
  const Error error = Decode(CallRaw(server_->models(), &MR::UpdateModel, update));
  EXPECT_EQ(error.code, grpc::StatusCode::ABORTED);
  EXPECT_THAT(error.message, HasSubstr("etag: `stale` is stale"));
  EXPECT_EQ(error.details.reason, "STALE_ETAG");
  EXPECT_EQ(error.details.metadata.at("current_etag"), created->etag());
  EXPECT_EQ(error.details.metadata.at("resource"), created->name());
  EXPECT_THAT(error.details.field_violations, IsEmpty());
}

TEST_F(ErrorDetailsTest, LicenseInUseNamesTheReferencingModel) {
  v1::DeleteLicenseRequest request;
  request.set_name("licenses/in-use");
  const Error error = Decode(CallRaw(server_->licenses(), &LC::DeleteLicense, request));
  EXPECT_EQ(error.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(error.message, "license `licenses/in-use` is referenced by model `publishers/errors/models/user`");
  EXPECT_EQ(error.details.reason, "LICENSE_IN_USE");
  ASSERT_EQ(error.details.precondition_violations.size(), 1u);
  EXPECT_EQ(error.details.precondition_violations[0].type, "REFERENCED_BY");
  EXPECT_EQ(error.details.precondition_violations[0].subject, "publishers/errors/models/user");
  EXPECT_EQ(error.details.precondition_violations[0].description, error.message);
}

TEST_F(ErrorDetailsTest, SoftDeleteStates) {
  auto created = Call(server_->models(), &MR::CreateModel, CreateRequest("soft"));
  ASSERT_OK(created);
  v1::UndeleteModelRequest undelete;
  undelete.set_name(created->name());
  Error error = Decode(CallRaw(server_->models(), &MR::UndeleteModel, undelete));
  EXPECT_EQ(error.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(error.message, created->name() + " is not deleted");
  EXPECT_EQ(error.details.reason, "NOT_DELETED");
  ASSERT_EQ(error.details.precondition_violations.size(), 1u);
  EXPECT_EQ(error.details.precondition_violations[0].type, "RESOURCE_STATE");
  EXPECT_EQ(error.details.precondition_violations[0].subject, created->name());

  v1::DeleteModelRequest remove;
  remove.set_name(created->name());
  ASSERT_OK(Call(server_->models(), &MR::DeleteModel, remove));
  error = Decode(CallRaw(server_->models(), &MR::DeleteModel, remove));
  EXPECT_EQ(error.code, grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(error.details.reason, "RESOURCE_DELETED");
}

TEST_F(ErrorDetailsTest, NotFoundAndAlreadyExists) {
  v1::GetModelRequest get;
  get.set_name("publishers/errors/models/missing");
  Error error = Decode(CallRaw(server_->models(), &MR::GetModel, get));
  EXPECT_EQ(error.code, grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(error.details.reason, "RESOURCE_NOT_FOUND");

  error = Decode(CallRaw(server_->models(), &MR::CreateModel, CreateRequest("user")));
  EXPECT_EQ(error.code, grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(error.details.reason, "RESOURCE_ALREADY_EXISTS");
}

TEST_F(ErrorDetailsTest, InvalidNamesAndIds) {
  v1::GetModelRequest get;
  get.set_name("models/nope");
  Error error = Decode(CallRaw(server_->models(), &MR::GetModel, get));
  EXPECT_EQ(error.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(error.details.reason, "INVALID_NAME");
  EXPECT_THAT(FieldsOf(error), ::testing::ElementsAre("name"));

  v1::GetLicenseRequest get_license;
  get_license.set_name("apache-2.0");
  error = Decode(CallRaw(server_->licenses(), &LC::GetLicense, get_license));
  EXPECT_EQ(error.details.reason, "INVALID_NAME");
  EXPECT_THAT(FieldsOf(error), ::testing::ElementsAre("name"));

  error = Decode(CallRaw(server_->models(), &MR::CreateModel, CreateRequest("Bad Id")));
  EXPECT_EQ(error.details.reason, "INVALID_ID");
  EXPECT_THAT(FieldsOf(error), ::testing::ElementsAre("model_id"));
}

TEST_F(ErrorDetailsTest, ValidationAndUpdateMaskFields) {
  v1::CreateModelRequest request = CreateRequest("bad-uri");
  request.mutable_model()->set_homepage_uri("ftp://example.com");
  Error error = Decode(CallRaw(server_->models(), &MR::CreateModel, request));
  EXPECT_EQ(error.message, "model.homepage_uri: must be an http(s) URL");
  EXPECT_EQ(error.details.reason, "INVALID_FIELD");
  EXPECT_THAT(FieldsOf(error), ::testing::ElementsAre("model.homepage_uri"));

  v1::UpdateModelRequest update;
  update.mutable_model()->set_name("publishers/errors/models/user");
  update.mutable_update_mask()->add_paths("create_time");
  error = Decode(CallRaw(server_->models(), &MR::UpdateModel, update));
  EXPECT_EQ(error.message, "update_mask: `create_time` cannot be updated");
  EXPECT_EQ(error.details.reason, "IMMUTABLE_FIELD");
  EXPECT_THAT(FieldsOf(error), ::testing::ElementsAre("update_mask"));
}

TEST_F(ErrorDetailsTest, BatchErrorsNameTheRequest) {
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/errors");
  *batch.add_requests() = CreateRequest("batch-ok");
  *batch.add_requests() = CreateRequest("batch-bad");
  batch.mutable_requests(1)->mutable_model()->mutable_weights()->set_license("licenses/no-such");
  Error error = Decode(CallRaw(server_->models(), &MR::BatchCreateModels, batch));
  EXPECT_EQ(error.details.reason, "UNKNOWN_LICENSE");
  EXPECT_THAT(FieldsOf(error), ::testing::ElementsAre("requests[1].model.weights.license"));

  batch.mutable_requests(0)->set_model_id("-bad");
  error = Decode(CallRaw(server_->models(), &MR::BatchCreateModels, batch));
  EXPECT_EQ(error.details.reason, "INVALID_ID");
  EXPECT_THAT(FieldsOf(error), ::testing::ElementsAre("requests[0].model_id"));
}

TEST_F(ErrorDetailsTest, ListRequestFields) {
  v1::ListModelsRequest list;
  list.set_parent("publishers/-");
  list.set_filter("no_such_field = 1");
  Error error = Decode(CallRaw(server_->models(), &MR::ListModels, list));
  EXPECT_EQ(error.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(error), ::testing::ElementsAre("filter"));
  EXPECT_THAT(error.details.field_violations[0].description, Not(IsEmpty()));

  list.clear_filter();
  list.set_page_size(-1);
  error = Decode(CallRaw(server_->models(), &MR::ListModels, list));
  EXPECT_THAT(FieldsOf(error), ::testing::ElementsAre("page_size"));
}

}  // namespace
}  // namespace modelreg

// The client's view of structured errors: FromGrpcStatus keeps the google.rpc details, GetErrorDetails exposes them.
#include "client/error_details.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "client/client.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace modelreg {
namespace {

using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

grpc::Status WithDetails(grpc::StatusCode code, const std::string& message) {
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(code));
  rpc.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_reason("UNKNOWN_LICENSE");
  info.set_domain("modelreg.io");
  (*info.mutable_metadata())["license"] = "licenses/x";
  rpc.add_details()->PackFrom(info);
  google::rpc::BadRequest bad_request;
  auto* v = bad_request.add_field_violations();
  v->set_field("model.weights.license");
  v->set_description("unknown license `licenses/x`");
  v = bad_request.add_field_violations();
  v->set_field("model.components[0].license");
  v->set_description("unknown license `licenses/y`");
  rpc.add_details()->PackFrom(bad_request);
  google::rpc::PreconditionFailure failure;
  auto* p = failure.add_violations();
  p->set_type("REFERENCED_BY");
  p->set_subject("publishers/p/models/m");
  p->set_description("in use");
  rpc.add_details()->PackFrom(failure);
  return grpc::Status(code, message, rpc.SerializeAsString());
}

TEST(ErrorDetailsTest, FromGrpcStatusKeepsEveryDetail) {
  const absl::Status status = FromGrpcStatus(WithDetails(grpc::StatusCode::INVALID_ARGUMENT, "bad"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "bad");
  EXPECT_TRUE(status.GetPayload("type.googleapis.com/google.rpc.ErrorInfo").has_value());

  const ErrorDetails details = GetErrorDetails(status);
  EXPECT_EQ(details.reason, "UNKNOWN_LICENSE");
  EXPECT_EQ(details.domain, "modelreg.io");
  EXPECT_THAT(details.metadata, UnorderedElementsAre(Pair("license", "licenses/x")));
  ASSERT_EQ(details.field_violations.size(), 2u);
  EXPECT_EQ(details.field_violations[0].field, "model.weights.license");
  EXPECT_EQ(details.field_violations[0].description, "unknown license `licenses/x`");
  EXPECT_EQ(details.field_violations[1].field, "model.components[0].license");
  ASSERT_EQ(details.precondition_violations.size(), 1u);
  EXPECT_EQ(details.precondition_violations[0].type, "REFERENCED_BY");
  EXPECT_EQ(details.precondition_violations[0].subject, "publishers/p/models/m");
  EXPECT_EQ(details.precondition_violations[0].description, "in use");
}

TEST(ErrorDetailsTest, NoOrBrokenDetailsGiveEmptyDetails) {
  for (const grpc::Status& status :
       {grpc::Status(grpc::StatusCode::NOT_FOUND, "gone"),
        grpc::Status(grpc::StatusCode::NOT_FOUND, "gone", std::string("\xff\xff\xff", 3)), grpc::Status::OK}) {
    const ErrorDetails details = GetErrorDetails(FromGrpcStatus(status));
    EXPECT_EQ(details.reason, "");
    EXPECT_THAT(details.field_violations, IsEmpty());
    EXPECT_THAT(details.precondition_violations, IsEmpty());
  }
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "gone")).message(), "gone");
}

}  // namespace
}  // namespace modelreg

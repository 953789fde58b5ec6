// The gRPC edge (server/api/grpc_status.h): every error leaves with a google.rpc.Status whose details hold an
// ErrorInfo in domain modelreg.io, plus the BadRequest / PreconditionFailure the server code attached or, for an
// INVALID_ARGUMENT message of the form `<field path>: ...`, a BadRequest derived from it.
#include "server/api/grpc_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/common/errors.h"

namespace modelreg {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

std::vector<std::string> TypeUrls(const google::rpc::Status& rpc) {
  std::vector<std::string> urls;
  for (const auto& detail : rpc.details()) urls.push_back(detail.type_url());
  return urls;
}

google::rpc::ErrorInfo Info(const google::rpc::Status& rpc) {
  google::rpc::ErrorInfo info;
  for (const auto& detail : rpc.details()) {
    if (detail.UnpackTo(&info)) return info;
  }
  ADD_FAILURE() << "no ErrorInfo in " << rpc.DebugString();
  return info;
}

std::vector<std::pair<std::string, std::string>> Fields(const google::rpc::Status& rpc) {
  std::vector<std::pair<std::string, std::string>> fields;
  google::rpc::BadRequest bad_request;
  for (const auto& detail : rpc.details()) {
    if (detail.UnpackTo(&bad_request)) {
      for (const auto& v : bad_request.field_violations()) fields.emplace_back(v.field(), v.description());
    }
  }
  return fields;
}

TEST(GrpcStatusTest, OkHasNoDetails) {
  const grpc::Status status = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(status.error_details().empty());
}

TEST(GrpcStatusTest, CodeMessageAndDetailsTrailer) {
  const grpc::Status status = ToGrpcStatus(InvalidFieldError("model.weights.license", "unknown", "UNKNOWN_LICENSE"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "model.weights.license: unknown");
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(status.error_details()));
  EXPECT_EQ(rpc.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(rpc.message(), status.error_message());
  EXPECT_THAT(TypeUrls(rpc),
              ElementsAre("type.googleapis.com/google.rpc.ErrorInfo", "type.googleapis.com/google.rpc.BadRequest"));
  EXPECT_EQ(Info(rpc).reason(), "UNKNOWN_LICENSE");
  EXPECT_EQ(Info(rpc).domain(), "modelreg.io");
  EXPECT_THAT(Fields(rpc), ElementsAre(Pair("model.weights.license", "unknown")));
}

TEST(GrpcStatusTest, EveryErrorGetsAnErrorInfo) {
  const std::vector<std::pair<absl::Status, std::string>> cases = {
      {absl::NotFoundError("model `x` not found"), "RESOURCE_NOT_FOUND"},
      {absl::AlreadyExistsError("model `x` already exists"), "RESOURCE_ALREADY_EXISTS"},
      {absl::InvalidArgumentError("a referenced resource does not exist"), "INVALID_ARGUMENT"},
      {absl::FailedPreconditionError("no"), "FAILED_PRECONDITION"},
      {absl::AbortedError("retry"), "ABORTED"},
      {absl::UnavailableError("down"), "UNAVAILABLE"},
      {absl::DeadlineExceededError("slow"), "DEADLINE_EXCEEDED"},
      {absl::InternalError("internal error"), "INTERNAL"},
  };
  for (const auto& [status, reason] : cases) {
    const google::rpc::Status rpc = ToRpcStatus(status);
    EXPECT_EQ(rpc.code(), static_cast<int>(status.code()));
    EXPECT_EQ(rpc.message(), status.message());
    EXPECT_EQ(Info(rpc).reason(), reason) << status;
    EXPECT_EQ(Info(rpc).domain(), "modelreg.io");
    EXPECT_EQ(rpc.details_size(), 1) << status;
  }
}

TEST(GrpcStatusTest, ExplicitReasonAndMetadataAreKept) {
  const google::rpc::Status rpc =
      ToRpcStatus(ErrorWithReason(absl::StatusCode::kAborted, "STALE_ETAG", "etag: stale", {{"current_etag", "e2"}}));
  EXPECT_EQ(Info(rpc).reason(), "STALE_ETAG");
  EXPECT_EQ(Info(rpc).metadata().at("current_etag"), "e2");
  EXPECT_EQ(rpc.details_size(), 1);
}

TEST(GrpcStatusTest, PreconditionFailureIsSent) {
  const google::rpc::Status rpc =
      ToRpcStatus(PreconditionError("LICENSE_IN_USE", "REFERENCED_BY", "publishers/p/models/m", "in use"));
  EXPECT_THAT(TypeUrls(rpc), ElementsAre("type.googleapis.com/google.rpc.ErrorInfo",
                                         "type.googleapis.com/google.rpc.PreconditionFailure"));
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(rpc.details(1).UnpackTo(&failure));
  ASSERT_EQ(failure.violations_size(), 1);
  EXPECT_EQ(failure.violations(0).subject(), "publishers/p/models/m");
}

TEST(GrpcStatusTest, DerivesTheFieldFromAnInvalidArgumentMessage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"filter: unknown field `x` at column 1", "filter"},
      {"page_size: must not be negative", "page_size"},
      {"model.weights.license: unknown license `licenses/x`; create it first", "model.weights.license"},
      {"model.components[0].license: `x` is not a valid name", "model.components[0].license"},
      {"model.labels[team.a/b]: longer than 256 bytes", "model.labels[team.a/b]"},
      {"requests[3].model.data_disclosure.datasets[1].uri: must be an http(s) URL",
       "requests[3].model.data_disclosure.datasets[1].uri"},
  };
  for (const auto& [message, field] : cases) {
    const google::rpc::Status rpc = ToRpcStatus(absl::InvalidArgumentError(message));
    EXPECT_THAT(Fields(rpc), ElementsAre(Pair(field, message.substr(field.size() + 2)))) << message;
    EXPECT_EQ(Info(rpc).reason(), "INVALID_FIELD") << message;
    EXPECT_EQ(rpc.message(), message);
  }
}

TEST(GrpcStatusTest, NoFieldWhenTheMessageNamesNone) {
  for (const char* message : {"a referenced resource does not exist", "page size must be positive",
                              "invalid license name `x`", "Filter: capitalised", "filter:no space", ": empty",
                              "model.: trailing dot", "labels[]: empty index", "labels[a b]: space", "x[1: open"}) {
    const google::rpc::Status rpc = ToRpcStatus(absl::InvalidArgumentError(message));
    EXPECT_THAT(Fields(rpc), IsEmpty()) << message;
    EXPECT_EQ(Info(rpc).reason(), "INVALID_ARGUMENT") << message;
  }
  // Only INVALID_ARGUMENT gets a derived field.
  EXPECT_THAT(Fields(ToRpcStatus(absl::AbortedError("etag: `x` is stale"))), IsEmpty());
}

TEST(GrpcStatusTest, DerivedFieldKeepsAnExplicitReasonAndAnExplicitBadRequestWins) {
  google::rpc::Status rpc =
      ToRpcStatus(WithReason(absl::InvalidArgumentError("name: `x` is not a valid name"), "INVALID_NAME"));
  EXPECT_EQ(Info(rpc).reason(), "INVALID_NAME");
  EXPECT_THAT(Fields(rpc), ElementsAre(Pair("name", "`x` is not a valid name")));

  absl::Status explicit_fields = InvalidFieldError("requests[0].model_id", "bad");
  AddFieldViolation(explicit_fields, "requests[1].model_id", "bad too");
  rpc = ToRpcStatus(explicit_fields);
  EXPECT_THAT(Fields(rpc), ElementsAre(Pair("requests[0].model_id", "bad"), Pair("requests[1].model_id", "bad too")));
}

TEST(GrpcStatusTest, OnlyTypeUrlPayloadsBecomeDetails) {
  absl::Status status = absl::InternalError("boom");
  status.SetPayload("modelreg.io/private", absl::Cord("x"));
  const google::rpc::Status rpc = ToRpcStatus(status);
  EXPECT_THAT(TypeUrls(rpc), ElementsAre("type.googleapis.com/google.rpc.ErrorInfo"));
}

}  // namespace
}  // namespace modelreg

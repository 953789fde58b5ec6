// Structured errors (server/common/errors.h): details ride on absl::Status payloads and read back.
#include "server/common/errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "google/rpc/error_details.pb.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

template <typename Message>
Message Payload(const absl::Status& status, absl::string_view url) {
  Message message;
  const absl::optional<absl::Cord> payload = status.GetPayload(url);
  EXPECT_TRUE(payload.has_value()) << url;
  if (payload.has_value()) {
    EXPECT_TRUE(message.ParseFromString(std::string(*payload)));
  }
  return message;
}

TEST(ErrorsTest, InvalidFieldErrorKeepsTheMessageConventionAndCarriesTheField) {
  const absl::Status status = InvalidFieldError("model.weights.license", "unknown license `licenses/x`");
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInvalidArgument, "model.weights.license: unknown license `licenses/x`"));
  EXPECT_EQ(ErrorReason(status), "INVALID_FIELD");
  EXPECT_THAT(FieldViolations(status), ElementsAre(Pair("model.weights.license", "unknown license `licenses/x`")));

  const auto info = Payload<google::rpc::ErrorInfo>(status, kErrorInfoUrl);
  EXPECT_EQ(info.domain(), "modelreg.io");
  EXPECT_EQ(info.reason(), "INVALID_FIELD");
  const auto bad_request = Payload<google::rpc::BadRequest>(status, kBadRequestUrl);
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).reason(), "INVALID_FIELD");
}

TEST(ErrorsTest, InvalidFieldErrorTakesAReason) {
  const absl::Status status = InvalidFieldError("model_id", "bad", "INVALID_ID");
  EXPECT_EQ(ErrorReason(status), "INVALID_ID");
}

TEST(ErrorsTest, SeveralFieldViolationsOnOneStatus) {
  absl::Status status = InvalidFieldError("requests[0].model_id", "bad id");
  AddFieldViolation(status, "requests[2].model.weights.license", "unknown license");
  AddFieldViolation(status, "requests[3].parent", "differs", "PARENT_MISMATCH");
  EXPECT_THAT(FieldViolations(status), ElementsAre(Pair("requests[0].model_id", "bad id"),
                                                   Pair("requests[2].model.weights.license", "unknown license"),
                                                   Pair("requests[3].parent", "differs")));
  EXPECT_EQ(ErrorReason(status), "INVALID_FIELD");  // the first reason stays
  EXPECT_EQ(status.message(), "requests[0].model_id: bad id");
}

TEST(ErrorsTest, PreconditionErrorCarriesTheViolation) {
  const absl::Status status = PreconditionError("LICENSE_IN_USE", "REFERENCED_BY", "publishers/p/models/m",
                                                "license `licenses/x` is referenced by model `publishers/p/models/m`");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               "license `licenses/x` is referenced by model `publishers/p/models/m`"));
  EXPECT_EQ(ErrorReason(status), "LICENSE_IN_USE");
  EXPECT_THAT(FieldViolations(status), IsEmpty());
  const auto failure = Payload<google::rpc::PreconditionFailure>(status, kPreconditionFailureUrl);
  ASSERT_EQ(failure.violations_size(), 1);
  EXPECT_EQ(failure.violations(0).type(), "REFERENCED_BY");
  EXPECT_EQ(failure.violations(0).subject(), "publishers/p/models/m");
  EXPECT_EQ(failure.violations(0).description(), status.message());
}

TEST(ErrorsTest, ErrorWithReasonCarriesMetadata) {
  const absl::Status status =
      ErrorWithReason(absl::StatusCode::kAborted, "STALE_ETAG", "etag: stale", {{"current_etag", "abc"}});
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kAborted, "etag: stale"));
  EXPECT_EQ(ErrorReason(status), "STALE_ETAG");
  const auto info = Payload<google::rpc::ErrorInfo>(status, kErrorInfoUrl);
  EXPECT_EQ(info.metadata().at("current_etag"), "abc");
}

TEST(ErrorsTest, WithReasonKeepsAnExistingReasonAndPassesOk) {
  EXPECT_EQ(ErrorReason(WithReason(absl::InvalidArgumentError("name: bad"), "INVALID_NAME")), "INVALID_NAME");
  EXPECT_EQ(ErrorReason(WithReason(InvalidFieldError("f", "d", "FIRST"), "SECOND")), "FIRST");
  EXPECT_OK(WithReason(absl::OkStatus(), "X"));
  absl::StatusOr<int> value = WithReason(absl::StatusOr<int>(3), "X");
  ASSERT_OK(value);
  EXPECT_EQ(*value, 3);
  absl::StatusOr<int> error = WithReason(absl::StatusOr<int>(absl::NotFoundError("gone")), "GONE");
  EXPECT_EQ(ErrorReason(error.status()), "GONE");
}

TEST(ErrorsTest, PlainStatusHasNoDetailsAndOkTakesNone) {
  EXPECT_EQ(ErrorReason(absl::InternalError("x")), "");
  EXPECT_THAT(FieldViolations(absl::InvalidArgumentError("x: y")), IsEmpty());
  absl::Status ok;
  AddFieldViolation(ok, "f", "d");
  SetErrorReason(ok, "R");
  EXPECT_OK(ok);
  EXPECT_EQ(ErrorReason(ok), "");
}

TEST(ErrorsTest, DetailsSurviveCopiesAndStatusOr) {
  const absl::StatusOr<std::string> result = InvalidFieldError("page_size", "must not be negative");
  absl::Status copy;
  copy = result.status();
  EXPECT_THAT(FieldViolations(copy), ElementsAre(Pair("page_size", "must not be negative")));
}

}  // namespace
}  // namespace modelreg

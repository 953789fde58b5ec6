#include "server/api/server_limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/common/errors.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ServerLimitsTest, OutOfRangeValuesNameTheirFlag) {
  EXPECT_OK(CheckServerLimits(ServerLimits()));
  ServerLimits limits;
  limits.max_message_bytes = kMinMaxMessageBytes - 1;
  EXPECT_THAT(CheckServerLimits(limits),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--max-message-bytes: expected 1048576 to")));
  limits = ServerLimits();
  limits.max_message_bytes = kMaxMaxMessageBytes + 1;
  EXPECT_THAT(CheckServerLimits(limits),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--max-message-bytes")));
  limits = ServerLimits();
  limits.max_concurrent_calls_per_connection = 0;
  EXPECT_THAT(CheckServerLimits(limits),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--max-concurrent-calls-per-connection")));
  limits = ServerLimits();
  limits.max_threads = 1;
  EXPECT_THAT(CheckServerLimits(limits),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--max-threads: expected at least 2, got 1")));
}

TEST(ServerLimitsTest, ApplySetsTheProcessWideValuesAndTheBusyErrorNamesTheThreads) {
  ServerLimits limits;
  limits.max_message_bytes = 8 << 20;
  limits.max_threads = 9;
  limits.default_deadline = absl::Seconds(7);
  grpc::ServerBuilder builder;
  ApplyServerLimits(limits, builder);
  EXPECT_EQ(MaxMessageBytes(), 8 << 20);
  EXPECT_EQ(ResponseRecordBudget(), 6 << 20);
  EXPECT_EQ(DefaultCallTimeout(), absl::Seconds(7));
  const absl::Status busy = ServerBusyError();
  EXPECT_THAT(busy, StatusIs(absl::StatusCode::kResourceExhausted,
                             HasSubstr("all 9 request threads are in use (modelregd --max-threads)")));
  EXPECT_EQ(ErrorReason(busy), "SERVER_BUSY");
  EXPECT_TRUE(
      IsServerThreadsExhausted(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "Server Threadpool Exhausted")));
  EXPECT_FALSE(IsServerThreadsExhausted(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "something else")));
  EXPECT_FALSE(IsServerThreadsExhausted(grpc::Status(grpc::StatusCode::INTERNAL, "Server Threadpool Exhausted")));
  ApplyServerLimits(ServerLimits(), builder);
  EXPECT_EQ(MaxMessageBytes(), kDefaultMaxMessageBytes);
}

}  // namespace
}  // namespace modelreg

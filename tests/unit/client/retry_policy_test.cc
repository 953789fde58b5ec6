// The client's retry rule for mutations: which errors are retried, and the jittered exponential backoff.
#include "client/retry_policy.h"

#include <gtest/gtest.h>

namespace modelreg {
namespace {

TEST(RetryPolicyTest, RetriesOnlyUnknownOutcomes) {
  EXPECT_TRUE(IsRetryableMutationError(absl::UnavailableError("down")));
  EXPECT_TRUE(IsRetryableMutationError(absl::DeadlineExceededError("slow")));
  for (const absl::Status& status :
       {absl::OkStatus(), absl::InvalidArgumentError("x"), absl::AbortedError("x"), absl::AlreadyExistsError("x"),
        absl::InternalError("x"), absl::ResourceExhaustedError("x"), absl::UnauthenticatedError("x")}) {
    EXPECT_FALSE(IsRetryableMutationError(status)) << status;
  }
}

TEST(RetryPolicyTest, BackoffGrowsThenCapsWithJitterBetweenHalfAndWhole) {
  RetryPolicy policy;
  policy.initial_backoff = absl::Milliseconds(100);
  policy.multiplier = 2;
  policy.max_backoff = absl::Milliseconds(500);
  EXPECT_EQ(RetryBackoff(policy, 1, 0.0), absl::Milliseconds(50));
  EXPECT_EQ(RetryBackoff(policy, 1, 1.0), absl::Milliseconds(100));
  EXPECT_EQ(RetryBackoff(policy, 2, 1.0), absl::Milliseconds(200));
  EXPECT_EQ(RetryBackoff(policy, 3, 0.5), absl::Milliseconds(300));  // 400 * 0.75
  EXPECT_EQ(RetryBackoff(policy, 4, 1.0), absl::Milliseconds(500));  // 800 capped
  EXPECT_EQ(RetryBackoff(policy, 40, 1.0), absl::Milliseconds(500));
  EXPECT_EQ(RetryBackoff(policy, 40, 0.0), absl::Milliseconds(250));
  // Out-of-range inputs stay within the bounds.
  EXPECT_EQ(RetryBackoff(policy, 1, 7.0), absl::Milliseconds(100));
  EXPECT_EQ(RetryBackoff(policy, 0, -1.0), absl::Milliseconds(50));
  for (int retry = 1; retry < 10; ++retry) {
    for (double unit : {0.0, 0.3, 0.99}) {
      EXPECT_LE(RetryBackoff(policy, retry, unit), policy.max_backoff);
      EXPECT_GE(RetryBackoff(policy, retry, unit), policy.initial_backoff / 2);
    }
  }
}

}  // namespace
}  // namespace modelreg

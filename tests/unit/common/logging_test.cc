#include "server/common/logging.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace modelreg {
namespace {

constexpr char kFile[] = "site.cc";
constexpr char kOtherFile[] = "other.cc";

TEST(LogRateLimiterTest, WritesUpToTheLimitPerWindowThenReportsWhatItDropped) {
  LogRateLimiter limiter(3, absl::Seconds(10));
  const absl::Time start = absl::FromUnixSeconds(1000);
  int64_t suppressed = -1;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limiter.Admit(kFile, 7, start + absl::Seconds(i), &suppressed)) << i;
    EXPECT_EQ(suppressed, 0);
  }
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.Admit(kFile, 7, start + absl::Seconds(5), &suppressed));

  // The next window: written again, carrying the count of the five dropped lines once.
  ASSERT_TRUE(limiter.Admit(kFile, 7, start + absl::Seconds(10), &suppressed));
  EXPECT_EQ(suppressed, 5);
  ASSERT_TRUE(limiter.Admit(kFile, 7, start + absl::Seconds(11), &suppressed));
  EXPECT_EQ(suppressed, 0);
}

TEST(LogRateLimiterTest, SitesAreLimitedIndependently) {
  LogRateLimiter limiter(1, absl::Seconds(10));
  const absl::Time now = absl::FromUnixSeconds(1000);
  int64_t suppressed = 0;
  EXPECT_TRUE(limiter.Admit(kFile, 7, now, &suppressed));
  EXPECT_FALSE(limiter.Admit(kFile, 7, now, &suppressed));
  EXPECT_TRUE(limiter.Admit(kFile, 8, now, &suppressed));
  EXPECT_TRUE(limiter.Admit(kOtherFile, 7, now, &suppressed));
}

}  // namespace
}  // namespace modelreg

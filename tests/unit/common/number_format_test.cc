#include "server/common/number_format.h"

#include <gtest/gtest.h>

#include <limits>

namespace modelreg {
namespace {

TEST(NumberFormatTest, GroupsDigitsInThrees) {
  EXPECT_EQ(GroupDigits(0), "0");
  EXPECT_EQ(GroupDigits(999), "999");
  EXPECT_EQ(GroupDigits(1000), "1,000");
  EXPECT_EQ(GroupDigits(700000000), "700,000,000");
  EXPECT_EQ(GroupDigits(1000001), "1,000,001");
  EXPECT_EQ(GroupDigits(-1500), "-1,500");
  EXPECT_EQ(GroupDigits(std::numeric_limits<int64_t>::min()), "-9,223,372,036,854,775,808");
  EXPECT_EQ(GroupDigits(std::numeric_limits<int64_t>::max()), "9,223,372,036,854,775,807");
}

}  // namespace
}  // namespace modelreg

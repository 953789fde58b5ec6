#include "server/domain/auth/token_secret.h"

#include <gtest/gtest.h>

#include <set>

namespace modelreg {
namespace {

TEST(TokenSecretTest, FormAndRandomness) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<std::string> secret = GenerateTokenSecret();
    ASSERT_TRUE(secret.ok());
    EXPECT_EQ(secret->substr(0, 4), "mrt_");
    EXPECT_EQ(secret->size(), 47u);
    EXPECT_TRUE(IsWellFormedTokenSecret(*secret)) << *secret;
    EXPECT_TRUE(seen.insert(*secret).second);
  }
  EXPECT_FALSE(IsWellFormedTokenSecret(""));
  EXPECT_FALSE(IsWellFormedTokenSecret("mrt_short"));
  EXPECT_FALSE(IsWellFormedTokenSecret("xyz_" + std::string(43, 'a')));
  EXPECT_FALSE(IsWellFormedTokenSecret("mrt_" + std::string(42, 'a') + "="));
}

TEST(TokenSecretTest, HashAndCompare) {
  const std::string a = HashTokenSecret("mrt_a");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a, HashTokenSecret("mrt_a"));
  EXPECT_NE(a, HashTokenSecret("mrt_b"));
  EXPECT_TRUE(ConstantTimeEquals(a, HashTokenSecret("mrt_a")));
  EXPECT_FALSE(ConstantTimeEquals(a, HashTokenSecret("mrt_b")));
  EXPECT_FALSE(ConstantTimeEquals(a, a.substr(1)));
}

TEST(TokenSecretTest, Ids) {
  absl::StatusOr<std::string> id = GenerateTokenId();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->size(), 16u);
}

}  // namespace
}  // namespace modelreg

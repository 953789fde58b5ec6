#include "server/domain/names.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;

TEST(NamesTest, ParsesModelName) {
  auto name = ParseModelName("publishers/meta-llama/models/llama-3.1-8b");
  ASSERT_OK(name);
  EXPECT_EQ(name->publisher, "meta-llama");
  EXPECT_EQ(name->model, "llama-3.1-8b");
  EXPECT_EQ(name->Full(), "publishers/meta-llama/models/llama-3.1-8b");
}

TEST(NamesTest, RejectsMalformedModelNames) {
  for (const char* bad : {"", "publishers/x", "publishers/x/models/", "publishers//models/y", "models/x/publishers/y",
                          "publishers/X/models/y", "publishers/x/models/y/z", "publishers/x/models/-y",
                          "publishers/x/models/y z", "publishers/x/models/y;drop", "meta-llama/llama"}) {
    EXPECT_THAT(ParseModelName(bad, "model.name"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model.name")))
        << bad;
  }
}

TEST(NamesTest, IdLengthLimit) {
  EXPECT_TRUE(IsValidResourceId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidResourceId(std::string(64, 'a')));
  EXPECT_TRUE(IsValidResourceId("a.b_c-1"));
  EXPECT_FALSE(IsValidResourceId("a+b"));
  EXPECT_TRUE(IsValidLicenseId("openrail++"));
}

TEST(NamesTest, PublisherWildcardOnlyWhenAllowed) {
  EXPECT_THAT(ParsePublisherName("publishers/-", true), ::modelreg::testing::IsOk());
  EXPECT_EQ(*ParsePublisherName("publishers/-", true), "-");
  EXPECT_THAT(ParsePublisherName("publishers/-", false), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(*ParsePublisherName("publishers/openai", false), "openai");
}

TEST(NamesTest, LicenseNames) {
  EXPECT_EQ(*ParseLicenseName("licenses/llama3.1"), "llama3.1");
  EXPECT_THAT(ParseLicenseName("licenses/Apache-2.0"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLicenseName("apache-2.0"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(LicenseName("mit"), "licenses/mit");
}

}  // namespace
}  // namespace modelreg

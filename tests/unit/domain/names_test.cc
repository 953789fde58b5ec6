// The names library (modelreg_names): id rules, full names as the API spells them, and the CLI's shorthand.
#include "server/domain/names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::IsOk;
using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Id rules.

TEST(IdRulesTest, IdLengthLimit) {
  EXPECT_TRUE(IsValidResourceId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidResourceId(std::string(64, 'a')));
  EXPECT_TRUE(IsValidResourceId("a.b_c-1"));
  EXPECT_FALSE(IsValidResourceId("a+b"));
  EXPECT_TRUE(IsValidLicenseId("openrail++"));
}

TEST(IdRulesTest, FirstCharacterAndCase) {
  EXPECT_FALSE(IsValidResourceId(""));
  EXPECT_FALSE(IsValidResourceId("-a"));
  EXPECT_FALSE(IsValidResourceId(".a"));
  EXPECT_FALSE(IsValidResourceId("A"));
  EXPECT_FALSE(IsValidResourceId(std::string("a\0b", 3)));
  EXPECT_TRUE(IsValidResourceId("0a"));
  EXPECT_FALSE(IsValidLicenseId("+a"));
  EXPECT_FALSE(IsValidLicenseId("a/b"));
  EXPECT_TRUE(IsValidLicenseId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidLicenseId(std::string(64, 'a')));
}

// Formatting.

TEST(FormatTest, ModelPublisherAndLicenseNames) {
  const ModelName name{"meta-llama", "llama-3.1-8b"};
  EXPECT_EQ(name.parent(), "publishers/meta-llama");
  EXPECT_EQ(name.name(), "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_EQ(PublisherName("openai"), "publishers/openai");
  EXPECT_EQ(PublisherName("-"), "publishers/-");
  EXPECT_EQ(LicenseName("mit"), "licenses/mit");
}

// Full names.

TEST(ParseModelNameTest, ParsesModelName) {
  absl::StatusOr<ModelName> name = ParseModelName("publishers/meta-llama/models/llama-3.1-8b");
  ASSERT_OK(name);
  EXPECT_EQ(name->publisher, "meta-llama");
  EXPECT_EQ(name->model, "llama-3.1-8b");
  EXPECT_EQ(name->parent(), "publishers/meta-llama");
  EXPECT_EQ(name->name(), "publishers/meta-llama/models/llama-3.1-8b");
}

TEST(ParseModelNameTest, RejectsMalformedModelNames) {
  for (const char* bad : {"", "publishers/x", "publishers/x/models/", "publishers//models/y", "models/x/publishers/y",
                          "publishers/X/models/y", "publishers/x/models/y/z", "publishers/x/models/-y",
                          "publishers/x/models/y z", "publishers/x/models/y;drop", "meta-llama/llama"}) {
    EXPECT_THAT(ParseModelName(bad, "model.name"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model.name")))
        << bad;
  }
}

TEST(ParseModelNameTest, ErrorStartsWithFieldAndQuotesAtMost200Bytes) {
  EXPECT_THAT(ParseModelName("publishers/X/models/y"),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("name: `publishers/X/models/y` is not")));
  absl::StatusOr<ModelName> long_name = ParseModelName(std::string(1000, 'x'), "base_model");
  EXPECT_THAT(long_name, StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("base_model: `")));
  EXPECT_THAT(long_name, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(std::string(200, 'x') + "`")));
  EXPECT_THAT(long_name,
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::Not(HasSubstr(std::string(201, 'x')))));
}

TEST(ParsePublisherNameTest, PublisherWildcardOnlyWhenAllowed) {
  EXPECT_THAT(ParsePublisherName("publishers/-", true), IsOk());
  EXPECT_EQ(*ParsePublisherName("publishers/-", true), "-");
  EXPECT_THAT(ParsePublisherName("publishers/-", false), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(*ParsePublisherName("publishers/openai", false), "openai");
}

TEST(ParsePublisherNameTest, RejectsOtherShapes) {
  for (const std::string& bad :
       {std::string(""), std::string("publishers/"), std::string("publishers/Meta"), std::string("meta-llama"),
        std::string("publishers/a/models/b"), std::string("publishers/a;b"), std::string("publishers/a\0b", 14)}) {
    EXPECT_THAT(ParsePublisherName(bad, true), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("parent: ")))
        << bad;
  }
  EXPECT_THAT(ParsePublisherName("x", false, "requests[2].parent"),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("requests[2].parent: ")));
}

TEST(ParseLicenseNameTest, LicenseNames) {
  EXPECT_EQ(*ParseLicenseName("licenses/llama3.1"), "llama3.1");
  EXPECT_EQ(*ParseLicenseName("licenses/openrail++"), "openrail++");
  EXPECT_THAT(ParseLicenseName("licenses/Apache-2.0"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLicenseName("apache-2.0"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLicenseName("licenses/a/b", "license.name"),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("license.name: ")));
  EXPECT_EQ(LicenseName("mit"), "licenses/mit");
}

TEST(LicenseIdOfTest, StripsPrefix) {
  EXPECT_EQ(LicenseIdOf("licenses/mit"), "mit");
  EXPECT_EQ(LicenseIdOf("licenses/openrail++"), "openrail++");
  EXPECT_EQ(LicenseIdOf("mit"), "");
  EXPECT_EQ(LicenseIdOf(""), "");
  EXPECT_EQ(LicenseIdOf("licenses/"), "");
  EXPECT_EQ(LicenseIdOf("licenses/a/b"), "");
  EXPECT_EQ(LicenseIdOf("licenses/MIT"), "");
  EXPECT_EQ(LicenseIdOf("publishers/mit"), "");
}

// Shorthand (the CLI's names).

TEST(ParseModelShorthandTest, AcceptsFullName) {
  absl::StatusOr<ModelName> name = ParseModelShorthand("publishers/meta-llama/models/llama-3.1-8b");
  ASSERT_OK(name);
  EXPECT_EQ(name->publisher, "meta-llama");
  EXPECT_EQ(name->model, "llama-3.1-8b");
  EXPECT_EQ(name->parent(), "publishers/meta-llama");
  EXPECT_EQ(name->name(), "publishers/meta-llama/models/llama-3.1-8b");
}

TEST(ParseModelShorthandTest, AcceptsHuggingFaceStyleAndLowercases) {
  absl::StatusOr<ModelName> name = ParseModelShorthand("meta-llama/Llama-3.1-8B");
  ASSERT_OK(name);
  EXPECT_EQ(name->name(), "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_EQ(ParseModelShorthand("  EleutherAI/pythia-6.9b ")->name(), "publishers/eleutherai/models/pythia-6.9b");
  EXPECT_EQ(ParseModelShorthand("Publishers/X/Models/Y")->name(), "publishers/x/models/y");
}

TEST(ParseModelShorthandTest, RejectsOtherShapes) {
  EXPECT_THAT(ParseModelShorthand(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseModelShorthand("llama"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PUBLISHER/MODEL")));
  EXPECT_THAT(ParseModelShorthand("a/b/c"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseModelShorthand("publishers/x/datasets/y"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseModelShorthand("x/"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model id")));
  EXPECT_THAT(ParseModelShorthand("x y/z"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("publisher id")));
  EXPECT_THAT(ParseModelShorthand("x/" + std::string(64, 'a')), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseModelShorthand("x/a+b"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseModelShorthand("Meta Llama/x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("in 'Meta Llama/x'")));
}

TEST(ParsePublisherShorthandTest, AcceptsIdNameAndWildcard) {
  EXPECT_EQ(PublisherName(*ParsePublisherShorthand("publishers/-")), "publishers/-");
  EXPECT_EQ(PublisherName(*ParsePublisherShorthand("-")), "publishers/-");
  EXPECT_EQ(PublisherName(*ParsePublisherShorthand("Google")), "publishers/google");
  EXPECT_EQ(PublisherName(*ParsePublisherShorthand("publishers/allenai")), "publishers/allenai");
  EXPECT_EQ(*ParsePublisherShorthand(" publishers/AllenAI "), "allenai");
  EXPECT_THAT(ParsePublisherShorthand("publishers/a/b"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePublisherShorthand(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePublisherShorthand("publishers/"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseLicenseShorthandTest, AcceptsIdOrName) {
  EXPECT_EQ(LicenseName(*ParseLicenseShorthand("apache-2.0")), "licenses/apache-2.0");
  EXPECT_EQ(LicenseName(*ParseLicenseShorthand("licenses/openrail++")), "licenses/openrail++");
  EXPECT_EQ(LicenseName(*ParseLicenseShorthand("Apache-2.0")), "licenses/apache-2.0");
  EXPECT_EQ(*ParseLicenseShorthand(" Licenses/MIT "), "mit");
  EXPECT_THAT(ParseLicenseShorthand("licenses/"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLicenseShorthand("licenses/a/b"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLicenseShorthand("Apache 2.0"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad license name 'Apache 2.0'")));
}

}  // namespace
}  // namespace modelreg

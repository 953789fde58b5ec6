#include "client/cli/names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace modelreg::cli {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseModelName, AcceptsFullName) {
  absl::StatusOr<ModelName> name = ParseModelName("publishers/meta-llama/models/llama-3.1-8b");
  ASSERT_OK(name);
  EXPECT_EQ(name->publisher, "meta-llama");
  EXPECT_EQ(name->model, "llama-3.1-8b");
  EXPECT_EQ(name->parent(), "publishers/meta-llama");
  EXPECT_EQ(name->name(), "publishers/meta-llama/models/llama-3.1-8b");
}

TEST(ParseModelName, AcceptsHuggingFaceStyleAndLowercases) {
  absl::StatusOr<ModelName> name = ParseModelName("meta-llama/Llama-3.1-8B");
  ASSERT_OK(name);
  EXPECT_EQ(name->name(), "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_EQ(ParseModelName("  EleutherAI/pythia-6.9b ")->name(), "publishers/eleutherai/models/pythia-6.9b");
}

TEST(ParseModelName, RejectsOtherShapes) {
  EXPECT_THAT(ParseModelName(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseModelName("llama"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PUBLISHER/MODEL")));
  EXPECT_THAT(ParseModelName("a/b/c"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseModelName("publishers/x/datasets/y"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseModelName("x/"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model id")));
  EXPECT_THAT(ParseModelName("x y/z"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("publisher id")));
  EXPECT_THAT(ParseModelName("x/" + std::string(64, 'a')), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseModelName("x/a+b"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParsePublisher, AcceptsIdNameAndWildcard) {
  EXPECT_EQ(*ParsePublisher("publishers/-"), "publishers/-");
  EXPECT_EQ(*ParsePublisher("-"), "publishers/-");
  EXPECT_EQ(*ParsePublisher("Google"), "publishers/google");
  EXPECT_EQ(*ParsePublisher("publishers/allenai"), "publishers/allenai");
  EXPECT_THAT(ParsePublisher("publishers/a/b"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePublisher(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseLicenseName, AcceptsIdOrName) {
  EXPECT_EQ(*ParseLicenseName("apache-2.0"), "licenses/apache-2.0");
  EXPECT_EQ(*ParseLicenseName("licenses/openrail++"), "licenses/openrail++");
  EXPECT_EQ(*ParseLicenseName("Apache-2.0"), "licenses/apache-2.0");
  EXPECT_THAT(ParseLicenseName("licenses/"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLicenseName("licenses/a/b"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLicenseName("Apache 2.0"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LicenseIdOf, StripsPrefix) {
  EXPECT_EQ(*LicenseIdOf("licenses/mit"), "mit");
  EXPECT_THAT(LicenseIdOf("mit"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LicenseNameFromSource, LowercasesAndDropsNonLicenses) {
  EXPECT_EQ(LicenseNameFromSource("Apache-2.0"), "licenses/apache-2.0");
  EXPECT_EQ(LicenseNameFromSource(" CC-BY-SA-4.0 "), "licenses/cc-by-sa-4.0");
  EXPECT_EQ(LicenseNameFromSource("Llama 3.1"), "licenses/llama-3.1");
  EXPECT_EQ(LicenseNameFromSource(""), "");
  EXPECT_EQ(LicenseNameFromSource("unlicensed"), "");
  EXPECT_EQ(LicenseNameFromSource("Unlicensed"), "");
  EXPECT_EQ(LicenseNameFromSource("License not specified"), "");
  EXPECT_EQ(LicenseNameFromSource("Component not included"), "");
  EXPECT_EQ(LicenseNameFromSource("unknown"), "");
}

}  // namespace
}  // namespace modelreg::cli

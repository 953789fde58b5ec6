#include "server/domain/licenses/license_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::License License(const std::string& id, const std::string& spdx, const std::vector<std::string>& aliases) {
  v1::License license;
  license.set_name("licenses/" + id);
  license.set_spdx_id(spdx);
  for (const std::string& alias : aliases) license.add_aliases(alias);
  return license;
}

TEST(LicenseNames, KeyIgnoresCaseSpacingAndThePrefix) {
  EXPECT_EQ(LicenseNameKey("  Apache   License\t2.0 "), "apache license 2.0");
  EXPECT_EQ(LicenseNameKey("licenses/MIT"), "mit");
  EXPECT_EQ(LicenseNameKey("LICENSES/mit"), "mit");
  EXPECT_EQ(LicenseNameKey("   "), "");
  EXPECT_EQ(LicenseNameKey("Tongyi Qianwen 许可"), "tongyi qianwen 许可");  // non-ASCII kept as is
}

TEST(LicenseNames, KeysAreIdSpdxIdAndAliasesEachOnce) {
  EXPECT_THAT(LicenseKeys(License("apache-2.0", "Apache-2.0", {"Apache License 2.0", "apache  license 2.0", ""})),
              ElementsAre("apache-2.0", "apache license 2.0"));
}

TEST(LicenseNames, ResolverPrefersTheIdThenALiveLicense) {
  v1::License deleted = License("old", "", {"Shared"});
  deleted.mutable_delete_time()->set_seconds(1);
  LicenseResolver resolver({License("mit", "MIT", {"MIT License"}), deleted, License("shared", "", {"Other"}),
                            License("new", "", {"shared "})});
  ASSERT_NE(resolver.Resolve("licenses/mit license").license, nullptr);
  EXPECT_EQ(resolver.Resolve("licenses/mit license").license->name(), "licenses/mit");
  EXPECT_EQ(resolver.Resolve("MIT").license->name(), "licenses/mit");
  // "shared" is the id of one license and an alias of two others: the id wins.
  EXPECT_EQ(resolver.Resolve("Shared").license->name(), "licenses/shared");
  EXPECT_EQ(resolver.Resolve("nothing").license, nullptr);
  EXPECT_THAT(resolver.Resolve("nothing").ambiguous, IsEmpty());
}

TEST(LicenseNames, AliasOfSeveralLiveLicensesIsAmbiguous) {
  LicenseResolver resolver({License("a", "", {"Same"}), License("b", "", {"same"})});
  LicenseResolution resolution = resolver.Resolve("SAME");
  EXPECT_EQ(resolution.license, nullptr);
  EXPECT_THAT(resolution.ambiguous, ElementsAre("licenses/a", "licenses/b"));
}

TEST(LicenseNames, KeysFreeNamesTheFirstTakenField) {
  const std::vector<v1::License> others = {License("mit", "MIT", {"MIT License"})};
  EXPECT_OK(CheckLicenseKeysFree(License("x", "", {"X License"}), others, "license", "license_id"));
  EXPECT_THAT(CheckLicenseKeysFree(License("x", "", {"free", "mit license"}), others, "license", "license_id"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("license.aliases[1]")));
  EXPECT_THAT(CheckLicenseKeysFree(License("x", "MIT", {}), others, "license", "license_id"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("license.spdx_id")));
  // The license itself (same name) is not another license.
  EXPECT_OK(CheckLicenseKeysFree(License("mit", "MIT", {"MIT License"}), others, "license", ""));
}

TEST(LicenseNames, IdFromAMessyName) {
  EXPECT_EQ(LicenseIdFromName("Apache (v2)"), "apache-v2");
  EXPECT_EQ(LicenseIdFromName("arXiv.org - Non-exclusive license"), "arxiv.org-non-exclusive-license");
  EXPECT_EQ(LicenseIdFromName("AI Sweden's LLM AI Model License Agreement"),
            "ai-sweden-s-llm-ai-model-license-agreement");
  const std::string cut = LicenseIdFromName(std::string(40, 'a') + " " + std::string(40, 'b'));
  EXPECT_LE(cut.size(), 63u);
  EXPECT_EQ(cut, std::string(40, 'a'));  // cut at the last `-` within 63 characters
  const std::string hashed = LicenseIdFromName("模型许可");
  EXPECT_THAT(hashed, ::testing::StartsWith("license-"));
  EXPECT_EQ(hashed.size(), 16u);
  EXPECT_EQ(hashed, LicenseIdFromName("模型许可"));
}

TEST(LicenseNames, UnverifiedLicenseHasNoTerms) {
  v1::License license = UnverifiedLicense("  Example Vendor License ", "models/x.yml");
  EXPECT_EQ(license.name(), "licenses/example-vendor-license");
  EXPECT_EQ(license.display_name(), "Example Vendor License");
  EXPECT_THAT(license.aliases(), ElementsAre("Example Vendor License"));
  EXPECT_THAT(license.labels().at(kUnverifiedLabel), HasSubstr("models/x.yml"));
  EXPECT_EQ(license.category(), v1::License::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(license.commercial_use(), v1::License::COMMERCIAL_USE_UNSPECIFIED);
  EXPECT_EQ(license.usage_thresholds_size(), 0);
}

}  // namespace
}  // namespace modelreg

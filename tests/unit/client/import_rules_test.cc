#include "client/cli/importers/import_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace modelreg::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

v1::License License(const std::string& id, const std::string& spdx, std::vector<std::string> aliases) {
  v1::License license;
  license.set_name("licenses/" + id);
  license.set_spdx_id(spdx);
  license.set_category(v1::License::CATEGORY_PERMISSIVE);
  for (std::string& alias : aliases) license.add_aliases(std::move(alias));
  return license;
}

TEST(ImportRules, HttpUrls) {
  EXPECT_TRUE(IsHttpUrl("https://huggingface.co/x/y"));
  EXPECT_TRUE(IsHttpUrl("http://example.com"));
  EXPECT_FALSE(IsHttpUrl("arxiv license"));
  EXPECT_FALSE(IsHttpUrl("https://"));
  EXPECT_FALSE(IsHttpUrl("https://huggingface.co/x/y · Hugging Face"));
  EXPECT_FALSE(IsHttpUrl("ftp://example.com/a"));
  EXPECT_FALSE(IsHttpUrl("https://example.com/" + std::string(2048, 'a')));
}

TEST(ImportRules, IdSlugMakesValidIds) {
  EXPECT_EQ(IdSlug("Salesforce"), "salesforce");
  EXPECT_EQ(IdSlug("  Meta AI (FAIR) "), "meta-ai-fair");
  EXPECT_EQ(IdSlug("xgen-7b-8k-inst · Hugging Face"), "xgen-7b-8k-inst-hugging-face");
  EXPECT_EQ(IdSlug("__x__"), "x");
  EXPECT_EQ(IdSlug("模型"), "");
  const std::string longer = IdSlug(std::string(40, 'a') + " " + std::string(40, 'b'));
  EXPECT_EQ(longer, std::string(40, 'a'));  // cut at the last '-' within 63 characters
  EXPECT_EQ(IdSlug(std::string(80, 'c')).size(), 63U);
}

TEST(ImportRules, LicenseTexts) {
  EXPECT_EQ(ClassifyLicenseText(""), LicenseText::kNone);
  EXPECT_EQ(ClassifyLicenseText("unlicensed"), LicenseText::kNone);
  EXPECT_EQ(ClassifyLicenseText("Undisclosed"), LicenseText::kUnknown);
  EXPECT_EQ(ClassifyLicenseText("License not specified"), LicenseText::kUnknown);
  EXPECT_EQ(ClassifyLicenseText("Other License"), LicenseText::kUnknown);
  EXPECT_EQ(ClassifyLicenseText("Component not included"), LicenseText::kNotIncluded);
  EXPECT_EQ(ClassifyLicenseText("Component Component not included"), LicenseText::kNotIncluded);
  EXPECT_EQ(ClassifyLicenseText("Component Not Include"), LicenseText::kNotIncluded);
  EXPECT_EQ(ClassifyLicenseText("https://arxiv.org/pdf/2401.06066"), LicenseText::kLink);
  EXPECT_EQ(ClassifyLicenseText("MIT License"), LicenseText::kName);
}

TEST(ImportLicenses, ResolvesAliasesCaseInsensitively) {
  ImportLicenses licenses(
      {License("mit", "MIT", {"MIT License"}), License("apache-2.0", "Apache-2.0", {"Apache 2.0"})});
  ImportResult result;
  EXPECT_EQ(licenses.Resolve("mit license", "f", {}, &result), "licenses/mit");
  EXPECT_EQ(licenses.Resolve("  APACHE   2.0 ", "f", {}, &result), "licenses/apache-2.0");
  EXPECT_EQ(licenses.Resolve("Apache-2.0", "f", {}, &result), "licenses/apache-2.0");
  EXPECT_EQ(licenses.Resolve("licenses/mit", "f", {}, &result), "licenses/mit");
  EXPECT_THAT(result.new_licenses, IsEmpty());
  EXPECT_THAT(result.warnings, IsEmpty());
}

TEST(ImportLicenses, UnknownNameBecomesOneUnverifiedLicense) {
  ImportLicenses licenses({License("mit", "MIT", {})});
  ImportOptions options;
  options.source = "models/X.yml";
  ImportResult first;
  EXPECT_EQ(licenses.Resolve("Databricks Open Model License", "release.license.distribution.name", options, &first),
            "licenses/databricks-open-model-license");
  ASSERT_THAT(first.new_licenses, SizeIs(1));
  const v1::License& created = first.new_licenses.front();
  EXPECT_EQ(created.display_name(), "Databricks Open Model License");
  EXPECT_THAT(created.aliases(), ElementsAre("Databricks Open Model License"));
  EXPECT_EQ(created.category(), v1::License::CATEGORY_UNSPECIFIED);
  EXPECT_THAT(created.labels().at("modelreg.io/unverified"), HasSubstr("models/X.yml"));
  EXPECT_THAT(first.warnings, ElementsAre(HasSubstr("unverified")));

  // A second file naming it (in another spelling) reuses it and lists it as needed.
  ImportResult second;
  EXPECT_EQ(licenses.Resolve("databricks open model license", "f", options, &second),
            "licenses/databricks-open-model-license");
  ASSERT_THAT(second.new_licenses, SizeIs(1));
  EXPECT_THAT(second.warnings, IsEmpty());
  EXPECT_THAT(licenses.created(), SizeIs(1));
}

TEST(ImportLicenses, FreeIdWhenTheSlugIsTaken) {
  // `mit-license` exists but does not answer to "MIT-License!" (its key differs): the new license gets `-2`.
  ImportLicenses licenses({License("mit-license", "", {})});
  ImportResult result;
  EXPECT_EQ(licenses.Resolve("MIT-License!", "f", {}, &result), "licenses/mit-license-2");
}

TEST(ImportLicenses, SoftDeletedAndAmbiguousNamesAreLeftUnknown) {
  v1::License deleted = License("old", "", {"Old License"});
  deleted.mutable_delete_time()->set_seconds(1);
  // Two licenses claiming one alias can only come from concurrent writes; the import must not guess.
  ImportLicenses licenses({deleted, License("a", "", {"Shared"}), License("b", "", {"Shared"})});
  ImportResult result;
  EXPECT_EQ(licenses.Resolve("Old License", "f", {}, &result), "");
  EXPECT_EQ(licenses.Resolve("shared", "f", {}, &result), "");
  EXPECT_THAT(result.warnings, ElementsAre(HasSubstr("soft-deleted"), HasSubstr("several licenses")));
  EXPECT_THAT(result.new_licenses, IsEmpty());
}

}  // namespace
}  // namespace modelreg::cli

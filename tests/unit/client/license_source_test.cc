#include "client/cli/importers/license_source.h"

#include <gtest/gtest.h>

namespace modelreg::cli {
namespace {

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
  EXPECT_EQ(LicenseNameFromSource("none"), "");
}

}  // namespace
}  // namespace modelreg::cli

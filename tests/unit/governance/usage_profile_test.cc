#include "server/domain/governance/usage_profile.h"

#include <gtest/gtest.h>

#include <limits>

namespace modelreg {
namespace {

v1::Organization Org(int64_t users) {
  v1::Organization org;
  org.set_monthly_active_users(users);
  org.set_annual_revenue_usd(10);
  org.set_commercial(true);
  org.set_country("de");
  return org;
}

v1::Organization::Affiliate* AddAffiliate(v1::Organization& org, int64_t users) {
  v1::Organization::Affiliate* a = org.add_affiliates();
  a->set_monthly_active_users(users);
  a->set_annual_revenue_usd(5);
  return a;
}

TEST(OrganizationProfile, SumsTheAffiliatesFigures) {
  v1::Organization org = Org(400);
  AddAffiliate(org, 350);
  AddAffiliate(org, 1);
  const v1::UsageProfile profile = OrganizationProfile(org);
  EXPECT_EQ(profile.monthly_active_users(), 751);
  EXPECT_EQ(profile.annual_revenue_usd(), 20);
  EXPECT_TRUE(profile.commercial());
  EXPECT_EQ(profile.country(), "DE");
  // Nobody recorded monthly revenue: unknown, not zero.
  EXPECT_FALSE(profile.has_monthly_revenue_usd());
}

TEST(OrganizationProfile, AnUnknownPartMakesTheSumUnknown) {
  v1::Organization org = Org(400);
  AddAffiliate(org, 1)->clear_monthly_active_users();
  const v1::UsageProfile profile = OrganizationProfile(org);
  EXPECT_FALSE(profile.has_monthly_active_users());
  EXPECT_EQ(profile.annual_revenue_usd(), 15);

  v1::Organization unknown;
  EXPECT_FALSE(OrganizationProfile(unknown).has_monthly_active_users());
  EXPECT_FALSE(OrganizationProfile(unknown).has_commercial());
}

TEST(OrganizationProfile, SumsSaturate) {
  v1::Organization org = Org(std::numeric_limits<int64_t>::max() - 1);
  AddAffiliate(org, 10);
  EXPECT_EQ(OrganizationProfile(org).monthly_active_users(), std::numeric_limits<int64_t>::max());
}

TEST(DeploymentProfile, TakesTheUseFromTheDeployment) {
  v1::Deployment d;
  d.set_hosting(v1::HOSTING_PROVIDER_API);
  d.set_distribute_as("acme-chat");
  d.set_train_on_outputs(true);
  const v1::UsageProfile profile = DeploymentProfile(Org(7), d);
  EXPECT_EQ(profile.hosting(), v1::HOSTING_PROVIDER_API);
  EXPECT_EQ(profile.distribute_as(), "acme-chat");
  EXPECT_TRUE(profile.train_on_outputs());
  EXPECT_FALSE(profile.has_distillation());
  EXPECT_EQ(profile.monthly_active_users(), 7);
}

TEST(AttributeMissingFact, NamesWhereTheCallerSetsTheFact) {
  v1::UsageFinding finding;
  finding.set_missing_fact("profile.monthly_active_users");
  AttributeMissingFact("deployment", finding);
  EXPECT_EQ(finding.missing_fact(), "organization.monthly_active_users");
  finding.set_missing_fact("profile.train_on_outputs");
  AttributeMissingFact("planned_use", finding);
  EXPECT_EQ(finding.missing_fact(), "planned_use.train_on_outputs");
  finding.set_missing_fact("license.commercial_use");
  AttributeMissingFact("deployment", finding);
  EXPECT_EQ(finding.missing_fact(), "license.commercial_use");
}

}  // namespace
}  // namespace modelreg

#include "server/domain/governance/usage_profile.h"

#include <cstdint>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace modelreg {
namespace {

// The organization's figure plus every affiliate's, or nullopt when any of them is unknown. `figure` reads one
// figure of an Organization or an Affiliate (their accessors share names).
template <typename Figure>
std::optional<int64_t> Total(const v1::Organization& organization, Figure figure) {
  std::optional<int64_t> total = figure(organization);
  for (const v1::Organization::Affiliate& affiliate : organization.affiliates()) {
    const std::optional<int64_t> part = figure(affiliate);
    if (!total.has_value() || !part.has_value()) return std::nullopt;
    total = *part > std::numeric_limits<int64_t>::max() - *total ? std::numeric_limits<int64_t>::max() : *total + *part;
  }
  return total;
}

}  // namespace

v1::UsageProfile OrganizationProfile(const v1::Organization& organization) {
  v1::UsageProfile profile;
  const std::optional<int64_t> users = Total(organization, [](const auto& o) -> std::optional<int64_t> {
    if (!o.has_monthly_active_users()) return std::nullopt;
    return o.monthly_active_users();
  });
  const std::optional<int64_t> annual = Total(organization, [](const auto& o) -> std::optional<int64_t> {
    if (!o.has_annual_revenue_usd()) return std::nullopt;
    return o.annual_revenue_usd();
  });
  const std::optional<int64_t> monthly = Total(organization, [](const auto& o) -> std::optional<int64_t> {
    if (!o.has_monthly_revenue_usd()) return std::nullopt;
    return o.monthly_revenue_usd();
  });
  if (users.has_value()) profile.set_monthly_active_users(*users);
  if (annual.has_value()) profile.set_annual_revenue_usd(*annual);
  if (monthly.has_value()) profile.set_monthly_revenue_usd(*monthly);
  if (organization.has_commercial()) profile.set_commercial(organization.commercial());
  profile.set_country(absl::AsciiStrToUpper(organization.country()));
  return profile;
}

v1::UsageProfile PlannedUseProfile(const v1::Organization& organization, const v1::PlannedUse& use) {
  v1::UsageProfile profile = OrganizationProfile(organization);
  profile.set_hosting(use.hosting());
  profile.set_distribute_as(use.distribute_as());
  if (use.has_train_on_outputs()) profile.set_train_on_outputs(use.train_on_outputs());
  if (use.has_distillation()) profile.set_distillation(use.distillation());
  return profile;
}

v1::UsageProfile DeploymentProfile(const v1::Organization& organization, const v1::Deployment& deployment) {
  v1::PlannedUse use;
  use.set_hosting(deployment.hosting());
  use.set_distribute_as(deployment.distribute_as());
  if (deployment.has_train_on_outputs()) use.set_train_on_outputs(deployment.train_on_outputs());
  if (deployment.has_distillation()) use.set_distillation(deployment.distillation());
  return PlannedUseProfile(organization, use);
}

void AttributeMissingFact(absl::string_view use_field, v1::UsageFinding& finding) {
  absl::string_view fact = finding.missing_fact();
  if (!absl::ConsumePrefix(&fact, "profile.")) return;
  const bool figure = fact == "monthly_active_users" || fact == "annual_revenue_usd" || fact == "monthly_revenue_usd" ||
                      fact == "commercial" || fact == "country";
  finding.set_missing_fact(absl::StrCat(figure ? "organization" : use_field, ".", fact));
}

}  // namespace modelreg

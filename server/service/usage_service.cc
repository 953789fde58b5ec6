#include "server/service/usage_service.h"

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"
#include "server/domain/usage/lineage.h"
#include "server/domain/usage/usage_rules.h"
#include "server/domain/validation.h"

namespace modelreg {

absl::StatusOr<v1::CheckUsageResponse> UsageService::CheckUsage(const v1::CheckUsageRequest& request,
                                                                const Principal& /*actor*/) {
  MODELREG_RETURN_IF_ERROR(WithReason(ParseModelName(request.model(), "model").status(), "INVALID_NAME"));
  const bool by_organization =
      !request.organization().empty() || !request.deployment().empty() || request.has_planned_use();
  if (request.has_profile() && by_organization) {
    return InvalidFieldError("profile", "give either a profile, or an organization or deployment, not both");
  }
  if (!request.has_profile() && !by_organization) {
    return InvalidFieldError("profile", "required: the facts of the use (or an organization or deployment)");
  }
  if (by_organization) {
    return absl::UnimplementedError(absl::StrCat(
        request.deployment().empty() ? "organization" : "deployment",
        ": checks against an organization's figures or a deployment are not served by this server yet; send the "
        "figures as an explicit `profile`"));
  }
  v1::UsageProfile profile = request.profile();
  MODELREG_RETURN_IF_ERROR(ValidateUsageProfile(profile, "profile"));
  profile.set_country(absl::AsciiStrToUpper(profile.country()));

  MODELREG_ASSIGN_OR_RETURN(v1::Model model, models_->Get(request.model()));
  MODELREG_ASSIGN_OR_RETURN(
      Lineage lineage, WalkLineage(model, [this](const std::string& name) -> absl::StatusOr<std::optional<v1::Model>> {
        absl::StatusOr<v1::Model> found = models_->Get(name);
        if (found.ok()) return std::optional<v1::Model>(*std::move(found));
        if (absl::IsNotFound(found.status())) return std::optional<v1::Model>();
        return found.status();
      }));

  std::set<std::string> names;
  if (!model.weights().license().empty()) names.insert(model.weights().license());
  for (const v1::Model& ancestor : lineage.ancestors) {
    if (!ancestor.weights().license().empty()) names.insert(ancestor.weights().license());
  }
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::License> found,
                            licenses_->GetMany(std::vector<std::string>(names.begin(), names.end()), nullptr));
  LicenseMap licenses;
  for (v1::License& license : found) {
    std::string name = license.name();
    licenses.emplace(std::move(name), std::move(license));
  }

  UsageCheck check = ::modelreg::CheckUsage(model, lineage, licenses, profile);
  v1::CheckUsageResponse response;
  response.set_verdict(check.verdict);
  for (v1::UsageFinding& finding : check.findings) *response.add_findings() = std::move(finding);
  *response.mutable_profile() = std::move(profile);
  for (const v1::Model& ancestor : lineage.ancestors) response.add_lineage(ancestor.name());
  return response;
}

}  // namespace modelreg

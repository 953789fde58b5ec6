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
#include "server/domain/governance/usage_profile.h"
#include "server/domain/names.h"
#include "server/domain/usage/lineage.h"
#include "server/domain/usage/usage_rules.h"
#include "server/domain/validation.h"

namespace modelreg {

absl::StatusOr<v1::CheckUsageResponse> UsageService::CheckUsage(const v1::CheckUsageRequest& request,
                                                                const Principal& actor) {
  const int sources = (request.has_profile() ? 1 : 0) + (request.organization().empty() ? 0 : 1) +
                      (request.deployment().empty() ? 0 : 1);
  if (sources != 1) {
    return InvalidFieldError(sources == 0 ? "profile" : "organization",
                             sources == 0 ? "required: the facts of the use, or an organization or deployment"
                                          : "give exactly one of `profile`, `organization` and `deployment`");
  }
  if (request.has_planned_use() && request.organization().empty()) {
    return InvalidFieldError("planned_use", request.has_profile()
                                                ? "only with `organization`; put the use's facts in `profile`"
                                                : "only with `organization`; a deployment records its own use");
  }

  std::string model = request.model();
  v1::UsageProfile profile;
  if (request.has_profile()) {
    profile = request.profile();
    MODELREG_RETURN_IF_ERROR(ValidateUsageProfile(profile, "profile"));
  } else if (!request.organization().empty()) {
    MODELREG_RETURN_IF_ERROR(
        WithReason(ParseOrganizationName(request.organization(), false, "organization").status(), "INVALID_NAME"));
    MODELREG_ASSIGN_OR_RETURN(v1::Organization organization,
                              governance_->GetOrganization(request.organization(), nullptr));
    profile = PlannedUseProfile(organization, request.planned_use());
    MODELREG_RETURN_IF_ERROR(ValidateUsageProfile(profile, "planned_use"));
  } else {
    MODELREG_ASSIGN_OR_RETURN(
        OrganizationChild name,
        WithReason(ParseOrganizationChildName(request.deployment(), "deployments", "deployment"), "INVALID_NAME"));
    MODELREG_ASSIGN_OR_RETURN(v1::Deployment deployment, governance_->GetDeployment(request.deployment()));
    MODELREG_ASSIGN_OR_RETURN(v1::Organization organization,
                              governance_->GetOrganization(OrganizationName(name.organization), nullptr));
    profile = DeploymentProfile(organization, deployment);
    // Without `model`, the deployment's own model; the adapter authorized only the request's names.
    if (model.empty()) {
      model = deployment.model();
      MODELREG_RETURN_IF_ERROR(Authorize(actor, Action::kRead, model));
    }
  }
  MODELREG_RETURN_IF_ERROR(WithReason(ParseModelName(model, "model").status(), "INVALID_NAME"));
  profile.set_country(absl::AsciiStrToUpper(profile.country()));
  MODELREG_ASSIGN_OR_RETURN(v1::CheckUsageResponse response, Check(model, std::move(profile), nullptr));
  if (!request.has_profile()) {
    const char* use_field = request.organization().empty() ? "deployment" : "planned_use";
    for (v1::UsageFinding& finding : *response.mutable_findings()) AttributeMissingFact(use_field, finding);
  }
  return response;
}

absl::StatusOr<std::optional<v1::Model>> UsageService::FindModel(const std::string& name, Transaction* tx) {
  if (tx != nullptr) {
    MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Model> found, governance_->GetModels({name}, tx));
    if (found.empty()) return std::optional<v1::Model>();
    return std::optional<v1::Model>(std::move(found[0]));
  }
  absl::StatusOr<v1::Model> found = models_->Get(name);
  if (found.ok()) return std::optional<v1::Model>(*std::move(found));
  if (absl::IsNotFound(found.status())) return std::optional<v1::Model>();
  return found.status();
}

absl::StatusOr<v1::CheckUsageResponse> UsageService::Check(const std::string& model_name, v1::UsageProfile profile,
                                                           Transaction* tx) {
  MODELREG_ASSIGN_OR_RETURN(std::optional<v1::Model> model, FindModel(model_name, tx));
  if (!model.has_value()) return absl::NotFoundError(absl::StrCat("`", model_name, "` not found"));
  MODELREG_ASSIGN_OR_RETURN(Lineage lineage,
                            WalkLineage(*model, [this, tx](const std::string& name) { return FindModel(name, tx); }));

  std::set<std::string> names;
  if (!model->weights().license().empty()) names.insert(model->weights().license());
  for (const v1::Model& ancestor : lineage.ancestors) {
    if (!ancestor.weights().license().empty()) names.insert(ancestor.weights().license());
  }
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::License> found,
                            licenses_->GetMany(std::vector<std::string>(names.begin(), names.end()), tx));
  LicenseMap licenses;
  for (v1::License& license : found) {
    std::string name = license.name();
    licenses.emplace(std::move(name), std::move(license));
  }

  UsageCheck check = ::modelreg::CheckUsage(*model, lineage, licenses, profile);
  v1::CheckUsageResponse response;
  response.set_verdict(check.verdict);
  for (v1::UsageFinding& finding : check.findings) *response.add_findings() = std::move(finding);
  *response.mutable_profile() = std::move(profile);
  for (const v1::Model& ancestor : lineage.ancestors) response.add_lineage(ancestor.name());
  return response;
}

}  // namespace modelreg

// GovernanceService: policy evaluation (shared by enforcement and reports) and EvaluateCompliance. Computed on read:
// a report evaluates the policies on the models as they are now, so a change of a model's facts or of a license
// (which reassesses its models) shows in the next report; with a read_time, the same evaluation over the records of
// then (GovernanceRepository::RunAsOf).
#include <algorithm>
#include <set>
#include <utility>

#include "server/common/errors.h"
#include "server/common/status_macros.h"
#include "server/domain/governance/usage_profile.h"
#include "server/domain/names.h"
#include "server/domain/query/governance_query.h"
#include "server/domain/validation.h"
#include "server/service/governance_service.h"
#include "server/service/resource_state.h"

namespace modelreg {

absl::StatusOr<std::vector<std::vector<PolicyResult>>> GovernanceService::EvaluatePolicies(
    const std::string& organization_id, const std::vector<std::string>& models, Transaction* tx) {
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Policy> policies, governance_->LivePolicies(organization_id, tx));
  std::vector<std::string> distinct = models;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<std::vector<PolicyResult>> results(models.size());
  for (const v1::Policy& policy : policies) {
    // Checked when saved; a filter that no longer checks (a field removed by a later version) fails closed.
    absl::StatusOr<CheckedFilter> filter = CheckPolicyFilter(policy.filter(), "filter");
    std::set<std::string> satisfying;
    if (filter.ok()) {
      MODELREG_ASSIGN_OR_RETURN(satisfying, governance_->ModelsSatisfying(*filter, distinct, tx));
    }
    for (size_t i = 0; i < models.size(); ++i) {
      PolicyResult result;
      result.policy = policy;
      result.satisfied = filter.ok() && satisfying.count(models[i]) > 0;
      if (!filter.ok()) result.filter_error = std::string(filter.status().message());
      results[i].push_back(std::move(result));
    }
  }
  return results;
}

absl::StatusOr<UsageResult> GovernanceService::CheckDeploymentUsage(const v1::Organization& organization,
                                                                    const v1::Deployment& deployment, Transaction* tx) {
  absl::StatusOr<v1::CheckUsageResponse> check =
      usage_->Check(deployment.model(), DeploymentProfile(organization, deployment), tx);
  UsageResult result;
  if (absl::IsNotFound(check.status())) {
    result.verdict = v1::VERDICT_UNKNOWN;
    v1::UsageFinding& finding = result.findings.emplace_back();
    finding.set_verdict(v1::VERDICT_UNKNOWN);
    finding.set_model(deployment.model());
    finding.set_missing_fact("model");
    finding.set_action("the deployed model is no longer in the registry; record it again or retire the deployment");
    return result;
  }
  if (!check.ok()) return check.status();
  result.verdict = check->verdict();
  result.findings.assign(check->findings().begin(), check->findings().end());
  for (v1::UsageFinding& finding : result.findings) AttributeMissingFact("deployment", finding);
  return result;
}

absl::StatusOr<v1::EvaluateComplianceResponse> GovernanceService::EvaluateCompliance(
    const v1::EvaluateComplianceRequest& request, const Principal& /*actor*/) {
  MODELREG_ASSIGN_OR_RETURN(
      std::string organization,
      WithReason(ParseOrganizationName(request.organization(), false, "organization"), "INVALID_NAME"));
  if (!request.has_read_time()) return Report(request, organization, nullptr, Now());
  MODELREG_RETURN_IF_ERROR(CheckPastReadTime(request.read_time(), Now()));
  MODELREG_RETURN_IF_ERROR(CheckReadTimeRetained(request.read_time(), absl::Now(), revision_retention_));
  // The same report, every read inside a transaction that sees the records of then.
  absl::StatusOr<v1::EvaluateComplianceResponse> response;
  MODELREG_RETURN_IF_ERROR(governance_->RunAsOf(request.read_time(), [&](Transaction& tx) -> absl::Status {
    response = Report(request, organization, &tx, request.read_time());
    return response.status();
  }));
  return response;
}

absl::StatusOr<v1::EvaluateComplianceResponse> GovernanceService::Report(const v1::EvaluateComplianceRequest& request,
                                                                         const std::string& organization,
                                                                         Transaction* tx,
                                                                         const google::protobuf::Timestamp& time) {
  MODELREG_ASSIGN_OR_RETURN(v1::Organization org, governance_->GetOrganization(request.organization(), tx));
  // The deployments evaluated are a ListDeployments page under the organization (its token, filter and page size);
  // the store's List joins `tx`.
  MODELREG_ASSIGN_OR_RETURN(ListQuery query, CompileEvaluateCompliance(request));
  MODELREG_ASSIGN_OR_RETURN(Page<v1::Deployment> page, governance_->ListDeployments(query));
  std::vector<std::string> models;
  models.reserve(page.items.size());
  for (const v1::Deployment& deployment : page.items) models.push_back(deployment.model());
  MODELREG_ASSIGN_OR_RETURN(std::vector<std::vector<PolicyResult>> policies,
                            EvaluatePolicies(organization, models, tx));
  v1::EvaluateComplianceResponse response;
  *response.mutable_evaluate_time() = time;
  for (size_t i = 0; i < page.items.size(); ++i) {
    MODELREG_ASSIGN_OR_RETURN(UsageResult usage, CheckDeploymentUsage(org, page.items[i], tx));
    *response.add_rows() = AssessDeployment(page.items[i], policies[i], usage);
  }
  if (page.next_key) response.set_next_page_token(MakeNextPageToken(request, *page.next_key));
  return response;
}

}  // namespace modelreg

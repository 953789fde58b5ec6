// Domain logic of the Governance API: organizations, their deployments (the model inventory) and policies, the
// enforcement of policies and usage checks on deployments, and compliance reports, over the governance store and the
// usage checker. Transport-
// agnostic: absl::Status in and out. Every method takes the acting principal (authorized by the gRPC adapter);
// Lists across organizations are narrowed to those the principal may read, and a deployment may only name a model
// the principal may read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "modelreg/v1/governance.pb.h"
#include "server/domain/auth/auth.h"
#include "server/domain/governance/compliance.h"
#include "server/service/idempotent_calls.h"
#include "server/service/usage_service.h"
#include "server/storage/repositories.h"

namespace modelreg {

class GovernanceService {
 public:
  // `usage` checks each deployment's use against the license terms (enforcement and compliance reports); `calls`
  // makes the mutations idempotent per request_id.
  GovernanceService(GovernanceRepository* governance, UsageService* usage,
                    IdempotentCalls* calls = &IdempotentCalls::Unrecorded())
      : governance_(governance), usage_(usage), calls_(calls) {}

  // modelregd --revision-retention (zero: unlimited): a List or report as of an earlier time is OUT_OF_RANGE.
  void set_revision_retention(absl::Duration retention) { revision_retention_ = retention; }

  // INVALID_ARGUMENT, ALREADY_EXISTS.
  absl::StatusOr<v1::Organization> CreateOrganization(const v1::CreateOrganizationRequest& request,
                                                      const Principal& actor = Principal::System());
  // INVALID_ARGUMENT, NOT_FOUND.
  absl::StatusOr<v1::Organization> GetOrganization(const v1::GetOrganizationRequest& request,
                                                   const Principal& actor = Principal::System());
  // INVALID_ARGUMENT, NOT_FOUND (missing or soft-deleted), ABORTED (stale etag).
  absl::StatusOr<v1::Organization> UpdateOrganization(const v1::UpdateOrganizationRequest& request,
                                                      const Principal& actor = Principal::System());
  // INVALID_ARGUMENT, NOT_FOUND, ABORTED, FAILED_PRECONDITION (ORGANIZATION_IN_USE: a live deployment or policy).
  absl::StatusOr<v1::Organization> DeleteOrganization(const v1::DeleteOrganizationRequest& request,
                                                      const Principal& actor = Principal::System());
  // INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION (not deleted), ABORTED.
  absl::StatusOr<v1::Organization> UndeleteOrganization(const v1::UndeleteOrganizationRequest& request,
                                                        const Principal& actor = Principal::System());
  // INVALID_ARGUMENT.
  absl::StatusOr<v1::ListOrganizationsResponse> ListOrganizations(const v1::ListOrganizationsRequest& request,
                                                                  const Principal& actor = Principal::System());

  // INVALID_ARGUMENT (bad field, UNKNOWN_MODEL, MODEL_DELETED), PERMISSION_DENIED (the model is not readable),
  // NOT_FOUND (organization), ALREADY_EXISTS, FAILED_PRECONDITION (DEPLOYMENT_BLOCKED).
  absl::StatusOr<v1::Deployment> CreateDeployment(const v1::CreateDeploymentRequest& request,
                                                  const Principal& actor = Principal::System());
  absl::StatusOr<v1::Deployment> GetDeployment(const v1::GetDeploymentRequest& request,
                                               const Principal& actor = Principal::System());
  // As CreateDeployment, plus NOT_FOUND (missing or soft-deleted) and ABORTED (stale etag).
  absl::StatusOr<v1::Deployment> UpdateDeployment(const v1::UpdateDeploymentRequest& request,
                                                  const Principal& actor = Principal::System());
  absl::StatusOr<v1::Deployment> DeleteDeployment(const v1::DeleteDeploymentRequest& request,
                                                  const Principal& actor = Principal::System());
  // Checked as CreateDeployment when the deployment is PROPOSED or APPROVED.
  absl::StatusOr<v1::Deployment> UndeleteDeployment(const v1::UndeleteDeploymentRequest& request,
                                                    const Principal& actor = Principal::System());
  absl::StatusOr<v1::ListDeploymentsResponse> ListDeployments(const v1::ListDeploymentsRequest& request,
                                                              const Principal& actor = Principal::System());

  // INVALID_ARGUMENT (`policy.filter` not a model filter, `policy.mode` unset), NOT_FOUND (organization),
  // ALREADY_EXISTS.
  absl::StatusOr<v1::Policy> CreatePolicy(const v1::CreatePolicyRequest& request,
                                          const Principal& actor = Principal::System());
  absl::StatusOr<v1::Policy> GetPolicy(const v1::GetPolicyRequest& request,
                                       const Principal& actor = Principal::System());
  absl::StatusOr<v1::Policy> UpdatePolicy(const v1::UpdatePolicyRequest& request,
                                          const Principal& actor = Principal::System());
  absl::StatusOr<v1::Policy> DeletePolicy(const v1::DeletePolicyRequest& request,
                                          const Principal& actor = Principal::System());
  absl::StatusOr<v1::Policy> UndeletePolicy(const v1::UndeletePolicyRequest& request,
                                            const Principal& actor = Principal::System());
  absl::StatusOr<v1::ListPoliciesResponse> ListPolicies(const v1::ListPoliciesRequest& request,
                                                        const Principal& actor = Principal::System());

  // INVALID_ARGUMENT (organization, filter, page_token, page_size, read_time in the future), NOT_FOUND (organization;
  // with a read_time, one that did not exist then).
  absl::StatusOr<v1::EvaluateComplianceResponse> EvaluateCompliance(const v1::EvaluateComplianceRequest& request,
                                                                    const Principal& actor = Principal::System());

 private:
  // The live policies of organization `organization_id` evaluated on each of `models` (inside `tx` when given):
  // results[i] are the policy results of models[i].
  absl::StatusOr<std::vector<std::vector<PolicyResult>>> EvaluatePolicies(const std::string& organization_id,
                                                                          const std::vector<std::string>& models,
                                                                          Transaction* tx);
  // The enforcement of a write that creates or approves `deployment` (inside the store's transaction `tx`, the
  // organization locked): CheckModel, then with `new_override`, stamps the override (principal, time, the violations it
  // accepts); otherwise FAILED_PRECONDITION (DEPLOYMENT_BLOCKED) for blocking violations its stored override does not
  // accept.
  absl::Status Enforce(Transaction& tx, v1::Deployment& deployment, bool new_override, const Principal& actor);
  // The model a deployment names must be readable by `actor` (PERMISSION_DENIED), exist (UNKNOWN_MODEL) and be live
  // (MODEL_DELETED); `field` is its request path. Read inside `tx`.
  absl::Status CheckModel(Transaction& tx, const std::string& model, const std::string& field, const Principal& actor);

  // The compliance report of the page of `request` over the deployments of organization `organization` (its id),
  // reading inside `tx` when given (as of a time: RunAsOf), its evaluate_time `time`.
  absl::StatusOr<v1::EvaluateComplianceResponse> Report(const v1::EvaluateComplianceRequest& request,
                                                        const std::string& organization, Transaction* tx,
                                                        const google::protobuf::Timestamp& time);
  // NOT_FOUND when `parent` names an organization that does not exist (`organizations/-` always does).
  absl::Status CheckParentExists(const std::string& parent);
  // The usage check of `deployment` (its organization's figures and its use), inside `tx` when given. A model that
  // no longer exists gives an UNKNOWN verdict naming it, not an error: a report still lists the deployment.
  absl::StatusOr<UsageResult> CheckDeploymentUsage(const v1::Organization& organization,
                                                   const v1::Deployment& deployment, Transaction* tx);

  GovernanceRepository* governance_;
  UsageService* usage_;
  IdempotentCalls* calls_;
  absl::Duration revision_retention_ = absl::ZeroDuration();
};

}  // namespace modelreg

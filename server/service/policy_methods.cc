// GovernanceService: policies. A policy's filter is a model filter, checked against the model kind when the policy is
// saved (INVALID_ARGUMENT naming `policy.filter`).
#include <utility>

#include "server/common/status_macros.h"
#include "server/domain/field_mask.h"
#include "server/domain/query/governance_query.h"
#include "server/domain/validation.h"
#include "server/service/governance_common.h"
#include "server/service/governance_service.h"
#include "server/service/resource_state.h"

namespace modelreg {
namespace {

using governance_internal::CheckId;
using governance_internal::ParseChild;

absl::Status Check(v1::Policy& policy) {
  ClearStandardOutputFields(policy);
  MODELREG_RETURN_IF_ERROR(ValidatePolicy(policy, "policy"));
  return CheckPolicyFilter(policy.filter(), "policy.filter").status();
}

}  // namespace

absl::StatusOr<v1::Policy> GovernanceService::CreatePolicy(const v1::CreatePolicyRequest& request,
                                                           const Principal& actor) {
  return calls_->Run<v1::Policy>(actor, request, [&]() -> absl::StatusOr<v1::Policy> {
    MODELREG_ASSIGN_OR_RETURN(std::string organization,
                              WithReason(ParseOrganizationName(request.parent(), false, "parent"), "INVALID_NAME"));
    MODELREG_RETURN_IF_ERROR(CheckId("policy_id", request.policy_id()));
    v1::Policy policy = request.policy();
    policy.set_name(OrganizationChildName(organization, "policies", request.policy_id()));
    MODELREG_RETURN_IF_ERROR(Check(policy));
    return governance_->CreatePolicy(policy, [](Transaction&, v1::Policy&) { return absl::OkStatus(); });
  });
}

absl::StatusOr<v1::Policy> GovernanceService::GetPolicy(const v1::GetPolicyRequest& request,
                                                        const Principal& /*actor*/) {
  MODELREG_RETURN_IF_ERROR(ParseChild(request.name(), "policies", "name").status());
  return governance_->GetPolicy(request.name());
}

absl::StatusOr<v1::Policy> GovernanceService::UpdatePolicy(const v1::UpdatePolicyRequest& request,
                                                           const Principal& actor) {
  return calls_->Run<v1::Policy>(actor, request, [&]() -> absl::StatusOr<v1::Policy> {
    const v1::Policy& patch = request.policy();
    MODELREG_RETURN_IF_ERROR(ParseChild(patch.name(), "policies", "policy.name").status());
    return governance_->UpdatePolicy(patch.name(), [&](Transaction&, v1::Policy& stored) -> absl::Status {
      MODELREG_RETURN_IF_ERROR(CheckEtag(patch.etag(), stored.etag(), patch.name()));
      MODELREG_RETURN_IF_ERROR(CheckLive(stored.delete_time(), patch.name()));
      MODELREG_RETURN_IF_ERROR(ApplyFieldMask(request.update_mask(), patch, StandardImmutableFields(), &stored));
      return Check(stored);
    });
  });
}

absl::StatusOr<v1::Policy> GovernanceService::DeletePolicy(const v1::DeletePolicyRequest& request,
                                                           const Principal& actor) {
  return calls_->Run<v1::Policy>(actor, request, [&]() -> absl::StatusOr<v1::Policy> {
    MODELREG_RETURN_IF_ERROR(ParseChild(request.name(), "policies", "name").status());
    return governance_->UpdatePolicy(request.name(), [&](Transaction&, v1::Policy& stored) -> absl::Status {
      MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), stored.etag(), request.name()));
      MODELREG_RETURN_IF_ERROR(CheckLive(stored.delete_time(), request.name()));
      *stored.mutable_delete_time() = Now();
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<v1::Policy> GovernanceService::UndeletePolicy(const v1::UndeletePolicyRequest& request,
                                                             const Principal& actor) {
  return calls_->Run<v1::Policy>(actor, request, [&]() -> absl::StatusOr<v1::Policy> {
    MODELREG_RETURN_IF_ERROR(ParseChild(request.name(), "policies", "name").status());
    return governance_->UpdatePolicy(request.name(), [&](Transaction&, v1::Policy& stored) -> absl::Status {
      MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), stored.etag(), request.name()));
      MODELREG_RETURN_IF_ERROR(CheckDeleted(stored.delete_time(), request.name()));
      stored.clear_delete_time();
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<v1::ListPoliciesResponse> GovernanceService::ListPolicies(const v1::ListPoliciesRequest& request,
                                                                         const Principal& actor) {
  MODELREG_ASSIGN_OR_RETURN(ListQuery query, CompileListPolicies(request));
  MODELREG_RETURN_IF_ERROR(CheckParentExists(request.parent()));
  if (const auto readable = ReadableOrganizations(actor); readable.has_value() && query.parent.empty()) {
    if (readable->empty()) return Authorize(actor, Action::kRead, request.parent());
    RestrictToOrganizations(*readable, query);
  }
  MODELREG_ASSIGN_OR_RETURN(Page<v1::Policy> page, governance_->ListPolicies(query));
  v1::ListPoliciesResponse response;
  for (auto& policy : page.items) *response.add_policies() = std::move(policy);
  if (page.next_key) response.set_next_page_token(MakeNextPageToken(request, *page.next_key));
  return response;
}

}  // namespace modelreg

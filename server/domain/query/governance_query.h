// Checks ListOrganizations / ListDeployments / ListPolicies requests into a ListQuery, and policy filters (a model
// filter, checked against the model kind). Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelreg/v1/governance.pb.h"
#include "server/domain/query/list_query.h"

namespace modelreg {

// INVALID_ARGUMENT naming the field (`parent`, `filter`, `order_by`, `page_token`, `page_size`). A parent of
// `organizations/-` lists every organization's children.
absl::StatusOr<ListQuery> CompileListOrganizations(const v1::ListOrganizationsRequest& request);
absl::StatusOr<ListQuery> CompileListDeployments(const v1::ListDeploymentsRequest& request);
absl::StatusOr<ListQuery> CompileListPolicies(const v1::ListPoliciesRequest& request);
// The deployments an EvaluateCompliance request evaluates: a ListDeployments query under its organization (filter,
// page size, page token), as of its read_time when set. INVALID_ARGUMENT as CompileListDeployments.
absl::StatusOr<ListQuery> CompileEvaluateCompliance(const v1::EvaluateComplianceRequest& request);

// Narrows a List of organizations, deployments or policies to those of `organization_ids` (the caller's readable
// organizations; not empty).
void RestrictToOrganizations(const std::vector<std::string>& organization_ids, ListQuery& query);

std::string MakeNextPageToken(const v1::ListOrganizationsRequest& request,
                              const std::vector<std::optional<std::string>>& last_key);
std::string MakeNextPageToken(const v1::ListDeploymentsRequest& request,
                              const std::vector<std::optional<std::string>>& last_key);
std::string MakeNextPageToken(const v1::ListPoliciesRequest& request,
                              const std::vector<std::optional<std::string>>& last_key);
std::string MakeNextPageToken(const v1::EvaluateComplianceRequest& request,
                              const std::vector<std::optional<std::string>>& last_key);

// A policy's filter: a non-empty ListModels filter. INVALID_ARGUMENT naming `field` (e.g. `policy.filter`) with the
// column and what was expected.
absl::StatusOr<CheckedFilter> CheckPolicyFilter(absl::string_view filter, absl::string_view field);

}  // namespace modelreg

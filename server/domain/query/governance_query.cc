#include "server/domain/query/governance_query.h"

#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"
#include "server/domain/query/filter_check.h"
#include "server/domain/query/filter_parser.h"
#include "server/domain/query/list_compile.h"
#include "server/domain/resource/deployment_kind.h"
#include "server/domain/resource/model_kind.h"
#include "server/domain/resource/organization_kind.h"
#include "server/domain/resource/policy_kind.h"

namespace modelreg {
namespace {

ListParams Params(const v1::ListOrganizationsRequest& r) {
  return {&OrganizationKind(), "", r.filter(), r.order_by(), r.show_deleted(), r.page_size(), r.page_token(), nullptr};
}
ListParams Params(const v1::ListDeploymentsRequest& r) {
  return {&DeploymentKind(), r.parent(),    r.filter(),     r.order_by(),
          r.show_deleted(),  r.page_size(), r.page_token(), nullptr};
}
// EvaluateCompliance evaluates a page of the organization's live deployments (ListDeployments' filter and paging) as
// of its read_time; a token of the report of now is also one of ListDeployments.
ListParams Params(const v1::EvaluateComplianceRequest& r) {
  return {&DeploymentKind(),
          r.organization(),
          r.filter(),
          "",
          false,
          r.page_size(),
          r.page_token(),
          r.has_read_time() ? &r.read_time() : nullptr};
}
ListParams Params(const v1::ListPoliciesRequest& r) {
  return {&PolicyKind(),    r.parent(),    r.filter(),     r.order_by(),
          r.show_deleted(), r.page_size(), r.page_token(), nullptr};
}

// A child kind's List: the parent restricts `organization` unless it is `organizations/-`.
absl::StatusOr<ListQuery> CompileChildList(const ListParams& params) {
  MODELREG_ASSIGN_OR_RETURN(std::string id, ParseOrganizationName(params.parent, /*allow_wildcard=*/true, "parent"));
  std::vector<Predicate> parent;
  if (id != "-") parent.push_back(EqualsPredicate(*params.kind, "organization", std::move(id)));
  return CompileListQuery(params, std::move(parent));
}

}  // namespace

absl::StatusOr<ListQuery> CompileListOrganizations(const v1::ListOrganizationsRequest& request) {
  return CompileListQuery(Params(request), {});
}
absl::StatusOr<ListQuery> CompileListDeployments(const v1::ListDeploymentsRequest& request) {
  return CompileChildList(Params(request));
}
absl::StatusOr<ListQuery> CompileListPolicies(const v1::ListPoliciesRequest& request) {
  return CompileChildList(Params(request));
}
absl::StatusOr<ListQuery> CompileEvaluateCompliance(const v1::EvaluateComplianceRequest& request) {
  return CompileChildList(Params(request));
}

void RestrictToOrganizations(const std::vector<std::string>& organization_ids, ListQuery& query) {
  RestrictTo(*query.kind, &*query.kind == &OrganizationKind() ? "name" : "organization", organization_ids, query);
}

std::string MakeNextPageToken(const v1::ListOrganizationsRequest& request,
                              const std::vector<std::optional<std::string>>& last_key) {
  return NextPageToken(Params(request), last_key);
}
std::string MakeNextPageToken(const v1::ListDeploymentsRequest& request,
                              const std::vector<std::optional<std::string>>& last_key) {
  return NextPageToken(Params(request), last_key);
}
std::string MakeNextPageToken(const v1::ListPoliciesRequest& request,
                              const std::vector<std::optional<std::string>>& last_key) {
  return NextPageToken(Params(request), last_key);
}
std::string MakeNextPageToken(const v1::EvaluateComplianceRequest& request,
                              const std::vector<std::optional<std::string>>& last_key) {
  return NextPageToken(Params(request), last_key);
}

absl::StatusOr<CheckedFilter> CheckPolicyFilter(absl::string_view filter, absl::string_view field) {
  if (absl::StripAsciiWhitespace(filter).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must not be empty; expected a model filter, e.g. `openness.level >= 3`"));
  }
  MODELREG_ASSIGN_OR_RETURN(std::unique_ptr<FilterNode> ast, ParseFilter(filter, field));
  return CheckFilter(*ast, ModelKind(), field);
}

}  // namespace modelreg

// GovernanceService: organizations.
#include <utility>

#include "absl/strings/ascii.h"
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

// Country codes are stored upper-case (`de` -> `DE`), then validated.
absl::Status Normalize(v1::Organization& organization) {
  ClearStandardOutputFields(organization);
  organization.set_country(absl::AsciiStrToUpper(organization.country()));
  return ValidateOrganization(organization, "organization");
}

}  // namespace

absl::StatusOr<v1::Organization> GovernanceService::CreateOrganization(const v1::CreateOrganizationRequest& request,
                                                                       const Principal& actor) {
  return calls_->Run<v1::Organization>(actor, request, [&]() -> absl::StatusOr<v1::Organization> {
    MODELREG_RETURN_IF_ERROR(CheckId("organization_id", request.organization_id()));
    v1::Organization organization = request.organization();
    organization.set_name(OrganizationName(request.organization_id()));
    MODELREG_RETURN_IF_ERROR(Normalize(organization));
    return governance_->CreateOrganization(organization);
  });
}

absl::Status GovernanceService::CheckParentExists(const std::string& parent) {
  if (parent == "organizations/-") return absl::OkStatus();
  return governance_->GetOrganization(parent, nullptr).status();
}

absl::StatusOr<v1::Organization> GovernanceService::GetOrganization(const v1::GetOrganizationRequest& request,
                                                                    const Principal& /*actor*/) {
  MODELREG_RETURN_IF_ERROR(WithReason(ParseOrganizationName(request.name(), false).status(), "INVALID_NAME"));
  return governance_->GetOrganization(request.name(), nullptr);
}

absl::StatusOr<v1::Organization> GovernanceService::UpdateOrganization(const v1::UpdateOrganizationRequest& request,
                                                                       const Principal& actor) {
  return calls_->Run<v1::Organization>(actor, request, [&]() -> absl::StatusOr<v1::Organization> {
    const v1::Organization& patch = request.organization();
    MODELREG_RETURN_IF_ERROR(
        WithReason(ParseOrganizationName(patch.name(), false, "organization.name").status(), "INVALID_NAME"));
    return governance_->UpdateOrganization(patch.name(), [&](Transaction&, v1::Organization& stored) -> absl::Status {
      MODELREG_RETURN_IF_ERROR(CheckEtag(patch.etag(), stored.etag(), patch.name()));
      MODELREG_RETURN_IF_ERROR(CheckLive(stored.delete_time(), patch.name()));
      MODELREG_RETURN_IF_ERROR(ApplyFieldMask(request.update_mask(), patch, StandardImmutableFields(), &stored));
      return Normalize(stored);
    });
  });
}

absl::StatusOr<v1::Organization> GovernanceService::DeleteOrganization(const v1::DeleteOrganizationRequest& request,
                                                                       const Principal& actor) {
  return calls_->Run<v1::Organization>(actor, request, [&]() -> absl::StatusOr<v1::Organization> {
    MODELREG_RETURN_IF_ERROR(WithReason(ParseOrganizationName(request.name(), false).status(), "INVALID_NAME"));
    return governance_->UpdateOrganization(request.name(), [&](Transaction&, v1::Organization& stored) -> absl::Status {
      MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), stored.etag(), request.name()));
      MODELREG_RETURN_IF_ERROR(CheckLive(stored.delete_time(), request.name()));
      *stored.mutable_delete_time() = Now();
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<v1::Organization> GovernanceService::UndeleteOrganization(const v1::UndeleteOrganizationRequest& request,
                                                                         const Principal& actor) {
  return calls_->Run<v1::Organization>(actor, request, [&]() -> absl::StatusOr<v1::Organization> {
    MODELREG_RETURN_IF_ERROR(WithReason(ParseOrganizationName(request.name(), false).status(), "INVALID_NAME"));
    return governance_->UpdateOrganization(request.name(), [&](Transaction&, v1::Organization& stored) -> absl::Status {
      MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), stored.etag(), request.name()));
      MODELREG_RETURN_IF_ERROR(CheckDeleted(stored.delete_time(), request.name()));
      stored.clear_delete_time();
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<v1::ListOrganizationsResponse> GovernanceService::ListOrganizations(
    const v1::ListOrganizationsRequest& request, const Principal& actor) {
  MODELREG_ASSIGN_OR_RETURN(ListQuery query, CompileListOrganizations(request));
  if (const auto readable = ReadableOrganizations(actor); readable.has_value()) {
    if (readable->empty()) return Authorize(actor, Action::kRead, "organizations/-");
    RestrictToOrganizations(*readable, query);
  }
  MODELREG_ASSIGN_OR_RETURN(Page<v1::Organization> page, governance_->ListOrganizations(query));
  v1::ListOrganizationsResponse response;
  for (auto& organization : page.items) *response.add_organizations() = std::move(organization);
  if (page.next_key) response.set_next_page_token(MakeNextPageToken(request, *page.next_key));
  return response;
}

}  // namespace modelreg

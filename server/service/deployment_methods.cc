// GovernanceService: deployments, and the enforcement of policies when a deployment is created or approved.
//
// Which writes are checked (Enforce): creating a deployment in state PROPOSED or APPROVED; an update whose result is
// PROPOSED or APPROVED when the state, the model, the use (hosting, purpose category, product users, distribute-as,
// outputs used for training, distillation) or the override changes; undeleting a PROPOSED or APPROVED deployment.
// Every checked write also checks the model: readable by the caller, existing and live. A deployment
// created as REJECTED or RETIRED records a decision, not a use, and is not checked. A write that carries a new
// override (a justification other than the stored one) is never blocked: the override records who accepted which
// violations, and when.
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
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
using governance_internal::MaskCovers;
using governance_internal::ParseChild;

bool CheckedAtCreation(v1::Deployment::State state) {
  return state == v1::Deployment::STATE_PROPOSED || state == v1::Deployment::STATE_APPROVED;
}

// The facts of the use that the policies and the usage check depend on.
v1::Deployment UseOf(const v1::Deployment& d) {
  v1::Deployment use;
  use.set_model(d.model());
  use.set_hosting(d.hosting());
  use.set_purpose_category(d.purpose_category());
  if (d.has_product_monthly_active_users()) use.set_product_monthly_active_users(d.product_monthly_active_users());
  use.set_distribute_as(d.distribute_as());
  if (d.has_train_on_outputs()) use.set_train_on_outputs(d.train_on_outputs());
  if (d.has_distillation()) use.set_distillation(d.distillation());
  return use;
}

bool Same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// An override as the client sends it: only its justification; who and when are the server's.
void KeepJustificationOnly(v1::Deployment& deployment) {
  if (!deployment.has_override()) return;
  std::string justification = deployment.override().justification();
  deployment.clear_override();
  if (!justification.empty()) deployment.mutable_override()->set_justification(std::move(justification));
}

}  // namespace

absl::Status GovernanceService::CheckModel(Transaction& tx, const std::string& model, const std::string& field,
                                           const Principal& actor) {
  MODELREG_RETURN_IF_ERROR(Authorize(actor, Action::kRead, model));
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Model> found, governance_->GetModels({model}, &tx));
  if (found.empty()) {
    return InvalidFieldError(field, absl::StrCat("unknown model `", model, "`; create it first"), "UNKNOWN_MODEL");
  }
  if (found[0].has_delete_time()) {
    return InvalidFieldError(field, absl::StrCat("model `", model, "` is deleted"), "MODEL_DELETED");
  }
  return absl::OkStatus();
}

absl::Status GovernanceService::Enforce(Transaction& tx, v1::Deployment& deployment, bool new_override,
                                        const Principal& actor) {
  MODELREG_RETURN_IF_ERROR(CheckModel(tx, deployment.model(), "deployment.model", actor));
  MODELREG_ASSIGN_OR_RETURN(OrganizationChild name, ParseOrganizationChildName(deployment.name(), "deployments"));
  MODELREG_ASSIGN_OR_RETURN(std::vector<std::vector<PolicyResult>> policies,
                            EvaluatePolicies(name.organization, {deployment.model()}, &tx));
  MODELREG_ASSIGN_OR_RETURN(v1::Organization organization,
                            governance_->GetOrganization(OrganizationName(name.organization), &tx));
  MODELREG_ASSIGN_OR_RETURN(UsageResult usage, CheckDeploymentUsage(organization, deployment, &tx));
  const std::vector<Violation> violations = BlockingViolations(deployment, policies[0], usage);
  if (new_override) {
    v1::Deployment::Override* override = deployment.mutable_override();
    override->set_principal(actor.name);
    *override->mutable_create_time() = Now();
    override->clear_violations();
    for (const Violation& v : violations) override->add_violations(v.description);
    return absl::OkStatus();
  }
  const std::vector<Violation> unaccepted = Unaccepted(violations, deployment.override());
  if (!unaccepted.empty()) return BlockedError(deployment.name(), unaccepted);
  return absl::OkStatus();
}

absl::StatusOr<v1::Deployment> GovernanceService::CreateDeployment(const v1::CreateDeploymentRequest& request,
                                                                   const Principal& actor) {
  return calls_->Run<v1::Deployment>(actor, request, [&]() -> absl::StatusOr<v1::Deployment> {
    MODELREG_ASSIGN_OR_RETURN(std::string organization,
                              WithReason(ParseOrganizationName(request.parent(), false, "parent"), "INVALID_NAME"));
    MODELREG_RETURN_IF_ERROR(CheckId("deployment_id", request.deployment_id()));
    v1::Deployment deployment = request.deployment();
    deployment.set_name(OrganizationChildName(organization, "deployments", request.deployment_id()));
    ClearStandardOutputFields(deployment);
    KeepJustificationOnly(deployment);
    const bool new_override = deployment.has_override();
    if (deployment.state() == v1::Deployment::STATE_UNSPECIFIED) deployment.set_state(v1::Deployment::STATE_PROPOSED);
    MODELREG_RETURN_IF_ERROR(ValidateDeployment(deployment, "deployment"));
    return governance_->CreateDeployment(deployment, [&](Transaction& tx, v1::Deployment& created) -> absl::Status {
      if (!CheckedAtCreation(created.state()) && !new_override) {
        return CheckModel(tx, created.model(), "deployment.model", actor);
      }
      return Enforce(tx, created, new_override, actor);
    });
  });
}

absl::StatusOr<v1::Deployment> GovernanceService::GetDeployment(const v1::GetDeploymentRequest& request,
                                                                const Principal& /*actor*/) {
  MODELREG_RETURN_IF_ERROR(ParseChild(request.name(), "deployments", "name").status());
  return governance_->GetDeployment(request.name());
}

absl::StatusOr<v1::Deployment> GovernanceService::UpdateDeployment(const v1::UpdateDeploymentRequest& request,
                                                                   const Principal& actor) {
  return calls_->Run<v1::Deployment>(actor, request, [&]() -> absl::StatusOr<v1::Deployment> {
    const v1::Deployment& patch = request.deployment();
    MODELREG_RETURN_IF_ERROR(ParseChild(patch.name(), "deployments", "deployment.name").status());
    // Who made an override, when, and what it accepted are the server's: only the justification is the caller's.
    for (const std::string& path : request.update_mask().paths()) {
      if (path.rfind("override.", 0) == 0 && path != "override.justification") {
        return InvalidFieldError("update_mask", absl::StrCat("`", path,
                                                             "` is set by the server; name `override` or "
                                                             "`override.justification`"));
      }
    }
    return governance_->UpdateDeployment(patch.name(), [&](Transaction& tx, v1::Deployment& stored) -> absl::Status {
      MODELREG_RETURN_IF_ERROR(CheckEtag(patch.etag(), stored.etag(), patch.name()));
      MODELREG_RETURN_IF_ERROR(CheckLive(stored.delete_time(), patch.name()));
      const v1::Deployment before = stored;
      MODELREG_RETURN_IF_ERROR(ApplyFieldMask(request.update_mask(), patch, StandardImmutableFields(), &stored));
      bool new_override = false;
      if (MaskCovers(request.update_mask(), "override")) {
        const std::string& justification = patch.override().justification();
        if (justification.empty()) {
          stored.clear_override();
        } else if (justification == before.override().justification()) {
          *stored.mutable_override() = before.override();  // the stored override, as it was made
        } else {
          KeepJustificationOnly(stored);
          new_override = true;
        }
      }
      if (stored.state() == v1::Deployment::STATE_UNSPECIFIED) {
        return InvalidFieldError("deployment.state",
                                 "must be set: STATE_PROPOSED, STATE_APPROVED, STATE_REJECTED or "
                                 "STATE_RETIRED");
      }
      MODELREG_RETURN_IF_ERROR(ValidateDeployment(stored, "deployment"));
      const bool changed = before.state() != stored.state() || !Same(UseOf(before), UseOf(stored)) ||
                           !Same(before.override(), stored.override());
      if (new_override || (CheckedAtCreation(stored.state()) && changed)) {
        return Enforce(tx, stored, new_override, actor);
      }
      if (stored.model() != before.model()) return CheckModel(tx, stored.model(), "deployment.model", actor);
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<v1::Deployment> GovernanceService::DeleteDeployment(const v1::DeleteDeploymentRequest& request,
                                                                   const Principal& actor) {
  return calls_->Run<v1::Deployment>(actor, request, [&]() -> absl::StatusOr<v1::Deployment> {
    MODELREG_RETURN_IF_ERROR(ParseChild(request.name(), "deployments", "name").status());
    return governance_->UpdateDeployment(request.name(), [&](Transaction&, v1::Deployment& stored) -> absl::Status {
      MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), stored.etag(), request.name()));
      MODELREG_RETURN_IF_ERROR(CheckLive(stored.delete_time(), request.name()));
      *stored.mutable_delete_time() = Now();
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<v1::Deployment> GovernanceService::UndeleteDeployment(const v1::UndeleteDeploymentRequest& request,
                                                                     const Principal& actor) {
  return calls_->Run<v1::Deployment>(actor, request, [&]() -> absl::StatusOr<v1::Deployment> {
    MODELREG_RETURN_IF_ERROR(ParseChild(request.name(), "deployments", "name").status());
    return governance_->UpdateDeployment(request.name(), [&](Transaction& tx, v1::Deployment& stored) -> absl::Status {
      MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), stored.etag(), request.name()));
      MODELREG_RETURN_IF_ERROR(CheckDeleted(stored.delete_time(), request.name()));
      stored.clear_delete_time();
      if (!CheckedAtCreation(stored.state())) return absl::OkStatus();
      return Enforce(tx, stored, /*new_override=*/false, actor);
    });
  });
}

absl::StatusOr<v1::ListDeploymentsResponse> GovernanceService::ListDeployments(
    const v1::ListDeploymentsRequest& request, const Principal& actor) {
  MODELREG_ASSIGN_OR_RETURN(ListQuery query, CompileListDeployments(request));
  MODELREG_RETURN_IF_ERROR(CheckParentExists(request.parent()));
  if (const auto readable = ReadableOrganizations(actor); readable.has_value() && query.parent.empty()) {
    if (readable->empty()) return Authorize(actor, Action::kRead, request.parent());
    RestrictToOrganizations(*readable, query);
  }
  MODELREG_ASSIGN_OR_RETURN(Page<v1::Deployment> page, governance_->ListDeployments(query));
  v1::ListDeploymentsResponse response;
  for (auto& deployment : page.items) *response.add_deployments() = std::move(deployment);
  if (page.next_key) response.set_next_page_token(MakeNextPageToken(request, *page.next_key));
  return response;
}

}  // namespace modelreg

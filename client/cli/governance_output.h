// Output formatting for the governance commands (`orgs`, `deployments`, `policies`, `compliance`): tables and detail
// views for people. Pure functions of the messages, like output.h (which holds RenderTable and the model and license
// views); nothing here does I/O.
#pragma once

#include <string>
#include <vector>

#include "modelreg/v1/deployment.pb.h"
#include "modelreg/v1/governance.pb.h"
#include "modelreg/v1/organization.pb.h"
#include "modelreg/v1/policy.pb.h"
#include "modelreg/v1/usage.pb.h"

namespace modelreg::cli {

// Short lowercase labels; "-" for an unspecified (or unknown) value.
std::string HostingLabel(v1::Hosting hosting);                               // "self-hosted", "provider-api"
std::string DeploymentStateLabel(v1::Deployment::State state);               // "proposed", "approved", ...
std::string PurposeCategoryLabel(v1::Deployment::PurposeCategory category);  // "customer-facing", ...
std::string PolicyModeLabel(v1::Policy::Mode mode);                          // "enforce", "audit"
std::string ComplianceStatusLabel(v1::ComplianceRow::Status status);         // "compliant", ..., "non-compliant"

// `orgs list` table: NAME, DISPLAY NAME, MAU, REVENUE/YR, COMMERCIAL, COUNTRY, AFFILIATES (a count). Unset figures
// are "unknown": the API never means zero by them.
std::string OrganizationsTable(const std::vector<v1::Organization>& organizations);
// `orgs get`: every figure ("unknown" when unset), then each affiliate with its figures, labels, revision and etag.
std::string OrganizationDetail(const v1::Organization& organization);

// `deployments list` table: NAME, MODEL (as PUBLISHER/MODEL), STATE, HOSTING, PURPOSE (the category), OWNER,
// OVERRIDE ("yes" when an override with a justification is stored).
std::string DeploymentsTable(const std::vector<v1::Deployment>& deployments);
// `deployments get`: the model, the use (hosting, purpose, product and its MAU, distribution, training on outputs,
// distillation), owner and state, the override (justification, principal, time, accepted violations) and labels.
std::string DeploymentDetail(const v1::Deployment& deployment);

// `policies list` table: NAME, MODE, FILTER, DESCRIPTION.
std::string PoliciesTable(const std::vector<v1::Policy>& policies);
// `policies get`: filter, mode, description, revision and etag.
std::string PolicyDetail(const v1::Policy& policy);

// `compliance` table: DEPLOYMENT, MODEL, STATE, STATUS, VERDICT, VIOLATIONS (the violated policies' ids, an audit
// policy's marked "(audit)"). Below it, when any row has some, the blocking violations of each deployment, as
// CreateDeployment would report them.
std::string ComplianceTable(const v1::EvaluateComplianceResponse& response);
// Whether any row of the report is STATUS_NON_COMPLIANT (the `compliance` command's exit code).
bool AnyNonCompliant(const v1::EvaluateComplianceResponse& response);

}  // namespace modelreg::cli

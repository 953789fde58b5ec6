// How a deployment stands against its organization's policies and its usage check: the pure part of policy
// enforcement (CreateDeployment, approval) and of compliance reports (EvaluateCompliance). The store evaluates each
// policy's filter on the deployed model (the query engine's SQL); these functions turn those results into violations,
// a compliance row and the enforcement decision. No I/O.
//
// Blocking violations: an ENFORCE policy the model does not satisfy (or whose filter no longer checks: fail closed),
// and a usage check of PROHIBITED or LICENSE_REQUIRED. AUDIT policies and an UNKNOWN usage check are reported, never
// blocking. A deployment's override accepts the blocking violations it recorded (Override.violations, compared as
// text): a later check passes when every blocking violation is among them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "modelreg/v1/deployment.pb.h"
#include "modelreg/v1/governance.pb.h"
#include "modelreg/v1/policy.pb.h"
#include "modelreg/v1/usage.pb.h"

namespace modelreg {

// One live policy of the deployment's organization, evaluated on the deployed model.
struct PolicyResult {
  v1::Policy policy;
  bool satisfied = false;
  // Set when the stored filter no longer checks against the model kind (the policy then counts as violated).
  std::string filter_error;
};

// The usage check of the deployment (the verdict and its findings).
struct UsageResult {
  v1::Verdict verdict = v1::VERDICT_UNSPECIFIED;
  std::vector<v1::UsageFinding> findings;
};

// One blocking violation, as CreateDeployment reports it in a google.rpc.PreconditionFailure.
struct Violation {
  std::string type;         // POLICY_VIOLATION or USAGE_VERDICT
  std::string subject;      // the policy's name, or the model whose license the finding comes from
  std::string description;  // the text an override records
};

// The compliance row of `deployment` (status, violated policies, usage verdict and findings, blocking violations). A
// REJECTED or RETIRED deployment is not in use: its row lists what it would violate, with status COMPLIANT.
v1::ComplianceRow AssessDeployment(const v1::Deployment& deployment, const std::vector<PolicyResult>& policies,
                                   const std::optional<UsageResult>& usage);

// The blocking violations behind a row (ENFORCE policies, a blocking usage verdict), in report order.
std::vector<Violation> BlockingViolations(const v1::Deployment& deployment, const std::vector<PolicyResult>& policies,
                                          const std::optional<UsageResult>& usage);

// Whether the usage verdict blocks a deployment: PROHIBITED or LICENSE_REQUIRED.
bool VerdictBlocks(v1::Verdict verdict);

// The violations `override` does not accept: all of them without a justification, else those not among
// override.violations.
std::vector<Violation> Unaccepted(const std::vector<Violation>& violations, const v1::Deployment::Override& override);

// FAILED_PRECONDITION, reason DEPLOYMENT_BLOCKED, one PreconditionFailure violation per entry of `violations` (not
// empty), naming `deployment` and how to proceed (an override with a justification).
absl::Status BlockedError(const std::string& deployment, const std::vector<Violation>& violations);

}  // namespace modelreg

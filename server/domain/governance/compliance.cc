#include "server/domain/governance/compliance.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/common/errors.h"

namespace modelreg {
namespace {

std::string ModeName(v1::Policy::Mode mode) {
  return mode == v1::Policy::MODE_ENFORCE ? "ENFORCE" : mode == v1::Policy::MODE_AUDIT ? "AUDIT" : "UNSPECIFIED";
}

std::string VerdictName(v1::Verdict verdict) {
  absl::string_view name = v1::Verdict_Name(verdict);
  absl::ConsumePrefix(&name, "VERDICT_");
  return std::string(name);
}

std::string PolicyViolationText(const v1::Deployment& deployment, const PolicyResult& result) {
  const v1::Policy& policy = result.policy;
  if (!result.filter_error.empty()) {
    return absl::StrCat("policy ", policy.name(), " (", ModeName(policy.mode()),
                        "): its filter no longer checks: ", result.filter_error);
  }
  return absl::StrCat("policy ", policy.name(), " (", ModeName(policy.mode()), "): ", deployment.model(),
                      " does not satisfy `", policy.filter(), "`");
}

std::string FindingText(const v1::UsageFinding& finding) {
  std::string text = absl::StrCat("usage check: ", VerdictName(finding.verdict()));
  if (!finding.license().empty()) absl::StrAppend(&text, ", ", finding.license());
  if (!finding.term().empty()) absl::StrAppend(&text, " ", finding.term());
  if (!finding.model().empty()) absl::StrAppend(&text, " (", finding.model(), ")");
  if (!finding.missing_fact().empty()) absl::StrAppend(&text, ": missing ", finding.missing_fact());
  if (!finding.action().empty()) absl::StrAppend(&text, ": ", finding.action());
  return text;
}

}  // namespace

bool VerdictBlocks(v1::Verdict verdict) {
  return verdict == v1::VERDICT_PROHIBITED || verdict == v1::VERDICT_LICENSE_REQUIRED;
}

std::vector<Violation> BlockingViolations(const v1::Deployment& deployment, const std::vector<PolicyResult>& policies,
                                          const std::optional<UsageResult>& usage) {
  std::vector<Violation> out;
  for (const PolicyResult& result : policies) {
    if (result.satisfied || result.policy.mode() != v1::Policy::MODE_ENFORCE) continue;
    out.push_back({"POLICY_VIOLATION", result.policy.name(), PolicyViolationText(deployment, result)});
  }
  if (usage.has_value() && VerdictBlocks(usage->verdict)) {
    for (const v1::UsageFinding& finding : usage->findings) {
      if (!VerdictBlocks(finding.verdict())) continue;
      out.push_back(
          {"USAGE_VERDICT", finding.model().empty() ? deployment.model() : finding.model(), FindingText(finding)});
    }
  }
  return out;
}

v1::ComplianceRow AssessDeployment(const v1::Deployment& deployment, const std::vector<PolicyResult>& policies,
                                   const std::optional<UsageResult>& usage) {
  v1::ComplianceRow row;
  row.set_deployment(deployment.name());
  row.set_model(deployment.model());
  row.set_state(deployment.state());
  bool audit_violated = false;
  for (const PolicyResult& result : policies) {
    if (result.satisfied) continue;
    v1::PolicyViolation* violation = row.add_violated_policies();
    violation->set_policy(result.policy.name());
    violation->set_mode(result.policy.mode());
    violation->set_filter(result.policy.filter());
    violation->set_description(result.policy.description());
    audit_violated = audit_violated || result.policy.mode() != v1::Policy::MODE_ENFORCE;
  }
  if (usage.has_value()) {
    row.set_verdict(usage->verdict);
    for (const v1::UsageFinding& finding : usage->findings) *row.add_findings() = finding;
  }
  const std::vector<Violation> blocking = BlockingViolations(deployment, policies, usage);
  for (const Violation& v : blocking) row.add_blocking_violations(v.description);
  // A REJECTED or RETIRED deployment records a decision, not a use: listed, never blocking.
  const bool in_use =
      deployment.state() != v1::Deployment::STATE_REJECTED && deployment.state() != v1::Deployment::STATE_RETIRED;
  row.set_status(v1::ComplianceRow::STATUS_COMPLIANT);
  if (in_use && !blocking.empty()) {
    row.set_status(Unaccepted(blocking, deployment.override()).empty() ? v1::ComplianceRow::STATUS_OVERRIDDEN
                                                                       : v1::ComplianceRow::STATUS_NON_COMPLIANT);
  } else if (in_use && (audit_violated || (usage.has_value() && usage->verdict == v1::VERDICT_UNKNOWN))) {
    row.set_status(v1::ComplianceRow::STATUS_REVIEW);
  }
  return row;
}

std::vector<Violation> Unaccepted(const std::vector<Violation>& violations, const v1::Deployment::Override& override) {
  if (override.justification().empty()) return violations;
  const std::set<std::string> accepted(override.violations().begin(), override.violations().end());
  std::vector<Violation> out;
  std::copy_if(violations.begin(), violations.end(), std::back_inserter(out),
               [&accepted](const Violation& v) { return accepted.count(v.description) == 0; });
  return out;
}

absl::Status BlockedError(const std::string& deployment, const std::vector<Violation>& violations) {
  absl::Status status = ErrorWithReason(
      absl::StatusCode::kFailedPrecondition, "DEPLOYMENT_BLOCKED",
      absl::StrCat(deployment, " is blocked by ", violations.size(),
                   violations.size() == 1 ? " violation: " : " violations, the first: ", violations[0].description,
                   "; to deploy anyway, set `override.justification`"));
  for (const Violation& v : violations) AddPreconditionViolation(status, v.type, v.subject, v.description);
  return status;
}

}  // namespace modelreg

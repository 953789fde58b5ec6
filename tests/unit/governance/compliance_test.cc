#include "server/domain/governance/compliance.h"

#include <gtest/gtest.h>

namespace modelreg {
namespace {

PolicyResult Result(const std::string& name, v1::Policy::Mode mode, bool satisfied) {
  PolicyResult r;
  r.policy.set_name("organizations/o/policies/" + name);
  r.policy.set_mode(mode);
  r.policy.set_filter("openness.level >= 3");
  r.satisfied = satisfied;
  return r;
}

UsageResult Usage(v1::Verdict verdict) {
  UsageResult u;
  u.verdict = verdict;
  v1::UsageFinding& f = u.findings.emplace_back();
  f.set_verdict(verdict);
  f.set_license("licenses/llama3.1");
  f.set_term("usage_thresholds[0]");
  return u;
}

v1::Deployment Deployment() {
  v1::Deployment d;
  d.set_name("organizations/o/deployments/d");
  d.set_model("publishers/p/models/m");
  d.set_state(v1::Deployment::STATE_APPROVED);
  return d;
}

TEST(Compliance, NothingViolatedIsCompliant) {
  const v1::ComplianceRow row =
      AssessDeployment(Deployment(), {Result("a", v1::Policy::MODE_ENFORCE, true)}, Usage(v1::VERDICT_ALLOWED));
  EXPECT_EQ(row.status(), v1::ComplianceRow::STATUS_COMPLIANT);
  EXPECT_EQ(row.verdict(), v1::VERDICT_ALLOWED);
  EXPECT_EQ(row.violated_policies_size(), 0);
}

TEST(Compliance, AuditViolationsAndUnknownVerdictsNeedReview) {
  EXPECT_EQ(
      AssessDeployment(Deployment(), {Result("a", v1::Policy::MODE_AUDIT, false)}, Usage(v1::VERDICT_ALLOWED)).status(),
      v1::ComplianceRow::STATUS_REVIEW);
  EXPECT_EQ(AssessDeployment(Deployment(), {}, Usage(v1::VERDICT_UNKNOWN)).status(), v1::ComplianceRow::STATUS_REVIEW);
}

TEST(Compliance, EnforceViolationsAndBlockingVerdictsAreNonCompliant) {
  const v1::ComplianceRow row = AssessDeployment(Deployment(), {Result("a", v1::Policy::MODE_ENFORCE, false)},
                                                 Usage(v1::VERDICT_LICENSE_REQUIRED));
  EXPECT_EQ(row.status(), v1::ComplianceRow::STATUS_NON_COMPLIANT);
  ASSERT_EQ(row.blocking_violations_size(), 2);
  EXPECT_EQ(AssessDeployment(Deployment(), {}, Usage(v1::VERDICT_PROHIBITED)).status(),
            v1::ComplianceRow::STATUS_NON_COMPLIANT);
  // A failed filter fails closed.
  PolicyResult broken = Result("b", v1::Policy::MODE_ENFORCE, false);
  broken.filter_error = "unknown field";
  const std::vector<Violation> violations = BlockingViolations(Deployment(), {broken}, std::nullopt);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].description.find("no longer checks"), std::string::npos);
}

TEST(Compliance, AnOverrideAcceptsTheViolationsItRecorded) {
  v1::Deployment d = Deployment();
  const std::vector<PolicyResult> policies = {Result("a", v1::Policy::MODE_ENFORCE, false)};
  const std::vector<Violation> violations = BlockingViolations(d, policies, std::nullopt);
  ASSERT_EQ(violations.size(), 1u);
  // Without a justification nothing is accepted.
  d.mutable_override()->add_violations(violations[0].description);
  EXPECT_EQ(Unaccepted(violations, d.override()).size(), 1u);
  d.mutable_override()->set_justification("accepted by legal");
  EXPECT_TRUE(Unaccepted(violations, d.override()).empty());
  EXPECT_EQ(AssessDeployment(d, policies, std::nullopt).status(), v1::ComplianceRow::STATUS_OVERRIDDEN);
  // A new violation is not covered.
  const std::vector<Violation> more =
      BlockingViolations(d, {policies[0], Result("b", v1::Policy::MODE_ENFORCE, false)}, std::nullopt);
  EXPECT_EQ(Unaccepted(more, d.override()).size(), 1u);
  EXPECT_EQ(AssessDeployment(d, {policies[0], Result("b", v1::Policy::MODE_ENFORCE, false)}, std::nullopt).status(),
            v1::ComplianceRow::STATUS_NON_COMPLIANT);
}

TEST(Compliance, RejectedAndRetiredDeploymentsAreNotInUse) {
  v1::Deployment d = Deployment();
  d.set_state(v1::Deployment::STATE_REJECTED);
  const v1::ComplianceRow row =
      AssessDeployment(d, {Result("a", v1::Policy::MODE_ENFORCE, false)}, Usage(v1::VERDICT_PROHIBITED));
  EXPECT_EQ(row.status(), v1::ComplianceRow::STATUS_COMPLIANT);
  EXPECT_EQ(row.blocking_violations_size(), 2) << "still listed";
  d.set_state(v1::Deployment::STATE_RETIRED);
  EXPECT_EQ(AssessDeployment(d, {}, Usage(v1::VERDICT_PROHIBITED)).status(), v1::ComplianceRow::STATUS_COMPLIANT);
}

TEST(Compliance, BlockedErrorListsEveryViolation) {
  const absl::Status status = BlockedError("organizations/o/deployments/d",
                                           {{"POLICY_VIOLATION", "organizations/o/policies/a", "policy a violated"},
                                            {"USAGE_VERDICT", "publishers/p/models/m", "usage check: PROHIBITED"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("2 violations"), absl::string_view::npos);
}

}  // namespace
}  // namespace modelreg

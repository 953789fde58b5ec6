#include "client/cli/governance_output.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "client/cli/output.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/number_format.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

// Governance labels join words with `-` ("customer-facing").
std::string Label(const std::string& name, absl::string_view prefix) { return EnumLabel(name, prefix, "-"); }

// An optional figure: "unknown" when unset (never zero), else grouped digits, with "US$" for money.
std::string Figure(bool has, int64_t value, bool dollars = false) {
  if (!has) return "unknown";
  return absl::StrCat(dollars ? "US$" : "", GroupDigits(value));
}

// An optional fact: "yes", "no" or "unknown".
std::string Fact(bool has, bool value) {
  if (!has) return "unknown";
  return value ? "yes" : "no";
}

// "publishers/meta-llama/models/llama-3.1-8b" -> "meta-llama/llama-3.1-8b" (the CLI's shorthand), to keep tables
// narrow; any other text as it is; "-" when empty.
std::string ShortModel(const std::string& name) {
  if (name.empty()) return "-";
  absl::StatusOr<ModelName> parsed = ParseModelName(name);
  return parsed.ok() ? absl::StrCat(parsed->publisher, "/", parsed->model) : name;
}

// A list table's NAME cell: soft-deleted resources are marked, as in `models list`.
std::string NameCell(const std::string& name, bool deleted) {
  return deleted ? absl::StrCat(name, " (deleted)") : name;
}

// Appends "Key:  value" lines with aligned values, skipping empty values (like output.cc's detail views).
class Lines {
 public:
  explicit Lines(int key_width = 18) : key_width_(key_width) {}
  void Field(absl::string_view key, absl::string_view value) {
    if (value.empty()) return;
    absl::StrAppend(&out_, absl::StrFormat("%-*s", key_width_, absl::StrCat(key, ":")), " ", value, "\n");
  }
  void Line(absl::string_view text) { absl::StrAppend(&out_, text, "\n"); }
  // "Labels:" and one sorted `key=value` line each; nothing when there are none.
  void Labels(const google::protobuf::Map<std::string, std::string>& labels) {
    if (labels.empty()) return;
    std::vector<std::string> pairs;
    for (const auto& [key, value] : labels) pairs.push_back(absl::StrCat(key, "=", value));
    std::sort(pairs.begin(), pairs.end());  // map order is unspecified; sorted output diffs well
    Line("Labels:");
    for (const std::string& pair : pairs) Line(absl::StrCat("  ", pair));
  }
  // The bookkeeping every governance resource carries.
  void Record(int64_t revision, const std::string& etag, const google::protobuf::Timestamp* create_time,
              const google::protobuf::Timestamp* update_time, const google::protobuf::Timestamp* delete_time) {
    if (revision > 0) Field("Revision", absl::StrCat(revision));
    Field("Etag", etag);
    if (create_time != nullptr) Field("Created", Timestamp(*create_time));
    if (update_time != nullptr) Field("Updated", Timestamp(*update_time));
    if (delete_time != nullptr) Field("DELETED", Timestamp(*delete_time));
  }
  const std::string& str() const { return out_; }

 private:
  int key_width_;
  std::string out_;
};

std::string AffiliateLine(const v1::Organization::Affiliate& a) {
  return absl::StrCat(a.display_name().empty() ? "(unnamed)" : a.display_name(), ": MAU ",
                      Figure(a.has_monthly_active_users(), a.monthly_active_users()), "; revenue/yr ",
                      Figure(a.has_annual_revenue_usd(), a.annual_revenue_usd(), true), "; revenue/mo ",
                      Figure(a.has_monthly_revenue_usd(), a.monthly_revenue_usd(), true));
}

// An override counts only with a justification (deployment.proto); anything else stored is shown, but is no override.
bool HasOverride(const v1::Deployment& d) { return d.has_override() && !d.override().justification().empty(); }

// "organizations/acme/policies/min-openness" -> "min-openness"; any other text as it is.
std::string PolicyId(const std::string& name) {
  absl::StatusOr<OrganizationChild> parsed = ParseOrganizationChildName(name, "policies");
  return parsed.ok() ? parsed->id : name;
}

}  // namespace

std::string HostingLabel(v1::Hosting hosting) { return Label(v1::Hosting_Name(hosting), "HOSTING_"); }

std::string DeploymentStateLabel(v1::Deployment::State state) {
  return Label(v1::Deployment::State_Name(state), "STATE_");
}

std::string PurposeCategoryLabel(v1::Deployment::PurposeCategory category) {
  return Label(v1::Deployment::PurposeCategory_Name(category), "PURPOSE_CATEGORY_");
}

std::string PolicyModeLabel(v1::Policy::Mode mode) { return Label(v1::Policy::Mode_Name(mode), "MODE_"); }

std::string ComplianceStatusLabel(v1::ComplianceRow::Status status) {
  return Label(v1::ComplianceRow::Status_Name(status), "STATUS_");
}

std::string OrganizationsTable(const std::vector<v1::Organization>& organizations) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(organizations.size());
  for (const v1::Organization& o : organizations) {
    rows.push_back({NameCell(o.name(), o.has_delete_time()), o.display_name().empty() ? "-" : o.display_name(),
                    Figure(o.has_monthly_active_users(), o.monthly_active_users()),
                    Figure(o.has_annual_revenue_usd(), o.annual_revenue_usd(), true),
                    Fact(o.has_commercial(), o.commercial()), o.country().empty() ? "unknown" : o.country(),
                    absl::StrCat(o.affiliates_size())});
  }
  return RenderTable({"NAME", "DISPLAY NAME", "MAU", "REVENUE/YR", "COMMERCIAL", "COUNTRY", "AFFILIATES"}, rows);
}

std::string OrganizationDetail(const v1::Organization& o) {
  Lines out;
  out.Field("Name", o.name());
  out.Field("Display name", o.display_name());
  out.Field("Monthly users", Figure(o.has_monthly_active_users(), o.monthly_active_users()));
  out.Field("Annual revenue", Figure(o.has_annual_revenue_usd(), o.annual_revenue_usd(), true));
  out.Field("Monthly revenue", Figure(o.has_monthly_revenue_usd(), o.monthly_revenue_usd(), true));
  out.Field("Commercial", Fact(o.has_commercial(), o.commercial()));
  out.Field("Country", o.country().empty() ? "unknown" : o.country());
  if (o.affiliates().empty()) {
    out.Field("Affiliates", "none");
  } else {
    // Usage thresholds count the affiliates' figures too, so each is shown with its own.
    out.Line("Affiliates:");
    for (const v1::Organization::Affiliate& a : o.affiliates()) out.Line(absl::StrCat("  - ", AffiliateLine(a)));
  }
  out.Labels(o.labels());
  out.Record(o.revision(), o.etag(), o.has_create_time() ? &o.create_time() : nullptr,
             o.has_update_time() ? &o.update_time() : nullptr, o.has_delete_time() ? &o.delete_time() : nullptr);
  return out.str();
}

std::string DeploymentsTable(const std::vector<v1::Deployment>& deployments) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(deployments.size());
  for (const v1::Deployment& d : deployments) {
    rows.push_back({NameCell(d.name(), d.has_delete_time()), ShortModel(d.model()), DeploymentStateLabel(d.state()),
                    HostingLabel(d.hosting()), PurposeCategoryLabel(d.purpose_category()),
                    d.owner().empty() ? "-" : d.owner(), HasOverride(d) ? "yes" : "no"});
  }
  return RenderTable({"NAME", "MODEL", "STATE", "HOSTING", "PURPOSE", "OWNER", "OVERRIDE"}, rows);
}

std::string DeploymentDetail(const v1::Deployment& d) {
  Lines out;
  out.Field("Name", d.name());
  out.Field("Model", d.model().empty() ? "-" : d.model());
  out.Field("State", DeploymentStateLabel(d.state()));
  out.Field("Owner", d.owner());
  // The facts of the use that license terms are checked against are always shown: "unknown" is itself a finding.
  const std::string hosting = HostingLabel(d.hosting());
  out.Field("Hosting", hosting == "-" ? "unknown" : hosting);
  out.Field("Purpose", d.purpose());
  out.Field("Purpose category", PurposeCategoryLabel(d.purpose_category()));
  out.Field("Product", d.product());
  out.Field("Product MAU", Figure(d.has_product_monthly_active_users(), d.product_monthly_active_users()));
  out.Field("Distributed as", d.distribute_as().empty() ? "-" : d.distribute_as());
  out.Field("Trains on outputs", Fact(d.has_train_on_outputs(), d.train_on_outputs()));
  out.Field("Distillation", Fact(d.has_distillation(), d.distillation()));
  if (!d.has_override()) {
    out.Field("Override", "none");
  } else {
    const v1::Deployment::Override& o = d.override();
    if (HasOverride(d)) {
      out.Line("Override:");
    } else {
      out.Field("Override", "no justification: does not count");
    }
    Lines sub(16);
    sub.Field("Justification", o.justification());
    sub.Field("Principal", o.principal());
    if (o.has_create_time()) sub.Field("Time", Timestamp(o.create_time()));
    if (!o.violations().empty()) {
      sub.Line("Violations accepted:");
      for (const std::string& v : o.violations()) sub.Line(absl::StrCat("  - ", v));
    }
    if (!sub.str().empty()) {
      out.Line(absl::StrCat("  ", absl::StrReplaceAll(absl::StripSuffix(sub.str(), "\n"), {{"\n", "\n  "}})));
    }
  }
  out.Labels(d.labels());
  out.Record(d.revision(), d.etag(), d.has_create_time() ? &d.create_time() : nullptr,
             d.has_update_time() ? &d.update_time() : nullptr, d.has_delete_time() ? &d.delete_time() : nullptr);
  return out.str();
}

std::string PoliciesTable(const std::vector<v1::Policy>& policies) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(policies.size());
  for (const v1::Policy& p : policies) {
    rows.push_back({NameCell(p.name(), p.has_delete_time()), PolicyModeLabel(p.mode()),
                    p.filter().empty() ? "-" : p.filter(), p.description().empty() ? "-" : p.description()});
  }
  return RenderTable({"NAME", "MODE", "FILTER", "DESCRIPTION"}, rows);
}

std::string PolicyDetail(const v1::Policy& p) {
  Lines out;
  out.Field("Name", p.name());
  out.Field("Mode", PolicyModeLabel(p.mode()));
  out.Field("Filter", p.filter().empty() ? "-" : p.filter());
  out.Field("Description", p.description());
  out.Record(p.revision(), p.etag(), p.has_create_time() ? &p.create_time() : nullptr,
             p.has_update_time() ? &p.update_time() : nullptr, p.has_delete_time() ? &p.delete_time() : nullptr);
  return out.str();
}

std::string ComplianceTable(const v1::EvaluateComplianceResponse& response) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(static_cast<size_t>(response.rows_size()));
  std::string blocking;
  for (const v1::ComplianceRow& r : response.rows()) {
    std::vector<std::string> violated;
    for (const v1::PolicyViolation& v : r.violated_policies()) {
      // ENFORCE is what blocks; an AUDIT policy's violation is only reported, so it is the one marked.
      violated.push_back(v.mode() == v1::Policy::MODE_AUDIT ? absl::StrCat(PolicyId(v.policy()), " (audit)")
                                                            : PolicyId(v.policy()));
    }
    rows.push_back({r.deployment(), ShortModel(r.model()), DeploymentStateLabel(r.state()),
                    ComplianceStatusLabel(r.status()), VerdictLabel(r.verdict()),
                    violated.empty() ? "-" : absl::StrJoin(violated, ", ")});
    if (!r.blocking_violations().empty()) {
      absl::StrAppend(&blocking, "  ", r.deployment(), " (", ComplianceStatusLabel(r.status()), "):\n");
      for (const std::string& v : r.blocking_violations()) absl::StrAppend(&blocking, "    - ", v, "\n");
    }
  }
  std::string out = RenderTable({"DEPLOYMENT", "MODEL", "STATE", "STATUS", "VERDICT", "VIOLATIONS"}, rows);
  if (!blocking.empty()) absl::StrAppend(&out, "\nBlocking violations:\n", blocking);
  return out;
}

bool AnyNonCompliant(const v1::EvaluateComplianceResponse& response) {
  return std::any_of(response.rows().begin(), response.rows().end(),
                     [](const v1::ComplianceRow& r) { return r.status() == v1::ComplianceRow::STATUS_NON_COMPLIANT; });
}

}  // namespace modelreg::cli

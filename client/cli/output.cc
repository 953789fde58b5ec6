#include "client/cli/output.h"

#include <algorithm>
#include <cstdint>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/number_format.h"
#include "server/common/yaml_json.h"
#include "server/domain/names.h"

namespace modelreg::cli {
std::string EnumLabel(const std::string& name, absl::string_view prefix, absl::string_view separator) {
  absl::string_view view = name;
  absl::ConsumePrefix(&view, prefix);
  if (view.empty() || absl::EndsWith(view, "UNSPECIFIED")) return "-";
  return absl::StrReplaceAll(absl::AsciiStrToLower(view), {{"_", separator}});
}

std::string Timestamp(const google::protobuf::Timestamp& ts) { return google::protobuf::util::TimeUtil::ToString(ts); }

namespace {

std::string Count(int64_t n) {
  const double d = static_cast<double>(n);
  if (n >= 1000000000) return absl::StrFormat("%.3gB", d / 1e9);
  if (n >= 1000000) return absl::StrFormat("%.3gM", d / 1e6);
  if (n >= 1000) return absl::StrFormat("%.3gK", d / 1e3);
  return absl::StrCat(n);
}

// Appends "  Key:  value" lines, skipping empty values.
class Lines {
 public:
  explicit Lines(int indent = 0, int key_width = 16) : indent_(indent), key_width_(key_width) {}
  void Field(absl::string_view key, absl::string_view value) {
    if (value.empty()) return;
    absl::StrAppend(&out_, std::string(static_cast<size_t>(indent_), ' '),
                    absl::StrFormat("%-*s", key_width_, absl::StrCat(key, ":")), " ", value, "\n");
  }
  void Line(absl::string_view text) {
    absl::StrAppend(&out_, std::string(static_cast<size_t>(indent_), ' '), text, "\n");
  }
  void Raw(absl::string_view text) { absl::StrAppend(&out_, text); }
  const std::string& str() const { return out_; }

 private:
  int indent_;
  int key_width_;
  std::string out_;
};

std::string Flags(const v1::Openness& openness) {
  std::vector<std::string> flags;
  for (int flag : openness.flags()) flags.push_back(FlagLabel(static_cast<v1::OpennessFlag>(flag)));
  return absl::StrJoin(flags, ",");
}

std::string YesNo(bool value) { return value ? "yes" : "no"; }

// "" for an unspecified enum label, so detail views skip the line.
std::string Known(const std::string& label) { return label == "-" ? "" : label; }

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "table") return OutputFormat::kTable;
  if (lower == "json") return OutputFormat::kJson;
  if (lower == "yaml") return OutputFormat::kYaml;
  return absl::InvalidArgumentError(absl::StrCat("bad output format '", text, "': use table, json or yaml"));
}

absl::StatusOr<std::string> FormatStructured(const google::protobuf::Message& message, OutputFormat format) {
  absl::StatusOr<std::string> text;
  if (format == OutputFormat::kJson) {
    text = MessageToJson(message, /*original_names=*/true);
  } else if (format == OutputFormat::kYaml) {
    text = MessageToYaml(message);
  } else {
    return absl::InvalidArgumentError("table output has no structured form");
  }
  if (!text.ok()) return text.status();
  if (text->empty() || text->back() != '\n') text->push_back('\n');
  return text;
}

std::string RenderTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  auto measure = [&widths](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  std::string out;
  auto render = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      line += cell;
      if (i + 1 < widths.size()) line += std::string(widths[i] - cell.size() + 2, ' ');
    }
    absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
  };
  render(header);
  for (const auto& row : rows) render(row);
  return out;
}

std::string LevelLabel(const v1::Openness& openness) {
  if (openness.level() <= 0) return "-";
  const std::string& name = openness.level_name();
  return name.empty() ? absl::StrCat(openness.level()) : absl::StrCat(openness.level(), " ", name);
}

std::string MofClassLabel(v1::MofClass mof_class) {
  switch (mof_class) {
    case v1::MOF_CLASS_I:
      return "I";
    case v1::MOF_CLASS_II:
      return "II";
    case v1::MOF_CLASS_III:
      return "III";
    case v1::MOF_CLASS_UNCLASSIFIED:
      return "unclassified";
    default:
      return "-";
  }
}

std::string AccessLabel(v1::Weights::Access access) {
  switch (access) {
    case v1::Weights::ACCESS_CLOSED:
      return "closed";
    case v1::Weights::ACCESS_API_ONLY:
      return "api-only";
    case v1::Weights::ACCESS_GATED_CLICK_THROUGH:
      return "gated";
    case v1::Weights::ACCESS_GATED_MANUAL_APPROVAL:
      return "gated-manual";
    case v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN:
      return "gated-unknown";
    case v1::Weights::ACCESS_OPEN_DOWNLOAD:
      return "open";
    default:
      return "-";
  }
}

std::string FlagLabel(v1::OpennessFlag flag) {
  switch (flag) {
    case v1::OPENNESS_FLAG_LICENSE_BLOCKED:
      return "license-blocked";
    case v1::OPENNESS_FLAG_MANUAL_APPROVAL_GATE:
      return "manual-gate";
    case v1::OPENNESS_FLAG_USAGE_THRESHOLD:
      return "threshold";
    case v1::OPENNESS_FLAG_NON_COMMERCIAL:
      return "non-commercial";
    case v1::OPENNESS_FLAG_USE_RESTRICTIONS:
      return "use-restrictions";
    case v1::OPENNESS_FLAG_UNKNOWN_FACTS:
      return "unknown-facts";
    default:
      return absl::StrCat("flag-", static_cast<int>(flag));
  }
}

std::string ComponentLabel(v1::ComponentKind kind) {
  return EnumLabel(v1::ComponentKind_Name(kind), "COMPONENT_KIND_");
}

std::string ThresholdLabel(const v1::License::UsageThreshold& threshold) {
  std::string metric;
  std::string limit = Count(threshold.limit());
  switch (threshold.metric()) {
    case v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS:
      metric = "MAU";
      break;
    case v1::License::UsageThreshold::METRIC_ANNUAL_REVENUE_USD:
      metric = "revenue/yr";
      limit = "$" + limit;
      break;
    case v1::License::UsageThreshold::METRIC_MONTHLY_REVENUE_USD:
      metric = "revenue/mo";
      limit = "$" + limit;
      break;
    default:
      metric = "?";
  }
  std::string consequence;
  switch (threshold.consequence()) {
    case v1::License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE:
      consequence = "request license";
      break;
    case v1::License::UsageThreshold::CONSEQUENCE_ENTERPRISE_LICENSE_REQUIRED:
      consequence = "enterprise license";
      break;
    case v1::License::UsageThreshold::CONSEQUENCE_ATTRIBUTION_REQUIRED:
      consequence = "attribution";
      break;
    default:
      consequence = "?";
  }
  const bool at_least = threshold.comparison() == v1::License::UsageThreshold::COMPARISON_AT_LEAST;
  return absl::StrCat(metric, at_least ? " >= " : " > ", limit, ": ", consequence);
}

std::string TerritorialLabel(const v1::License::TerritorialRestriction& r) {
  using Restriction = v1::License::TerritorialRestriction;
  std::string label = absl::StrCat(r.territory(), ": ");
  switch (r.applies_to()) {
    case Restriction::SCOPE_ALL_MATERIALS:
      label += "all licensed materials";
      break;
    case Restriction::SCOPE_MULTIMODAL_MODELS:
      label += "multimodal models";
      break;
    default:
      label += "?";
  }
  std::vector<std::string> licensees;
  for (int licensee : r.licensees()) {
    switch (licensee) {
      case Restriction::LICENSEE_INDIVIDUALS_DOMICILED:
        licensees.push_back("individuals domiciled there");
        break;
      case Restriction::LICENSEE_COMPANIES_PRINCIPAL_PLACE_OF_BUSINESS:
        licensees.push_back("companies with their principal place of business there");
        break;
      default:
        licensees.push_back("?");
    }
  }
  if (!licensees.empty()) absl::StrAppend(&label, "; for ", absl::StrJoin(licensees, " and "));
  if (r.end_users_exempt()) label += "; end users exempt";
  return label;
}

std::string VerdictLabel(v1::Verdict verdict) { return EnumLabel(v1::Verdict_Name(verdict), "VERDICT_"); }

std::string ShortLicense(absl::string_view name) {
  if (name.empty()) return "-";
  std::string id = LicenseIdOf(name);
  return id.empty() ? std::string(name) : id;
}

std::string ModelsTable(const std::vector<v1::Model>& models) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(models.size());
  for (const v1::Model& m : models) {
    const std::string flags = Flags(m.openness());
    rows.push_back({m.has_delete_time() ? absl::StrCat(m.name(), " (deleted)") : m.name(), LevelLabel(m.openness()),
                    MofClassLabel(m.openness().mof_class()), AccessLabel(m.weights().access()),
                    ShortLicense(m.weights().license()), flags.empty() ? "-" : flags});
  }
  return RenderTable({"NAME", "LEVEL", "MOF", "ACCESS", "LICENSE", "FLAGS"}, rows);
}

std::string OpennessDetail(const v1::Openness& o) {
  Lines out(0, 14);
  out.Field("Level", LevelLabel(o));
  out.Field("MOF class", MofClassLabel(o.mof_class()));
  // Progress is cumulative: each class lists only the missing components the class below did not already list.
  std::set<int> listed;
  for (const v1::MofClassProgress& p : o.mof_progress()) {
    std::vector<std::string> missing;
    for (int kind : p.missing()) {
      if (listed.insert(kind).second) missing.push_back(ComponentLabel(static_cast<v1::ComponentKind>(kind)));
    }
    const bool below_listed = listed.size() > missing.size();
    out.Line(absl::StrCat("  Class ", absl::StrFormat("%-4s", MofClassLabel(p.mof_class())), p.met(), "/", p.required(),
                          " met", missing.empty() ? "" : (below_listed ? "; also missing: " : "; missing: "),
                          absl::StrJoin(missing, ", ")));
  }
  out.Field("OSAID", o.osaid_candidate() ? "candidate (not an OSI certification)" : "not a candidate");
  if (!o.osaid_note().empty()) out.Line(absl::StrCat(std::string(15, ' '), o.osaid_note()));
  const std::string flags = Flags(o);
  out.Field("Flags", flags.empty() ? "none" : absl::StrReplaceAll(flags, {{",", ", "}}));
  if (o.reasons_size() > 0) {
    out.Line("Reasons (+ holds, - missing):");
    for (const v1::OpennessReason& r : o.reasons()) {
      out.Line(absl::StrCat("  ", r.satisfied() ? "+" : "-", " L", r.level(), " ", r.code(),
                            r.message().empty() ? "" : ": ", r.message()));
    }
  }
  if (o.rules_version() > 0) out.Field("Rules version", absl::StrCat(o.rules_version()));
  return out.str();
}

std::string ModelDetail(const v1::Model& m) {
  Lines out(0, 14);
  out.Field("Name", m.name());
  out.Field("Display name", m.display_name());
  out.Field("Description", m.description());
  out.Field("Family", m.family());
  out.Field("Version", m.version());
  out.Field("Released", m.release_date());
  if (m.parameter_count() > 0) out.Field("Parameters", Count(m.parameter_count()));
  if (m.active_parameter_count() > 0) out.Field("Active params", Count(m.active_parameter_count()));
  out.Field("Modality", Known(EnumLabel(v1::Model::Modality_Name(m.modality()), "MODALITY_")));
  out.Field("Architecture", m.architecture());
  out.Field("Treatment", Known(EnumLabel(v1::Model::Treatment_Name(m.treatment()), "TREATMENT_", "-")));
  out.Field("Hugging Face", m.huggingface_repo());
  out.Field("Homepage", m.homepage_uri());
  if (!m.base_model().empty()) {
    const std::string relation =
        EnumLabel(v1::Model::BaseModelRelation_Name(m.base_model_relation()), "BASE_MODEL_RELATION_");
    out.Field("Base model", relation == "-" ? m.base_model() : absl::StrCat(m.base_model(), " (", relation, ")"));
  }
  if (!m.labels().empty()) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : m.labels()) keys.push_back(absl::StrCat(key, "=", value));
    std::sort(keys.begin(), keys.end());
    out.Line("Labels:");
    for (const std::string& label : keys) out.Line(absl::StrCat("  ", label));
  }
  if (m.revision() > 0) out.Field("Revision", absl::StrCat(m.revision()));
  out.Field("Etag", m.etag());
  if (m.has_update_time()) out.Field("Updated", Timestamp(m.update_time()));
  if (m.has_delete_time()) out.Field("DELETED", Timestamp(m.delete_time()));

  out.Line("");
  out.Line("Weights");
  out.Field("  Access", AccessLabel(m.weights().access()));
  out.Field("  License", m.weights().license().empty() ? "unknown" : m.weights().license());
  out.Field("  Download", m.weights().download_uri());

  if (m.components_size() > 0) {
    out.Line("");
    out.Line("Components");
    std::vector<std::vector<std::string>> rows;
    for (const v1::Component& c : m.components()) {
      rows.push_back({ComponentLabel(c.kind()), EnumLabel(v1::Component::Status_Name(c.status()), "STATUS_", "-"),
                      c.license().empty() ? "-" : c.license(), c.uri()});
    }
    std::string table = RenderTable({"COMPONENT", "STATUS", "LICENSE", "URI"}, rows);
    out.Raw(absl::StrCat("  ", absl::StrReplaceAll(absl::StripSuffix(table, "\n"), {{"\n", "\n  "}}), "\n"));
  }

  if (m.has_data_disclosure()) {
    const v1::DataDisclosure& d = m.data_disclosure();
    out.Line("");
    out.Line("Training data");
    out.Field("  Disclosure", EnumLabel(v1::DataDisclosure::Level_Name(d.level()), "LEVEL_"));
    if (d.has_complete_description()) out.Field("  Complete desc", YesNo(d.complete_description()));
    if (d.has_public_sources_listed()) out.Field("  Public listed", YesNo(d.public_sources_listed()));
    if (d.has_third_party_sources_listed()) out.Field("  3rd party", YesNo(d.third_party_sources_listed()));
    for (const v1::Dataset& ds : d.datasets()) {
      out.Line(absl::StrCat("  - ", ds.display_name().empty() ? ds.uri() : ds.display_name(),
                            ds.uri().empty() || ds.display_name().empty() ? "" : absl::StrCat(" <", ds.uri(), ">"),
                            ds.license().empty() ? "" : absl::StrCat(" (", ds.license(), ")")));
    }
  }

  out.Line("");
  out.Line("Openness");
  if (m.has_openness()) {
    std::string detail = OpennessDetail(m.openness());
    out.Raw(absl::StrCat("  ", absl::StrReplaceAll(absl::StripSuffix(detail, "\n"), {{"\n", "\n  "}}), "\n"));
  } else {
    out.Line("  not assessed");
  }

  if (m.sources_size() > 0) {
    out.Line("");
    out.Line("Sources");
    for (const std::string& s : m.sources()) out.Line(absl::StrCat("  ", s));
  }
  return out.str();
}

std::string LicensesTable(const std::vector<v1::License>& licenses) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(licenses.size());
  for (const v1::License& l : licenses) {
    std::vector<std::string> thresholds;
    for (const auto& t : l.usage_thresholds()) thresholds.push_back(ThresholdLabel(t));
    rows.push_back({l.has_delete_time() ? absl::StrCat(l.name(), " (deleted)") : l.name(),
                    EnumLabel(v1::License::Category_Name(l.category()), "CATEGORY_", "-"),
                    EnumLabel(v1::License::CommercialUse_Name(l.commercial_use()), "COMMERCIAL_USE_", "-"),
                    YesNo(l.osi_approved()), thresholds.empty() ? "-" : absl::StrJoin(thresholds, "; ")});
  }
  return RenderTable({"NAME", "CATEGORY", "COMMERCIAL", "OSI", "THRESHOLDS"}, rows);
}

std::string LicenseDetail(const v1::License& l) {
  Lines out(0, 16);
  out.Field("Name", l.name());
  out.Field("Display name", l.display_name());
  out.Field("SPDX id", l.spdx_id());
  out.Field("Aliases", absl::StrJoin(l.aliases(), "; "));
  out.Field("URI", l.uri());
  out.Field("Version date", l.version_date());
  out.Field("Category", EnumLabel(v1::License::Category_Name(l.category()), "CATEGORY_", "-"));
  out.Field("Commercial use", EnumLabel(v1::License::CommercialUse_Name(l.commercial_use()), "COMMERCIAL_USE_", "-"));
  out.Field("OSI approved", YesNo(l.osi_approved()));
  out.Field("FSF libre", YesNo(l.fsf_libre()));
  out.Field("Open data", YesNo(l.open_data()));
  if (l.reassessment_state() == v1::License::REASSESSMENT_STATE_QUEUED) {
    out.Field("Reassessing", "queued (models not counted yet)");
  } else if (l.reassessment_state() == v1::License::REASSESSMENT_STATE_RUNNING) {
    out.Field("Reassessing", absl::StrCat(l.reassessment_pending_models(), " models still to reassess"));
  }
  for (const auto& t : l.usage_thresholds()) {
    out.Field("Threshold", ThresholdLabel(t));
    if (!t.clause().empty()) out.Line(absl::StrCat("  \"", t.clause(), "\""));
  }
  if (l.has_use_restrictions()) {
    out.Field("Use policy", l.use_restrictions().acceptable_use_policy_uri());
    out.Field("Restricted uses", absl::StrJoin(l.use_restrictions().restricted_uses(), ", "));
  }
  if (l.has_derivative_terms()) {
    const auto& d = l.derivative_terms();
    out.Field("Attribution", d.attribution_text());
    out.Field("Name prefix", d.required_name_prefix());
    if (d.restrictions_propagate()) out.Field("Derivatives", "restrictions pass on to derivatives");
    if (d.outputs_may_not_train_models()) out.Field("Outputs", "may not train or improve other models");
    if (d.distillation_is_derivative()) out.Field("Distillation", "counts as a derivative");
  }
  out.Field("Remote restrict", l.remote_restriction_clause());
  for (const auto& r : l.territorial_restrictions()) {
    out.Field("Withheld in", TerritorialLabel(r));
    if (!r.clause().empty()) out.Line(absl::StrCat("  \"", r.clause(), "\""));
    if (!r.source().empty()) out.Line(absl::StrCat("  (", r.source(), ")"));
  }
  if (!l.labels().empty()) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : l.labels()) keys.push_back(absl::StrCat(key, "=", value));
    std::sort(keys.begin(), keys.end());
    out.Line("Labels:");
    for (const std::string& label : keys) out.Line(absl::StrCat("  ", label));
  }
  out.Field("Etag", l.etag());
  if (l.has_update_time()) out.Field("Updated", Timestamp(l.update_time()));
  if (l.has_delete_time()) out.Field("DELETED", Timestamp(l.delete_time()));
  if (l.sources_size() > 0) {
    out.Line("Sources");
    for (const std::string& s : l.sources()) out.Line(absl::StrCat("  ", s));
  }
  return out.str();
}

std::string UsageCheckDetail(const std::string& model, const v1::CheckUsageResponse& response) {
  const v1::UsageProfile& p = response.profile();
  auto figure = [](bool has, int64_t value, bool dollars) {
    return has ? absl::StrCat(dollars ? "US$" : "", GroupDigits(value)) : std::string("unknown");
  };
  auto flag = [](bool has, bool value) { return has ? YesNo(value) : std::string("unknown"); };
  Lines out(0, 16);
  out.Field("Model", model);
  out.Field("Derived from", absl::StrJoin(response.lineage(), " <- "));
  out.Field("Verdict", VerdictLabel(response.verdict()));
  out.Line("Profile");
  Lines profile(2, 20);
  profile.Field("Monthly users", figure(p.has_monthly_active_users(), p.monthly_active_users(), false));
  profile.Field("Annual revenue", figure(p.has_annual_revenue_usd(), p.annual_revenue_usd(), true));
  profile.Field("Monthly revenue", figure(p.has_monthly_revenue_usd(), p.monthly_revenue_usd(), true));
  profile.Field("Commercial", flag(p.has_commercial(), p.commercial()));
  const std::string hosting = EnumLabel(v1::Hosting_Name(p.hosting()), "HOSTING_", "-");
  profile.Field("Hosting", hosting == "-" ? "unknown" : hosting);
  profile.Field("Distributed as", p.distribute_as().empty() ? "-" : p.distribute_as());
  profile.Field("Trains on outputs", flag(p.has_train_on_outputs(), p.train_on_outputs()));
  profile.Field("Distillation", flag(p.has_distillation(), p.distillation()));
  profile.Field("Country", p.country());
  out.Raw(profile.str());
  if (response.findings().empty()) {
    out.Line("No findings: no license term restricts this use.");
    return out.str();
  }
  out.Line("");
  std::vector<std::vector<std::string>> rows;
  Lines clauses(2, 0);
  for (int i = 0; i < response.findings_size(); ++i) {
    const v1::UsageFinding& f = response.findings(i);
    const std::string number = absl::StrCat(i + 1);
    absl::StatusOr<ModelName> from = ParseModelName(f.model());
    std::string action = f.action();
    if (!f.missing_fact().empty()) absl::StrAppend(&action, " [missing: ", f.missing_fact(), "]");
    rows.push_back({number, VerdictLabel(f.verdict()),
                    from.ok() ? absl::StrCat(from->publisher, "/", from->model) : f.model(), ShortLicense(f.license()),
                    f.term().empty() ? "-" : f.term(), action});
    if (!f.clause().empty()) {
      clauses.Line(absl::StrCat("[", number, "] \"", f.clause(), "\""));
      if (!f.source().empty()) clauses.Line(absl::StrCat("    source: ", f.source()));
    }
  }
  out.Raw(RenderTable({"#", "VERDICT", "FROM", "LICENSE", "TERM", "ACTION"}, rows));
  if (!clauses.str().empty()) {
    out.Line("");
    out.Line("Clauses");
    out.Raw(clauses.str());
  }
  return out.str();
}

std::string ErrorDetailLines(const ErrorDetails& details) {
  std::string lines;
  if (!details.reason.empty()) {
    absl::StrAppend(&lines, "  reason: ", details.reason);
    if (!details.metadata.empty()) {
      absl::StrAppend(&lines, " (", absl::StrJoin(details.metadata, ", ", absl::PairFormatter("=")), ")");
    }
    lines += "\n";
  }
  for (const FieldViolation& v : details.field_violations) {
    absl::StrAppend(&lines, "  field ", v.field, ": ", v.description, "\n");
  }
  for (const PreconditionViolation& v : details.precondition_violations) {
    absl::StrAppend(&lines, "  precondition ", v.type, " ", v.subject, ": ", v.description, "\n");
  }
  return lines;
}

}  // namespace modelreg::cli

#include "server/domain/validation.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/errors.h"
#include "server/common/status_macros.h"
#include "server/domain/licenses/license_names.h"
#include "server/domain/names.h"

namespace modelreg {
namespace {

namespace pb = ::google::protobuf;

absl::Status Invalid(const std::string& field, absl::string_view problem) { return InvalidFieldError(field, problem); }

bool HasControlChars(absl::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [allow_newlines](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    const bool allowed_space = allow_newlines && (c == '\n' || c == '\t' || c == '\r');
    return (c < 0x20 && !allowed_space) || c == 0x7f;
  });
}

absl::Status CheckString(const std::string& field, const std::string& value, size_t max, bool allow_newlines = false) {
  if (value.size() > max) return Invalid(field, absl::StrCat("longer than ", max, " bytes"));
  if (HasControlChars(value, allow_newlines)) return Invalid(field, "contains control characters");
  return absl::OkStatus();
}

absl::Status CheckUri(const std::string& field, const std::string& value) {
  MODELREG_RETURN_IF_ERROR(CheckString(field, value, kMaxUri));
  if (!value.empty() && !absl::StartsWith(value, "https://") && !absl::StartsWith(value, "http://")) {
    return Invalid(field, "must be an http(s) URL");
  }
  return absl::OkStatus();
}

absl::Status CheckDate(const std::string& field, const std::string& value) {
  if (value.empty()) return absl::OkStatus();
  absl::Time parsed;
  std::string error;
  if (value.size() != 10 || !absl::ParseTime("%Y-%m-%d", value, absl::UTCTimeZone(), &parsed, &error)) {
    return Invalid(field, absl::StrCat("`", value.substr(0, 40), "` is not a date of the form YYYY-MM-DD"));
  }
  return absl::OkStatus();
}

absl::Status CheckEnum(const std::string& field, int value, const pb::EnumDescriptor* descriptor) {
  if (descriptor->FindValueByNumber(value) == nullptr) {
    return Invalid(field, absl::StrCat("unknown ", descriptor->name(), " value ", value));
  }
  return absl::OkStatus();
}

template <typename Repeated>
absl::Status CheckCount(const std::string& field, const Repeated& items) {
  if (items.size() > kMaxRepeated) return Invalid(field, absl::StrCat("more than ", kMaxRepeated, " entries"));
  return absl::OkStatus();
}

absl::Status CheckSources(const std::string& field, const pb::RepeatedPtrField<std::string>& sources) {
  MODELREG_RETURN_IF_ERROR(CheckCount(field, sources));
  for (int i = 0; i < sources.size(); ++i) {
    MODELREG_RETURN_IF_ERROR(CheckUri(absl::StrCat(field, "[", i, "]"), sources[i]));
  }
  return absl::OkStatus();
}

// Each alias 1-256 bytes, not blank, and not repeating an earlier one as licenses compare names (LicenseNameKey).
absl::Status CheckAliases(const std::string& field, const pb::RepeatedPtrField<std::string>& aliases) {
  MODELREG_RETURN_IF_ERROR(CheckCount(field, aliases));
  std::map<std::string, int> seen;
  for (int i = 0; i < aliases.size(); ++i) {
    const std::string at = absl::StrCat(field, "[", i, "]");
    MODELREG_RETURN_IF_ERROR(CheckString(at, aliases[i], kMaxShortString));
    const std::string key = LicenseNameKey(aliases[i]);
    if (key.empty()) return Invalid(at, "is blank");
    if (auto [it, inserted] = seen.emplace(key, i); !inserted) {
      return Invalid(at,
                     absl::StrCat("repeats ", field, "[", it->second, "] (names compare ignoring case and spaces)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLicenseRef(const std::string& field, const std::string& value) {
  if (value.empty()) return absl::OkStatus();
  return WithReason(ParseLicenseName(value, field).status(), "INVALID_NAME");
}

absl::Status CheckLabels(const std::string& field, const pb::Map<std::string, std::string>& labels) {
  if (labels.size() > static_cast<size_t>(kMaxRepeated)) {
    return Invalid(field, absl::StrCat("more than ", kMaxRepeated, " entries"));
  }
  for (const auto& [key, value] : labels) {
    bool ok = !key.empty() && key.size() <= 63;
    for (char c : key) {
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '/');
    }
    if (!ok) {
      return Invalid(field, absl::StrCat("key `", key.substr(0, 80),
                                         "` must be 1-63 chars of lowercase letters, digits, '-', '_', '.', '/'"));
    }
    MODELREG_RETURN_IF_ERROR(CheckLabelValue(absl::StrCat(field, "[", key, "]"), value));
  }
  return absl::OkStatus();
}

absl::Status CheckComponents(const std::string& field, const pb::RepeatedPtrField<v1::Component>& components) {
  MODELREG_RETURN_IF_ERROR(CheckCount(field, components));
  std::set<int> seen;
  for (int i = 0; i < components.size(); ++i) {
    const v1::Component& c = components[i];
    const std::string at = absl::StrCat(field, "[", i, "]");
    MODELREG_RETURN_IF_ERROR(CheckEnum(at + ".kind", c.kind(), v1::ComponentKind_descriptor()));
    if (c.kind() == v1::COMPONENT_KIND_UNSPECIFIED) return Invalid(at + ".kind", "must be set");
    if (!seen.insert(c.kind()).second) {
      return Invalid(at + ".kind", absl::StrCat(v1::ComponentKind_Name(c.kind()), " is listed twice"));
    }
    MODELREG_RETURN_IF_ERROR(CheckEnum(at + ".status", c.status(), v1::Component::Status_descriptor()));
    if (c.status() == v1::Component::STATUS_UNSPECIFIED) {
      return Invalid(at + ".status", "must be set (use STATUS_UNKNOWN when the sources do not say)");
    }
    MODELREG_RETURN_IF_ERROR(CheckLicenseRef(at + ".license", c.license()));
    MODELREG_RETURN_IF_ERROR(CheckUri(at + ".uri", c.uri()));
  }
  return absl::OkStatus();
}

// `EU` or an ISO 3166-1 alpha-2 code: two uppercase ASCII letters.
bool IsTerritoryCode(const std::string& territory) {
  return territory.size() == 2 &&
         std::all_of(territory.begin(), territory.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

absl::Status CheckTerritorialRestrictions(
    const std::string& field, const pb::RepeatedPtrField<v1::License::TerritorialRestriction>& restrictions) {
  using Restriction = v1::License::TerritorialRestriction;
  MODELREG_RETURN_IF_ERROR(CheckCount(field, restrictions));
  for (int i = 0; i < restrictions.size(); ++i) {
    const Restriction& r = restrictions[i];
    const std::string at = absl::StrCat(field, "[", i, "]");
    if (!IsTerritoryCode(r.territory())) {
      return Invalid(at + ".territory", absl::StrCat("`", r.territory().substr(0, 40),
                                                     "` is not an ISO 3166-1 alpha-2 code (`FR`) or `EU`"));
    }
    MODELREG_RETURN_IF_ERROR(CheckEnum(at + ".applies_to", r.applies_to(), Restriction::Scope_descriptor()));
    if (r.applies_to() == Restriction::SCOPE_UNSPECIFIED) return Invalid(at + ".applies_to", "must be set");
    MODELREG_RETURN_IF_ERROR(CheckCount(at + ".licensees", r.licensees()));
    for (int j = 0; j < r.licensees_size(); ++j) {
      const std::string licensee = absl::StrCat(at, ".licensees[", j, "]");
      MODELREG_RETURN_IF_ERROR(CheckEnum(licensee, r.licensees(j), Restriction::Licensee_descriptor()));
      if (r.licensees(j) == Restriction::LICENSEE_UNSPECIFIED) return Invalid(licensee, "must be set");
    }
    MODELREG_RETURN_IF_ERROR(CheckString(at + ".clause", r.clause(), kMaxText, /*allow_newlines=*/true));
    MODELREG_RETURN_IF_ERROR(CheckUri(at + ".source", r.source()));
  }
  return absl::OkStatus();
}

absl::Status CheckDataDisclosure(const std::string& field, const v1::DataDisclosure& data) {
  MODELREG_RETURN_IF_ERROR(CheckEnum(field + ".level", data.level(), v1::DataDisclosure::Level_descriptor()));
  MODELREG_RETURN_IF_ERROR(CheckCount(field + ".datasets", data.datasets()));
  for (int i = 0; i < data.datasets_size(); ++i) {
    const v1::Dataset& d = data.datasets(i);
    const std::string at = absl::StrCat(field, ".datasets[", i, "]");
    MODELREG_RETURN_IF_ERROR(CheckString(at + ".display_name", d.display_name(), kMaxShortString));
    MODELREG_RETURN_IF_ERROR(CheckUri(at + ".uri", d.uri()));
    MODELREG_RETURN_IF_ERROR(CheckLicenseRef(at + ".license", d.license()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckLabelValue(const std::string& field, const std::string& value) {
  return CheckString(field, value, kMaxShortString);
}

absl::Status ValidateModel(const v1::Model& model, const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  MODELREG_RETURN_IF_ERROR(CheckString(p + "display_name", model.display_name(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "description", model.description(), kMaxText, /*allow_newlines=*/true));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "family", model.family(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "version", model.version(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(CheckDate(p + "release_date", model.release_date()));
  if (model.parameter_count() < 0) return Invalid(p + "parameter_count", "must not be negative");
  if (model.active_parameter_count() < 0) return Invalid(p + "active_parameter_count", "must not be negative");
  if (model.parameter_count() > 0 && model.active_parameter_count() > model.parameter_count()) {
    return Invalid(p + "active_parameter_count", "is greater than parameter_count");
  }
  MODELREG_RETURN_IF_ERROR(CheckEnum(p + "modality", model.modality(), v1::Model::Modality_descriptor()));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "architecture", model.architecture(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(CheckEnum(p + "treatment", model.treatment(), v1::Model::Treatment_descriptor()));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "huggingface_repo", model.huggingface_repo(), kMaxShortString));
  if (!model.huggingface_repo().empty() && model.huggingface_repo().find('/') == std::string::npos) {
    return Invalid(p + "huggingface_repo", "must be of the form owner/repo");
  }
  MODELREG_RETURN_IF_ERROR(CheckUri(p + "homepage_uri", model.homepage_uri()));
  MODELREG_RETURN_IF_ERROR(CheckLabels(p + "labels", model.labels()));
  if (!model.base_model().empty()) {
    MODELREG_RETURN_IF_ERROR(WithReason(ParseModelName(model.base_model(), p + "base_model").status(), "INVALID_NAME"));
    if (model.base_model() == model.name()) return Invalid(p + "base_model", "a model cannot be its own base");
  }
  MODELREG_RETURN_IF_ERROR(
      CheckEnum(p + "base_model_relation", model.base_model_relation(), v1::Model::BaseModelRelation_descriptor()));
  if (model.base_model().empty() && model.base_model_relation() != v1::Model::BASE_MODEL_RELATION_UNSPECIFIED) {
    return Invalid(p + "base_model_relation", "is set but base_model is empty");
  }
  MODELREG_RETURN_IF_ERROR(CheckEnum(p + "weights.access", model.weights().access(), v1::Weights::Access_descriptor()));
  MODELREG_RETURN_IF_ERROR(CheckLicenseRef(p + "weights.license", model.weights().license()));
  MODELREG_RETURN_IF_ERROR(CheckUri(p + "weights.download_uri", model.weights().download_uri()));
  MODELREG_RETURN_IF_ERROR(CheckComponents(p + "components", model.components()));
  MODELREG_RETURN_IF_ERROR(CheckDataDisclosure(p + "data_disclosure", model.data_disclosure()));
  return CheckSources(p + "sources", model.sources());
}

absl::Status ValidateLicense(const v1::License& license, const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  MODELREG_RETURN_IF_ERROR(CheckString(p + "display_name", license.display_name(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "spdx_id", license.spdx_id(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(CheckUri(p + "uri", license.uri()));
  MODELREG_RETURN_IF_ERROR(CheckDate(p + "version_date", license.version_date()));
  MODELREG_RETURN_IF_ERROR(CheckLabels(p + "labels", license.labels()));
  MODELREG_RETURN_IF_ERROR(CheckEnum(p + "category", license.category(), v1::License::Category_descriptor()));
  MODELREG_RETURN_IF_ERROR(
      CheckEnum(p + "commercial_use", license.commercial_use(), v1::License::CommercialUse_descriptor()));
  MODELREG_RETURN_IF_ERROR(CheckCount(p + "usage_thresholds", license.usage_thresholds()));
  for (int i = 0; i < license.usage_thresholds_size(); ++i) {
    const auto& t = license.usage_thresholds(i);
    const std::string at = absl::StrCat(p, "usage_thresholds[", i, "]");
    MODELREG_RETURN_IF_ERROR(CheckEnum(at + ".metric", t.metric(), v1::License::UsageThreshold::Metric_descriptor()));
    if (t.metric() == v1::License::UsageThreshold::METRIC_UNSPECIFIED) return Invalid(at + ".metric", "must be set");
    if (t.limit() <= 0) return Invalid(at + ".limit", "must be positive");
    MODELREG_RETURN_IF_ERROR(
        CheckEnum(at + ".consequence", t.consequence(), v1::License::UsageThreshold::Consequence_descriptor()));
    MODELREG_RETURN_IF_ERROR(
        CheckEnum(at + ".comparison", t.comparison(), v1::License::UsageThreshold::Comparison_descriptor()));
    MODELREG_RETURN_IF_ERROR(CheckString(at + ".clause", t.clause(), kMaxText, /*allow_newlines=*/true));
  }
  const auto& restrictions = license.use_restrictions();
  MODELREG_RETURN_IF_ERROR(
      CheckUri(p + "use_restrictions.acceptable_use_policy_uri", restrictions.acceptable_use_policy_uri()));
  MODELREG_RETURN_IF_ERROR(CheckCount(p + "use_restrictions.restricted_uses", restrictions.restricted_uses()));
  for (int i = 0; i < restrictions.restricted_uses_size(); ++i) {
    MODELREG_RETURN_IF_ERROR(CheckString(absl::StrCat(p, "use_restrictions.restricted_uses[", i, "]"),
                                         restrictions.restricted_uses(i), kMaxShortString));
  }
  const auto& derivatives = license.derivative_terms();
  MODELREG_RETURN_IF_ERROR(
      CheckString(p + "derivative_terms.attribution_text", derivatives.attribution_text(), kMaxText));
  MODELREG_RETURN_IF_ERROR(
      CheckString(p + "derivative_terms.required_name_prefix", derivatives.required_name_prefix(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(
      CheckString(p + "remote_restriction_clause", license.remote_restriction_clause(), kMaxText, true));
  MODELREG_RETURN_IF_ERROR(
      CheckTerritorialRestrictions(p + "territorial_restrictions", license.territorial_restrictions()));
  MODELREG_RETURN_IF_ERROR(CheckAliases(p + "aliases", license.aliases()));
  MODELREG_RETURN_IF_ERROR(CheckSources(p + "sources", license.sources()));
  return CheckRecordSize(license, prefix.empty() ? "license" : prefix);
}

absl::Status CheckRecordSize(const pb::Message& record, const std::string& field) {
  const size_t bytes = record.ByteSizeLong();
  if (bytes <= kMaxRecordBytes) return absl::OkStatus();
  return InvalidFieldError(field,
                           absl::StrCat("the record is ", bytes, " bytes serialized, over the maximum record size of ",
                                        kMaxRecordBytes, " bytes (256 KiB); shorten its texts or lists"),
                           "RECORD_TOO_LARGE");
}

absl::Status ValidateUsageProfile(const v1::UsageProfile& profile, const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  auto figure = [&p](const char* field, bool has, int64_t value) {
    return has && value < 0 ? Invalid(p + field, "must not be negative") : absl::OkStatus();
  };
  MODELREG_RETURN_IF_ERROR(
      figure("monthly_active_users", profile.has_monthly_active_users(), profile.monthly_active_users()));
  MODELREG_RETURN_IF_ERROR(
      figure("annual_revenue_usd", profile.has_annual_revenue_usd(), profile.annual_revenue_usd()));
  MODELREG_RETURN_IF_ERROR(
      figure("monthly_revenue_usd", profile.has_monthly_revenue_usd(), profile.monthly_revenue_usd()));
  MODELREG_RETURN_IF_ERROR(CheckEnum(p + "hosting", profile.hosting(), v1::Hosting_descriptor()));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "distribute_as", profile.distribute_as(), kMaxShortString));
  const std::string& country = profile.country();
  if (!country.empty() && (country.size() != 2 || !absl::ascii_isalpha(static_cast<unsigned char>(country[0])) ||
                           !absl::ascii_isalpha(static_cast<unsigned char>(country[1])))) {
    return Invalid(p + "country", absl::StrCat("`", country.substr(0, 40), "` is not an ISO 3166-1 alpha-2 code"));
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> LicenseReferences(const v1::Model& model, const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  std::vector<std::pair<std::string, std::string>> refs;
  if (!model.weights().license().empty()) refs.emplace_back(p + "weights.license", model.weights().license());
  for (int i = 0; i < model.components_size(); ++i) {
    if (!model.components(i).license().empty()) {
      refs.emplace_back(absl::StrCat(p, "components[", i, "].license"), model.components(i).license());
    }
  }
  for (int i = 0; i < model.data_disclosure().datasets_size(); ++i) {
    const auto& d = model.data_disclosure().datasets(i);
    if (!d.license().empty()) {
      refs.emplace_back(absl::StrCat(p, "data_disclosure.datasets[", i, "].license"), d.license());
    }
  }
  return refs;
}

namespace {

absl::Status CheckFigure(const std::string& field, bool has, int64_t value) {
  if (has && value < 0) return Invalid(field, "must not be negative (leave it unset when unknown)");
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateOrganization(const v1::Organization& organization, const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  MODELREG_RETURN_IF_ERROR(CheckString(p + "display_name", organization.display_name(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(CheckFigure(p + "monthly_active_users", organization.has_monthly_active_users(),
                                       organization.monthly_active_users()));
  MODELREG_RETURN_IF_ERROR(
      CheckFigure(p + "annual_revenue_usd", organization.has_annual_revenue_usd(), organization.annual_revenue_usd()));
  MODELREG_RETURN_IF_ERROR(CheckFigure(p + "monthly_revenue_usd", organization.has_monthly_revenue_usd(),
                                       organization.monthly_revenue_usd()));
  const std::string& country = organization.country();
  if (!country.empty() && (country.size() != 2 ||
                           !std::all_of(country.begin(), country.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))) {
    return Invalid(p + "country",
                   absl::StrCat("`", country.substr(0, 40), "` is not an ISO 3166-1 alpha-2 code such as `US`"));
  }
  MODELREG_RETURN_IF_ERROR(CheckCount(p + "affiliates", organization.affiliates()));
  for (int i = 0; i < organization.affiliates_size(); ++i) {
    const v1::Organization::Affiliate& a = organization.affiliates(i);
    const std::string at = absl::StrCat(p, "affiliates[", i, "].");
    MODELREG_RETURN_IF_ERROR(CheckString(at + "display_name", a.display_name(), kMaxShortString));
    MODELREG_RETURN_IF_ERROR(
        CheckFigure(at + "monthly_active_users", a.has_monthly_active_users(), a.monthly_active_users()));
    MODELREG_RETURN_IF_ERROR(
        CheckFigure(at + "annual_revenue_usd", a.has_annual_revenue_usd(), a.annual_revenue_usd()));
    MODELREG_RETURN_IF_ERROR(
        CheckFigure(at + "monthly_revenue_usd", a.has_monthly_revenue_usd(), a.monthly_revenue_usd()));
  }
  return CheckLabels(p + "labels", organization.labels());
}

absl::Status ValidateDeployment(const v1::Deployment& deployment, const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  if (deployment.model().empty()) return Invalid(p + "model", "is required: the model deployed");
  MODELREG_RETURN_IF_ERROR(WithReason(ParseModelName(deployment.model(), p + "model").status(), "INVALID_NAME"));
  MODELREG_RETURN_IF_ERROR(CheckEnum(p + "hosting", deployment.hosting(), v1::Hosting_descriptor()));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "purpose", deployment.purpose(), kMaxText, /*allow_newlines=*/true));
  MODELREG_RETURN_IF_ERROR(
      CheckEnum(p + "purpose_category", deployment.purpose_category(), v1::Deployment::PurposeCategory_descriptor()));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "product", deployment.product(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(CheckFigure(p + "product_monthly_active_users",
                                       deployment.has_product_monthly_active_users(),
                                       deployment.product_monthly_active_users()));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "distribute_as", deployment.distribute_as(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "owner", deployment.owner(), kMaxShortString));
  MODELREG_RETURN_IF_ERROR(CheckEnum(p + "state", deployment.state(), v1::Deployment::State_descriptor()));
  MODELREG_RETURN_IF_ERROR(CheckString(p + "override.justification", deployment.override().justification(), kMaxText,
                                       /*allow_newlines=*/true));
  return CheckLabels(p + "labels", deployment.labels());
}

absl::Status ValidatePolicy(const v1::Policy& policy, const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  MODELREG_RETURN_IF_ERROR(CheckEnum(p + "mode", policy.mode(), v1::Policy::Mode_descriptor()));
  if (policy.mode() == v1::Policy::MODE_UNSPECIFIED) return Invalid(p + "mode", "must be MODE_ENFORCE or MODE_AUDIT");
  return CheckString(p + "description", policy.description(), kMaxText, /*allow_newlines=*/true);
}

absl::Status CheckReadTime(const pb::Timestamp& read_time) {
  using pb::util::TimeUtil;
  if (read_time.seconds() < TimeUtil::kTimestampMinSeconds || read_time.seconds() > TimeUtil::kTimestampMaxSeconds ||
      read_time.nanos() < 0 || read_time.nanos() > 999999999) {
    return InvalidFieldError("read_time", "not a valid time: expected 0001-01-01 to 9999-12-31 UTC");
  }
  return absl::OkStatus();
}

absl::Status CheckPastReadTime(const pb::Timestamp& read_time, const pb::Timestamp& now) {
  MODELREG_RETURN_IF_ERROR(CheckReadTime(read_time));
  if (read_time > now) {
    return InvalidFieldError("read_time",
                             absl::StrCat("must not be in the future (now is ", pb::util::TimeUtil::ToString(now),
                                          "); the history holds only what has happened"));
  }
  return absl::OkStatus();
}

absl::Status CheckReadTimeRetained(const pb::Timestamp& read_time, absl::Time now, absl::Duration retention) {
  if (retention <= absl::ZeroDuration()) return absl::OkStatus();
  const absl::Time cutoff = now - retention;
  if (pb::util::TimeUtil::TimestampToMicroseconds(read_time) >= absl::ToUnixMicros(cutoff)) return absl::OkStatus();
  return ErrorWithReason(
      absl::StatusCode::kOutOfRange, "HISTORY_NOT_RETAINED",
      absl::StrCat("read_time: history before ", absl::FormatTime(absl::RFC3339_sec, cutoff, absl::UTCTimeZone()),
                   " is not retained (--revision-retention ", absl::FormatDuration(retention), ")"));
}

}  // namespace modelreg

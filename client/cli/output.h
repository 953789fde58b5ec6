// Output formatting for the modelreg CLI: tables and detail views for people, proto3 JSON / YAML for scripts.
// Pure functions of the messages; nothing here does I/O.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/error_details.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "modelreg/v1/openness.pb.h"
#include "modelreg/v1/usage.pb.h"
#include "modelreg/v1/usage_checker.pb.h"

namespace modelreg::cli {

enum class OutputFormat { kTable, kJson, kYaml };

// `table`, `json` or `yaml`.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

// The message as proto3 JSON (snake_case names) or YAML, ending in a newline. Not for kTable.
absl::StatusOr<std::string> FormatStructured(const google::protobuf::Message& message, OutputFormat format);

// Left-aligned columns separated by two spaces; a header row; no trailing spaces. Each line ends in a newline.
std::string RenderTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// An enum value's name without `prefix`, lowercased, `_` replaced by `separator`: ("COMPONENT_KIND_TRAINING_CODE",
// "COMPONENT_KIND_") -> "training code"; "-" when unspecified or unknown to this client (an empty name).
std::string EnumLabel(const std::string& name, absl::string_view prefix, absl::string_view separator = " ");
// RFC 3339.
std::string Timestamp(const google::protobuf::Timestamp& ts);

// Short labels used in tables and detail views.
std::string LevelLabel(const v1::Openness& openness);  // "2 open weights, restrictive license"; "-" when unassessed
std::string MofClassLabel(v1::MofClass mof_class);     // "I", "II", "III", "unclassified", "-"
std::string AccessLabel(v1::Weights::Access access);   // "open", "gated", "gated-manual", "api-only", "closed", "-"
std::string FlagLabel(v1::OpennessFlag flag);          // "license-blocked", "manual-gate", "threshold", ...
std::string ComponentLabel(v1::ComponentKind kind);    // "training code"
std::string ThresholdLabel(const v1::License::UsageThreshold& threshold);  // "MAU > 700M: request license"
// "EU: multimodal models; for individuals domiciled there and companies with their principal place of business there;
// end users exempt".
std::string TerritorialLabel(const v1::License::TerritorialRestriction& r);
std::string VerdictLabel(v1::Verdict verdict);     // "allowed with obligations", "license required", "-"
std::string ShortLicense(absl::string_view name);  // "licenses/mit" -> "mit"; "" -> "-"

// `models list` table: NAME, LEVEL, MOF, ACCESS, LICENSE, FLAGS.
std::string ModelsTable(const std::vector<v1::Model>& models);
// `models get`: the key facts, weights, components, data, and the openness assessment with every reason.
std::string ModelDetail(const v1::Model& model);
// The assessment alone (`models classify`).
std::string OpennessDetail(const v1::Openness& openness);

// `licenses list` table: NAME, CATEGORY, COMMERCIAL, OSI, THRESHOLDS.
std::string LicensesTable(const std::vector<v1::License>& licenses);
// `licenses get`: every stored term.
std::string LicenseDetail(const v1::License& license);

// `check`: the model, its lineage, the profile used and the verdict, then one row per finding (#, VERDICT, FROM,
// LICENSE, TERM, ACTION; an UNKNOWN row's action ends with the missing fact), then each quoted clause with its
// source, numbered as its row. `model` is the checked model's name.
std::string UsageCheckDetail(const std::string& model, const v1::CheckUsageResponse& response);

// The structured details of an RPC error, one indented line each, printed under its `error:` line; "" when none:
//   "  reason: STALE_ETAG (current_etag=..., resource=...)"      ErrorInfo reason and metadata
//   "  field model.weights.license: unknown license ..."         each BadRequest field violation
//   "  precondition REFERENCED_BY publishers/x/models/y: ..."    each PreconditionFailure violation
std::string ErrorDetailLines(const ErrorDetails& details);

}  // namespace modelreg::cli

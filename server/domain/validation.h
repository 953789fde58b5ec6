// Field validation of models and licenses: sizes, formats, enum ranges. Pure; errors are INVALID_ARGUMENT naming the
// field path (e.g. `model.components[2].license`). Limits are documented in proto/README.md.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "modelreg/v1/deployment.pb.h"
#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "modelreg/v1/organization.pb.h"
#include "modelreg/v1/policy.pb.h"
#include "modelreg/v1/usage.pb.h"

namespace modelreg {

inline constexpr size_t kMaxShortString = 256;  // titles, versions, ids, label values
inline constexpr size_t kMaxText = 8192;        // descriptions, quoted clauses
inline constexpr size_t kMaxUri = 2048;
inline constexpr int kMaxRepeated = 64;  // sources, datasets, components, thresholds, restricted uses, labels
// A model or license as stored: serialized, with its computed assessment. Well under the message size (4 MiB by
// default), so that every response can hold a record (server/common/limits.h).
inline constexpr size_t kMaxRecordBytes = size_t{256} << 10;

// Checks the user-settable fields of `model` (output-only fields are ignored). `prefix` is the field path of the
// message in the request, e.g. "model".
absl::Status ValidateModel(const v1::Model& model, const std::string& prefix);

// Checks the user-settable fields of `license`, and its size (CheckRecordSize).
absl::Status ValidateLicense(const v1::License& license, const std::string& prefix);

// INVALID_ARGUMENT on `field` (reason RECORD_TOO_LARGE) when `record` serializes to more than kMaxRecordBytes.
absl::Status CheckRecordSize(const google::protobuf::Message& record, const std::string& field);
// Checks one label value: at most kMaxShortString bytes, no control characters.
absl::Status CheckLabelValue(const std::string& field, const std::string& value);
// Checks a usage profile: figures not negative, `hosting` a known value, `country` empty or two ASCII letters
// (either case), `distribute_as` a short string.
absl::Status ValidateUsageProfile(const v1::UsageProfile& profile, const std::string& prefix);

// Every license the model names, as (field path, license resource name), in field order.
std::vector<std::pair<std::string, std::string>> LicenseReferences(const v1::Model& model, const std::string& prefix);

// Checks the user-settable fields of an organization: figures not negative, `country` empty or two upper-case ASCII
// letters (ISO 3166-1 alpha-2; the service upper-cases it first), affiliates and labels within the limits.
absl::Status ValidateOrganization(const v1::Organization& organization, const std::string& prefix);

// Checks the user-settable fields of a deployment: `model` a model name (required), enums known, figures not
// negative, text within the limits (`override.justification` up to kMaxText).
absl::Status ValidateDeployment(const v1::Deployment& deployment, const std::string& prefix);

// Checks the user-settable fields of a policy but its filter (checked against the model kind by the service):
// `mode` set, `description` within kMaxText.
absl::Status ValidatePolicy(const v1::Policy& policy, const std::string& prefix);

// Checks a request's `read_time` (a read as of a time from the history): INVALID_ARGUMENT naming `read_time` unless
// it is a valid time, 0001-01-01 to 9999-12-31 UTC. (GetModel, GetLicense, GetDeployment: a later time reads the
// current record.)
absl::Status CheckReadTime(const google::protobuf::Timestamp& read_time);
// As CheckReadTime, and no later than `now` (a List or report as of a time: what it shows must not change later).
absl::Status CheckPastReadTime(const google::protobuf::Timestamp& read_time, const google::protobuf::Timestamp& now);
// OUT_OF_RANGE (HISTORY_NOT_RETAINED) when `read_time` is before now - `retention` (modelregd --revision-retention:
// the history before then may be incomplete); OK when `retention` is zero (unlimited).
absl::Status CheckReadTimeRetained(const google::protobuf::Timestamp& read_time, absl::Time now,
                                   absl::Duration retention);

}  // namespace modelreg

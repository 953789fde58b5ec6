#include "server/common/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"

namespace modelreg {
namespace {

// The detail message stored under `url`, or an empty one when there is none (or it does not parse).
template <typename Message>
Message ReadPayload(const absl::Status& status, absl::string_view url) {
  Message message;
  const absl::optional<absl::Cord> payload = status.GetPayload(url);
  if (payload.has_value() && !message.ParseFromString(std::string(*payload))) message.Clear();
  return message;
}

template <typename Message>
void WritePayload(absl::Status& status, absl::string_view url, const Message& message) {
  status.SetPayload(url, absl::Cord(message.SerializeAsString()));
}

}  // namespace

absl::Status InvalidFieldError(absl::string_view field, absl::string_view description, absl::string_view reason) {
  absl::Status status = absl::InvalidArgumentError(absl::StrCat(field, ": ", description));
  AddFieldViolation(status, field, description, reason);
  SetErrorReason(status, reason);
  return status;
}

absl::Status PreconditionError(absl::string_view reason, absl::string_view type, absl::string_view subject,
                               absl::string_view message) {
  absl::Status status = absl::FailedPreconditionError(message);
  AddPreconditionViolation(status, type, subject, message);
  SetErrorReason(status, reason);
  return status;
}

absl::Status ErrorWithReason(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                             const std::map<std::string, std::string>& metadata) {
  absl::Status status(code, message);
  SetErrorReason(status, reason, metadata);
  return status;
}

void SetErrorReason(absl::Status& status, absl::string_view reason,
                    const std::map<std::string, std::string>& metadata) {
  if (status.ok()) return;
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kErrorDomain);
  for (const auto& [key, value] : metadata) (*info.mutable_metadata())[key] = value;
  WritePayload(status, kErrorInfoUrl, info);
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (!status.ok() && !status.GetPayload(kErrorInfoUrl).has_value()) SetErrorReason(status, reason);
  return status;
}

void AddFieldViolation(absl::Status& status, absl::string_view field, absl::string_view description,
                       absl::string_view reason) {
  if (status.ok()) return;
  auto bad_request = ReadPayload<google::rpc::BadRequest>(status, kBadRequestUrl);
  google::rpc::BadRequest::FieldViolation* violation = bad_request.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(description));
  violation->set_reason(std::string(reason));
  WritePayload(status, kBadRequestUrl, bad_request);
}

void AddPreconditionViolation(absl::Status& status, absl::string_view type, absl::string_view subject,
                              absl::string_view description) {
  if (status.ok()) return;
  auto failure = ReadPayload<google::rpc::PreconditionFailure>(status, kPreconditionFailureUrl);
  google::rpc::PreconditionFailure::Violation* violation = failure.add_violations();
  violation->set_type(std::string(type));
  violation->set_subject(std::string(subject));
  violation->set_description(std::string(description));
  WritePayload(status, kPreconditionFailureUrl, failure);
}

std::string ErrorReason(const absl::Status& status) {
  return ReadPayload<google::rpc::ErrorInfo>(status, kErrorInfoUrl).reason();
}

std::vector<std::pair<std::string, std::string>> FieldViolations(const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> violations;
  const auto bad_request = ReadPayload<google::rpc::BadRequest>(status, kBadRequestUrl);
  for (const auto& violation : bad_request.field_violations()) {
    violations.emplace_back(violation.field(), violation.description());
  }
  return violations;
}

}  // namespace modelreg

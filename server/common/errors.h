// Structured errors (AIP-193): the one way server code makes an error that carries google.rpc details. The details
// ride on the absl::Status as payloads keyed by their type URL (`type.googleapis.com/google.rpc.ErrorInfo`, ...), the
// value being the serialized message; the gRPC edge (server/api/grpc_status.cc) packs them into google.rpc.Status.
// Reasons are stable UPPER_SNAKE_CASE identifiers in domain kErrorDomain; the table is in proto/README.md.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelreg {

inline constexpr char kErrorDomain[] = "modelreg.io";  // NOLINT(modernize-avoid-c-arrays): usable as const char*

// Payload keys: the type URLs of the google.rpc detail messages.
inline constexpr absl::string_view kErrorInfoUrl = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr absl::string_view kBadRequestUrl = "type.googleapis.com/google.rpc.BadRequest";
inline constexpr absl::string_view kPreconditionFailureUrl = "type.googleapis.com/google.rpc.PreconditionFailure";

// INVALID_ARGUMENT "<field>: <description>" with a BadRequest field violation {field, description} and ErrorInfo
// reason (default "INVALID_FIELD").
absl::Status InvalidFieldError(absl::string_view field, absl::string_view description,
                               absl::string_view reason = "INVALID_FIELD");

// FAILED_PRECONDITION `message` with a PreconditionFailure violation {type, subject, description=message} and
// ErrorInfo reason.
absl::Status PreconditionError(absl::string_view reason, absl::string_view type, absl::string_view subject,
                               absl::string_view message);

// Any code: `message` with ErrorInfo reason (and optional metadata key/values).
absl::Status ErrorWithReason(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                             const std::map<std::string, std::string>& metadata = {});

// Sets (replaces) the ErrorInfo of a non-OK `status`: reason, domain kErrorDomain, metadata.
void SetErrorReason(absl::Status& status, absl::string_view reason,
                    const std::map<std::string, std::string>& metadata = {});

// `status` with ErrorInfo `reason` unless it already has one; OK passes through. For errors made by code that cannot
// depend on this library (the abseil-only resource-name parsers), e.g. WithReason(ParseModelName(n), "INVALID_NAME").
absl::Status WithReason(absl::Status status, absl::string_view reason);
template <typename T>
absl::StatusOr<T> WithReason(absl::StatusOr<T> status_or, absl::string_view reason) {
  if (status_or.ok()) return status_or;
  return WithReason(std::move(status_or).status(), reason);
}

// Appends a BadRequest field violation to a non-OK `status` (several violations may be reported at once).
void AddFieldViolation(absl::Status& status, absl::string_view field, absl::string_view description,
                       absl::string_view reason = "");

// Appends a PreconditionFailure violation to a non-OK `status`.
void AddPreconditionViolation(absl::Status& status, absl::string_view type, absl::string_view subject,
                              absl::string_view description);

// Reads the details back (for tests, the gRPC edge and the client): reason ("" if none), field violations.
std::string ErrorReason(const absl::Status& status);
std::vector<std::pair<std::string, std::string>> FieldViolations(const absl::Status& status);  // {field, description}

}  // namespace modelreg

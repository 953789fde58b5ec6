// What the service layer checks and records for a mutation carrying a request_id (AIP-155), as pure functions: the
// id's format, and a fingerprint of the request that tells a retry (same fingerprint) from a different request
// reusing the id. Recorded by service/idempotent_calls.h.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace modelreg {

// The request's top-level `request_id` field ("" when the message has none or it is empty).
std::string RequestIdOf(const google::protobuf::Message& request);

// The id, normalized (lowercase), or INVALID_ARGUMENT naming `request_id` when it is not a UUID.
absl::StatusOr<std::string> CheckRequestId(absl::string_view id);

// SHA-256 (32 raw bytes) of the request's full type name and its deterministic serialization with the top-level
// `request_id` cleared: equal for a retry of the same request by the same binary, different for any other request
// (another method, another field value, a field set to its default explicitly in proto3 being the same request).
std::string RequestFingerprint(const google::protobuf::Message& request);

}  // namespace modelreg

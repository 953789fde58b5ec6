// Structured error details (AIP-193) from the modelreg server. The server sends a google.rpc.Status in the
// `grpc-status-details-bin` trailer; FromGrpcStatus (client.h) keeps each of its details on the absl::Status as a
// payload keyed by its type URL (e.g. `type.googleapis.com/google.rpc.ErrorInfo`), and GetErrorDetails reads them.
// Reasons and detail types: proto/README.md, section "Errors".
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace modelreg {

// google.rpc.BadRequest.FieldViolation: `field` is a path into the request, e.g. `model.weights.license`.
struct FieldViolation {
  std::string field;
  std::string description;
};

// google.rpc.PreconditionFailure.Violation, e.g. {REFERENCED_BY, publishers/x/models/y, ...}.
struct PreconditionViolation {
  std::string type;
  std::string subject;
  std::string description;
};

struct ErrorDetails {
  std::string reason;  // google.rpc.ErrorInfo.reason, e.g. UNKNOWN_LICENSE; "" when the status has none
  std::string domain;  // "modelreg.io" for errors from the modelreg server
  std::map<std::string, std::string> metadata;
  std::vector<FieldViolation> field_violations;
  std::vector<PreconditionViolation> precondition_violations;
};

// The details carried by `status` (empty for OK or for a status without details).
ErrorDetails GetErrorDetails(const absl::Status& status);

// Adds each detail of the serialized google.rpc.Status `details_bin` to `status` as a payload keyed by its type URL.
// Does nothing when `details_bin` is empty, unparsable, or `status` is OK.
void AddErrorDetailPayloads(const std::string& details_bin, absl::Status& status);

}  // namespace modelreg

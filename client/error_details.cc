#include "client/error_details.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace modelreg {
namespace {

// The payload key of detail type `Message`: its type URL as google.protobuf.Any spells it.
template <typename Message>
std::string TypeUrl() {
  return absl::StrCat("type.googleapis.com/", Message::descriptor()->full_name());
}

// Parses the payload of type `Message` into `message`; false when absent or unparsable.
template <typename Message>
bool ReadPayload(const absl::Status& status, Message& message) {
  const absl::optional<absl::Cord> payload = status.GetPayload(TypeUrl<Message>());
  return payload.has_value() && message.ParseFromString(std::string(*payload));
}

}  // namespace

ErrorDetails GetErrorDetails(const absl::Status& status) {
  ErrorDetails details;
  if (google::rpc::ErrorInfo info; ReadPayload(status, info)) {
    details.reason = info.reason();
    details.domain = info.domain();
    details.metadata.insert(info.metadata().begin(), info.metadata().end());
  }
  if (google::rpc::BadRequest bad_request; ReadPayload(status, bad_request)) {
    for (const auto& v : bad_request.field_violations()) {
      details.field_violations.push_back({v.field(), v.description()});
    }
  }
  if (google::rpc::PreconditionFailure failure; ReadPayload(status, failure)) {
    for (const auto& v : failure.violations()) {
      details.precondition_violations.push_back({v.type(), v.subject(), v.description()});
    }
  }
  return details;
}

void AddErrorDetailPayloads(const std::string& details_bin, absl::Status& status) {
  google::rpc::Status rpc;
  if (status.ok() || details_bin.empty() || !rpc.ParseFromString(details_bin)) return;
  for (const google::protobuf::Any& detail : rpc.details()) {
    status.SetPayload(detail.type_url(), absl::Cord(detail.value()));
  }
}

}  // namespace modelreg

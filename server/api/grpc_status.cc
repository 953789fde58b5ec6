#include "server/api/grpc_status.h"

#include <map>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "server/common/errors.h"

namespace modelreg {
namespace {

constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

bool IsIdentifierStart(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
bool IsIdentifierChar(char c) { return IsIdentifierStart(c) || (c >= '0' && c <= '9'); }

// Length of the field path `message` starts with when it is followed by ": " (e.g. `model.components[0].license`,
// `labels[team]`, `requests[3].model_id`), else 0.
size_t FieldPathLength(absl::string_view message) {
  size_t i = 0;
  while (true) {
    if (i >= message.size() || !IsIdentifierStart(message[i])) return 0;
    while (i < message.size() && IsIdentifierChar(message[i])) ++i;
    while (i < message.size() && message[i] == '[') {
      const size_t close = message.find(']', i + 1);
      if (close == absl::string_view::npos || close == i + 1) return 0;
      const absl::string_view index = message.substr(i + 1, close - i - 1);
      if (index.find_first_of(" [") != absl::string_view::npos) return 0;
      i = close + 1;
    }
    if (i < message.size() && message[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  return absl::StartsWith(message.substr(i), ": ") ? i : 0;
}

// The message's field path as a BadRequest violation, when an INVALID_ARGUMENT names one and has none.
void DeriveFieldViolation(absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument || status.GetPayload(kBadRequestUrl).has_value()) return;
  const std::string message(status.message());
  const size_t length = FieldPathLength(message);
  if (length == 0) return;
  AddFieldViolation(status, message.substr(0, length), message.substr(length + 2));
  if (!status.GetPayload(kErrorInfoUrl).has_value()) SetErrorReason(status, "INVALID_FIELD");
}

}  // namespace

std::string DefaultReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kNotFound:
      return "RESOURCE_NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "RESOURCE_ALREADY_EXISTS";
    default:
      return absl::StatusCodeToString(code);
  }
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status rpc;
  if (status.ok()) return rpc;
  absl::Status completed = status;
  DeriveFieldViolation(completed);
  if (!completed.GetPayload(kErrorInfoUrl).has_value()) SetErrorReason(completed, DefaultReason(completed.code()));

  rpc.set_code(static_cast<int>(completed.code()));
  rpc.set_message(std::string(completed.message()));
  std::map<std::string, std::string> details;  // sorted by type URL, for a stable order
  completed.ForEachPayload([&details](absl::string_view url, const absl::Cord& value) {
    if (absl::StartsWith(url, kTypeUrlPrefix)) details.emplace(std::string(url), std::string(value));
  });
  auto add = [&rpc](const std::string& url, std::string value) {
    google::protobuf::Any* any = rpc.add_details();
    any->set_type_url(url);
    any->set_value(std::move(value));
  };
  if (auto info = details.find(std::string(kErrorInfoUrl)); info != details.end()) {
    add(info->first, std::move(info->second));
    details.erase(info);
  }
  for (auto& [url, value] : details) add(url, std::move(value));
  return rpc;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  return {static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
          ToRpcStatus(status).SerializeAsString()};
}

}  // namespace modelreg

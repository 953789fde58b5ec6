// Parses JSON text into a google.protobuf.Value (objects as Struct, numbers as doubles), with simdjson: the
// importers read model infos through the Struct accessors, and protobuf's own JSON parser (JsonStringToMessage) was
// most of the Hub importer's CPU.
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"

namespace modelreg::cli {

// Objects nested deeper than this are refused.
inline constexpr int kMaxJsonDepth = 64;

// INVALID_ARGUMENT "not JSON: <why>" for text that is not one JSON value (invalid UTF-8 included), or nests deeper
// than kMaxJsonDepth. A key given twice keeps its last value.
absl::StatusOr<google::protobuf::Value> ParseJsonValue(absl::string_view json);

}  // namespace modelreg::cli

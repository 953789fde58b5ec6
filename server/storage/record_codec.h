// Helpers shared by the stores: the stored form of a record, etags, timestamps and PostgreSQL literals.
// Internal to the storage layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/domain/resource/resource_kind.h"

namespace modelreg::storage_internal {

// Deterministic serialization (map entries sorted), so equal records give equal bytes and equal etags.
std::string SerializeDeterministic(const google::protobuf::MessageLite& message);

// 16 lowercase hex digits of a 64-bit hash (FNV-1a over 8-byte words, then a finalizer) of `record` and the decimal
// `revision`. Stable across processes and machines.
std::string ComputeEtag(absl::string_view record, int64_t revision);

// Microseconds since the Unix epoch <-> google.protobuf.Timestamp (sub-microsecond digits are dropped).
int64_t TimestampToMicros(const google::protobuf::Timestamp& timestamp);
google::protobuf::Timestamp MicrosToTimestamp(int64_t micros);

// A PostgreSQL array literal (`{"a","b"}`) of text values, for a `$n::text[]` parameter.
std::string TextArrayLiteral(const std::vector<std::string>& values);
// A PostgreSQL array literal of text values where nullopt is NULL (`{"a",NULL}`).
std::string NullableTextArrayLiteral(const std::vector<std::optional<std::string>>& values);
// A one-dimensional bytea[] in PostgreSQL's binary array format (array_recv), for a `$n::bytea[]` parameter sent in
// binary: no hex encoding on either side.
std::string ByteaArrayBinary(const std::vector<std::string>& values);
// The resource name at the start of a serialized record (field 1, `name`, which deterministic serialization writes
// first); empty when the bytes do not start with it.
absl::string_view LeadingName(absl::string_view record);
// Decodes PostgreSQL's hex output of a bytea (`\x0a1b...`, the default bytea_output) into `out`, replacing its
// content. False, `out` unspecified, when `text` is not in that format.
bool DecodeByteaHex(absl::string_view text, std::string* out);
// A PostgreSQL array literal of integers (`{1,3}`), for a `$n::smallint[]` parameter.
std::string IntArrayLiteral(const std::vector<int>& values);

// A derived column's value as a text parameter in PostgreSQL's input syntax; nullopt is NULL. A map becomes a JSON
// object with its keys in order.
std::optional<std::string> EncodeColumn(const ColumnValue& value);

}  // namespace modelreg::storage_internal

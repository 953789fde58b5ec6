// Size limits shared by the layers, process-wide (modelregd sets the message size from --max-message-bytes at
// start-up; documented in proto/README.md "Limits").
//
// The message size bounds every request modelregd accepts and every response it sends. Responses that carry many
// records are kept under it by a byte budget, ResponseRecordBudget() (3/4 of the message size, 3 MiB by default):
// a List page stops early, with a next_page_token, before its records would exceed it, and a BatchCreateModels
// whose created models would exceed it is refused before anything is written. Each record is at most
// kMaxRecordBytes (server/domain/validation.h), so a page always has room for one.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace modelreg {

// Requests in one BatchCreateModels, names in one BatchGetModels.
inline constexpr int kMaxBatch = 1000;

inline constexpr int64_t kDefaultMaxMessageBytes = int64_t{4} << 20;  // gRPC's default receive limit everywhere
inline constexpr int64_t kMinMaxMessageBytes = int64_t{1} << 20;
inline constexpr int64_t kMaxMaxMessageBytes = int64_t{256} << 20;
// What a record adds to a response beyond its stored bytes: output-only fields (times, etag, revision) and framing.
inline constexpr int64_t kResponseBytesPerRecord = 128;

// Clamped to [kMinMaxMessageBytes, kMaxMaxMessageBytes]. Not meant to change while calls run.
void SetMaxMessageBytes(int64_t bytes);
int64_t MaxMessageBytes();

// The bytes of records (stored bytes + kResponseBytesPerRecord each) one response may carry: 3/4 of
// MaxMessageBytes(), leaving room for the rest of the response (page token, framing).
int64_t ResponseRecordBudget();

// OK, or INVALID_ARGUMENT (reason BATCH_TOO_LARGE) on `field` when records totalling `bytes` (stored bytes +
// kResponseBytesPerRecord each) would not fit in one response.
absl::Status CheckResponseBudget(const std::string& field, int64_t bytes);

}  // namespace modelreg

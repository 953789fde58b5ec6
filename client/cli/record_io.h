// Reading records (-f FILE) for create/update: YAML or JSON in the proto3 JSON mapping, and the default update mask.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace modelreg::cli {

// The most the CLI reads from one input file (-f, import, catalog load): 16 MiB, far above any record or catalog.
inline constexpr size_t kMaxInputBytes = size_t{16} << 20;

// The whole file (`-` is stdin), never more than `max_bytes`. Errors name the path: NOT_FOUND, PERMISSION_DENIED,
// INVALID_ARGUMENT for a directory or an input larger than `max_bytes` (checked as it is read, so /dev/zero or an
// endless pipe stops there), INTERNAL for another read error. Never throws.
absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes = kMaxInputBytes);

// Parses YAML or JSON into `message` (either field-name style). INVALID_ARGUMENT prefixed with `path`.
absl::Status ParseRecord(const std::string& path, absl::string_view text, google::protobuf::Message* message);

// The proto field names (snake_case) of the top-level keys in `text`, for a default update mask. `name`, `etag` and
// the output-only fields (`create_time`, `update_time`, `delete_time`, `revision`, `openness`) are left out.
// INVALID_ARGUMENT for a key that is no field of `descriptor`.
absl::StatusOr<std::vector<std::string>> TopLevelFields(absl::string_view text,
                                                        const google::protobuf::Descriptor& descriptor);

// Splits `a,b , c` into paths; INVALID_ARGUMENT when empty.
absl::StatusOr<std::vector<std::string>> ParseUpdateMask(absl::string_view text);

}  // namespace modelreg::cli

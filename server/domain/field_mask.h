// Applies an AIP-134 update_mask: copies the named fields from the request's message onto the stored one.
#pragma once

#include <set>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"

namespace modelreg {

// Copies the fields named in `mask` from `from` to `to` (repeated and map fields are replaced, not appended; a
// message path replaces the whole sub-message). `*` means every top-level field not in `immutable`. An empty mask,
// an unknown path, or a path into `immutable` fields (output-only, name) is INVALID_ARGUMENT naming `update_mask`.
absl::Status ApplyFieldMask(const google::protobuf::FieldMask& mask, const google::protobuf::Message& from,
                            const std::set<std::string>& immutable, google::protobuf::Message* to);

}  // namespace modelreg

// The rules of a WatchChanges request, without I/O: what a valid request is, and which changes its caller sees.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "modelreg/v1/history.pb.h"
#include "server/domain/auth/auth.h"

namespace modelreg {

// The resource kinds a change stream can name, by collection (the `kind` of a ChangeEvent).
bool IsWatchableKind(absl::string_view kind);

// OK, or INVALID_ARGUMENT naming the field: `start_after_sequence` negative, an unknown entry of `kinds`, an entry of
// `name_prefixes` that is empty, starts or ends with `/` or holds an empty segment.
absl::Status ValidateWatchRequest(const v1::WatchChangesRequest& request);

// Whether a change of `resource` (of `kind`) passes the request's kind and prefix filters (a prefix matches at a
// segment boundary: `publishers/acme` matches `publishers/acme/models/x`, not `publishers/acme2`).
bool MatchesWatchFilter(const v1::WatchChangesRequest& request, absl::string_view kind, absl::string_view resource);

// Whether `principal` may see a change of `resource`: the viewer role on it, as for reading it (a token's changes:
// the admin role on `tokens`).
bool MayWatch(const Principal& principal, absl::string_view kind, absl::string_view resource);

}  // namespace modelreg

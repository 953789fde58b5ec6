// Request ids (AIP-155): the optional idempotency key of every mutation, a UUID in its canonical text form. Abseil
// only: the server validates them (request_fingerprint.h), the client library generates them.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace modelreg {

// True for a UUID in canonical form, 8-4-4-4-12 hex digits (either case), any version, but not the nil UUID.
bool IsValidRequestId(absl::string_view id);

// The id in lowercase (UUIDs compare case-insensitively).
std::string NormalizeRequestId(absl::string_view id);

// A random (version 4) UUID, lowercase, from the system's random source.
std::string GenerateRequestId();

}  // namespace modelreg

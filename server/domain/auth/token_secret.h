// API token secrets: `mrt_` + 43 base64url characters (256 bits from OpenSSL's RAND_bytes). The prefix lets secret
// scanners find leaked tokens. Only the SHA-256 of a secret is stored; stored hashes are compared in constant time.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelreg {

inline constexpr absl::string_view kTokenPrefix = "mrt_";

// A new random secret. INTERNAL if the random generator fails.
absl::StatusOr<std::string> GenerateTokenSecret();
// A new random token id (the public `tokens/{id}`): 16 lowercase hex characters.
absl::StatusOr<std::string> GenerateTokenId();
// Whether `secret` has the token form (prefix, length, alphabet); says nothing about whether it exists.
bool IsWellFormedTokenSecret(absl::string_view secret);
// The raw 32-byte SHA-256 of `secret`.
std::string HashTokenSecret(absl::string_view secret);
// Constant-time comparison (of hashes; the length is not secret).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace modelreg

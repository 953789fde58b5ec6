// Opaque List page tokens: base64url (no padding) of
//   version byte (1) | fingerprint (8 bytes, little endian) | key count (varint) | per key: 0 (NULL) or
//   1 + length (varint) + bytes.
// The fingerprint is 64-bit FNV-1a over the request fields that must not change between pages; it detects a token
// reused with another request, not forgery: every decoded key value is validated again before it is bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelreg {

struct PageTokenData {
  uint64_t fingerprint = 0;
  std::vector<std::optional<std::string>> key;
};

// 64-bit FNV-1a over each part, length-prefixed (so ("ab", "c") and ("a", "bc") differ).
uint64_t Fingerprint(const std::vector<std::string>& parts);

std::string EncodePageToken(const PageTokenData& data);
// INVALID_ARGUMENT naming page_token when the token is not one EncodePageToken produced.
absl::StatusOr<PageTokenData> DecodePageToken(absl::string_view token);

}  // namespace modelreg

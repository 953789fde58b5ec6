#include "server/domain/auth/token_secret.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace modelreg {
namespace {

constexpr size_t kSecretBytes = 32;
constexpr size_t kEncodedLength = 43;  // unpadded base64 of 32 bytes

absl::StatusOr<std::string> RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): OpenSSL's byte buffers
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    return absl::InternalError("random generator failed");
  }
  return bytes;
}

}  // namespace

absl::StatusOr<std::string> GenerateTokenSecret() {
  MODELREG_ASSIGN_OR_RETURN(std::string bytes, RandomBytes(kSecretBytes));
  return absl::StrCat(kTokenPrefix, absl::WebSafeBase64Escape(bytes));
}

absl::StatusOr<std::string> GenerateTokenId() {
  MODELREG_ASSIGN_OR_RETURN(std::string bytes, RandomBytes(8));
  return absl::BytesToHexString(bytes);
}

bool IsWellFormedTokenSecret(absl::string_view secret) {
  if (!absl::StartsWith(secret, kTokenPrefix) || secret.size() != kTokenPrefix.size() + kEncodedLength) return false;
  return std::all_of(secret.begin() + static_cast<std::ptrdiff_t>(kTokenPrefix.size()), secret.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string HashTokenSecret(absl::string_view secret) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): OpenSSL's byte buffers
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace modelreg

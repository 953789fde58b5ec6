#include "server/domain/request_id.h"

#include <array>
#include <cstdint>
#include <random>

#include "absl/strings/ascii.h"

namespace modelreg {
namespace {

constexpr size_t kLength = 36;

bool IsDashAt(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

bool IsValidRequestId(absl::string_view id) {
  if (id.size() != kLength) return false;
  bool all_zero = true;
  for (size_t i = 0; i < id.size(); ++i) {
    if (IsDashAt(i)) {
      if (id[i] != '-') return false;
    } else {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(id[i]))) return false;
      all_zero = all_zero && id[i] == '0';
    }
  }
  return !all_zero;
}

std::string NormalizeRequestId(absl::string_view id) { return absl::AsciiStrToLower(id); }

std::string GenerateRequestId() {
  // std::random_device reads the kernel's random source (getrandom or /dev/urandom with libstdc++ on Linux).
  thread_local std::random_device random;
  std::array<uint8_t, 16> bytes{};
  for (size_t i = 0; i < bytes.size(); i += 4) {
    const uint32_t word = random();
    for (size_t j = 0; j < 4; ++j) bytes[i + j] = static_cast<uint8_t>(word >> (8 * j));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";          // NOLINT(modernize-avoid-c-arrays)
  std::string id;
  id.reserve(kLength);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id.push_back('-');
    id.push_back(kHex[bytes[i] >> 4]);
    id.push_back(kHex[bytes[i] & 0x0f]);
  }
  return id;
}

}  // namespace modelreg

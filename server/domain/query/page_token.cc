#include "server/domain/query/page_token.h"

#include "absl/strings/escaping.h"

namespace modelreg {
namespace {

constexpr char kVersion = 1;
constexpr size_t kMaxTokenLength = 16384;
constexpr uint64_t kMaxKeys = 16;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(absl::string_view& in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

absl::Status Invalid() {
  return absl::InvalidArgumentError(
      "page_token: not a valid page token; expected the next_page_token of a previous "
      "response, unchanged");
}

}  // namespace

uint64_t Fingerprint(const std::vector<std::string>& parts) {
  uint64_t hash = 14695981039346656037ULL;
  auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 1099511628211ULL;
  };
  for (const std::string& part : parts) {
    uint64_t n = part.size();
    for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>((n >> (8 * i)) & 0xFF));
    for (char ch : part) mix(static_cast<unsigned char>(ch));
  }
  return hash;
}

std::string EncodePageToken(const PageTokenData& data) {
  std::string raw;
  raw.push_back(kVersion);
  for (int i = 0; i < 8; ++i) raw.push_back(static_cast<char>((data.fingerprint >> (8 * i)) & 0xFF));
  PutVarint(raw, data.key.size());
  for (const auto& value : data.key) {
    if (!value.has_value()) {
      raw.push_back(0);
      continue;
    }
    raw.push_back(1);
    PutVarint(raw, value->size());
    raw.append(*value);
  }
  std::string out;
  absl::WebSafeBase64Escape(raw, &out);
  return out;
}

absl::StatusOr<PageTokenData> DecodePageToken(absl::string_view token) {
  if (token.size() > kMaxTokenLength) return Invalid();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return Invalid();
  absl::string_view in(raw);
  if (in.size() < 9 || in[0] != kVersion) return Invalid();
  PageTokenData data;
  for (int i = 0; i < 8; ++i) {
    data.fingerprint |= static_cast<uint64_t>(static_cast<unsigned char>(in[1 + static_cast<size_t>(i)])) << (8 * i);
  }
  in.remove_prefix(9);
  uint64_t count = 0;
  if (!GetVarint(in, &count) || count > kMaxKeys) return Invalid();
  for (uint64_t k = 0; k < count; ++k) {
    if (in.empty()) return Invalid();
    const char flag = in.front();
    in.remove_prefix(1);
    if (flag == 0) {
      data.key.emplace_back(std::nullopt);
      continue;
    }
    uint64_t length = 0;
    if (flag != 1 || !GetVarint(in, &length) || length > in.size()) return Invalid();
    data.key.emplace_back(std::string(in.substr(0, length)));
    in.remove_prefix(length);
  }
  if (!in.empty()) return Invalid();
  return data;
}

}  // namespace modelreg

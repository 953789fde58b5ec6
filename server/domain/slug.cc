#include "server/domain/slug.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace modelreg {
namespace {

constexpr size_t kMaxIdLength = 63;

// `id` without the characters of `edges` at either end.
std::string TrimEnds(const std::string& id, const std::string& edges) {
  const size_t begin = id.find_first_not_of(edges);
  if (begin == std::string::npos) return "";
  return id.substr(begin, id.find_last_not_of(edges) - begin + 1);
}

}  // namespace

std::string Slug(absl::string_view text, absl::string_view punctuation) {
  const std::string edges = absl::StrCat("-", punctuation);
  std::string out;
  for (const char c : text) {
    const char lower = absl::ascii_tolower(static_cast<unsigned char>(c));
    if ((lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') ||
        (lower != '-' && punctuation.find(lower) != absl::string_view::npos)) {
      out.push_back(lower);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  out = TrimEnds(out, edges);
  if (out.size() > kMaxIdLength) {
    const size_t dash = out.rfind('-', kMaxIdLength);
    out.resize(dash != std::string::npos && dash > 0 ? dash : kMaxIdLength);
    out = TrimEnds(out, edges);
  }
  return out;
}

}  // namespace modelreg

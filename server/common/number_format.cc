#include "server/common/number_format.h"

#include "absl/strings/str_cat.h"

namespace modelreg {

std::string GroupDigits(int64_t n) {
  // Through uint64_t, so that the most negative value has a magnitude too.
  const uint64_t magnitude = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  const std::string digits = absl::StrCat(magnitude);
  std::string out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace modelreg

// Durations as flags spell them: `90d`, `12h`, `30m`, `45s`. Header-only (abseil), shared by modelregd and the CLI.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace modelreg {

// `<n>d`, `<n>h`, `<n>m` or `<n>s` with 0 < n <= 100000. INVALID_ARGUMENT naming `flag` otherwise.
inline absl::StatusOr<absl::Duration> ParseDurationText(const std::string& text, absl::string_view flag) {
  const auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": expected e.g. 90d, 12h, 30m; got `", text, "`"));
  };
  int64_t n = 0;
  if (text.empty() || !absl::SimpleAtoi(text.substr(0, text.size() - 1), &n) || n <= 0 || n > 100000) {
    return invalid();
  }
  switch (text.back()) {
    case 'd':
      return absl::Hours(24 * n);
    case 'h':
      return absl::Hours(n);
    case 'm':
      return absl::Minutes(n);
    case 's':
      return absl::Seconds(n);
    default:
      return invalid();
  }
}

}  // namespace modelreg

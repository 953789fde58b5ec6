#include "server/domain/query/time_values.h"

#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace modelreg {
namespace {

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

}  // namespace

bool IsValidDate(absl::string_view text, bool allow_long_year) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  if (parts.size() != 3 || parts[1].size() != 2 || parts[2].size() != 2) return false;
  if (parts[0].size() < 4 || (parts[0].size() > 4 && !allow_long_year) || parts[0].size() > 7) return false;
  if (!AllDigits(parts[0]) || !AllDigits(parts[1]) || !AllDigits(parts[2])) return false;
  int64_t year = 0;
  int month = 0, day = 0;
  if (!absl::SimpleAtoi(parts[0], &year) || !absl::SimpleAtoi(parts[1], &month) || !absl::SimpleAtoi(parts[2], &day)) {
    return false;
  }
  if (year < 1 || year > kMaxPostgresDateYear || month < 1 || month > 12 || day < 1) return false;
  return day <= DaysInMonth(year, month);
}

bool ParseTimestampMicros(absl::string_view text, int64_t* micros) {
  if (text.size() > 64) return false;
  absl::Time t;
  std::string err;
  if (IsValidDate(text)) {
    if (!absl::ParseTime("%Y-%m-%d", std::string(text), absl::UTCTimeZone(), &t, &err)) return false;
  } else {
    // RFC 3339: a date, `T` (or `t`), a time with optional fraction, and `Z` or an offset.
    if (text.size() < 20 || !IsValidDate(text.substr(0, 10)) || (text[10] != 'T' && text[10] != 't')) return false;
    std::string canonical(text);
    canonical[10] = 'T';
    if (canonical.back() == 'z') canonical.back() = 'Z';
    if (!absl::ParseTime(absl::RFC3339_full, canonical, absl::UTCTimeZone(), &t, &err)) return false;
  }
  const absl::CivilSecond civil = absl::ToCivilSecond(t, absl::UTCTimeZone());
  if (civil.year() < 1 || civil.year() > 9999) return false;
  *micros = absl::ToUnixMicros(t);
  return true;
}

std::string FormatTimestampMicros(int64_t micros) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

}  // namespace modelreg

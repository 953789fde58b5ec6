// Dates and timestamps as filters and page tokens write them. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace modelreg {

// The instants modelreg accepts anywhere (filters, page tokens): 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z,
// in microseconds since the Unix epoch. Well inside PostgreSQL's timestamptz range (4713 BC to 294276 AD).
inline constexpr int64_t kMinTimestampMicros = -62135596800000000;
inline constexpr int64_t kMaxTimestampMicros = 253402300799999999;
// The last year of PostgreSQL's `date` (5874897-12-31); a later date is a database error, not a value.
inline constexpr int64_t kMaxPostgresDateYear = 5874897;

// Parses RFC 3339 (`2024-01-01T10:00:00Z`, `...+02:00`, fractional seconds) or a date (midnight UTC) into
// microseconds since the Unix epoch. Years 1-9999.
bool ParseTimestampMicros(absl::string_view text, int64_t* micros);
// Formats microseconds since the Unix epoch as RFC 3339 UTC with microseconds (`2024-01-01T10:00:00.000000Z`).
std::string FormatTimestampMicros(int64_t micros);
// Checks YYYY-MM-DD with a real calendar day, year 1-9999 (`allow_long_year`: more than 4 year digits, as
// PostgreSQL prints far-future dates, up to kMaxPostgresDateYear).
bool IsValidDate(absl::string_view text, bool allow_long_year = false);

}  // namespace modelreg

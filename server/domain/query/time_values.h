// Dates and timestamps as filters and page tokens write them. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace modelreg {

// Parses RFC 3339 (`2024-01-01T10:00:00Z`, `...+02:00`, fractional seconds) or a date (midnight UTC) into
// microseconds since the Unix epoch. Years 1-9999.
bool ParseTimestampMicros(absl::string_view text, int64_t* micros);
// Formats microseconds since the Unix epoch as RFC 3339 UTC with microseconds (`2024-01-01T10:00:00.000000Z`).
std::string FormatTimestampMicros(int64_t micros);
// Checks YYYY-MM-DD with a real calendar day, year 1-9999 (`allow_long_year`: more than 4 year digits, as
// PostgreSQL prints far-future dates).
bool IsValidDate(absl::string_view text, bool allow_long_year = false);

}  // namespace modelreg

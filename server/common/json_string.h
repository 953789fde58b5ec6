// JSON string literals, escaped in one place for the log lines, the YAML-to-JSON conversion and the labels column.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace modelreg {

// `text` as the body of a JSON string (without the quotes): quotes, backslashes and control characters escaped; a
// byte that does not start a valid UTF-8 sequence becomes U+FFFD.
std::string JsonEscape(absl::string_view text);

// `text` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view text);

}  // namespace modelreg

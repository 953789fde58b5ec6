// A resource id made from free text (a model's or a license's name as a file writes it), for the importers.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace modelreg {

// `text` with ASCII letters lowercased; a-z, 0-9 and the characters of `punctuation` kept; every run of other
// characters (`-` included) one `-`; no `-` or `punctuation` at either end; cut to 63 characters, at the last `-`
// within them when there is one. "" when nothing is left.
std::string Slug(absl::string_view text, absl::string_view punctuation);

}  // namespace modelreg

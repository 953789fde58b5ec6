// Levenshtein distance, for "did you mean" suggestions in error messages.
#pragma once

#include <cstddef>

#include "absl/strings/string_view.h"

namespace modelreg {

// Levenshtein distance, capped at `cap` + 1 (cheap for long inputs).
size_t EditDistance(absl::string_view a, absl::string_view b, size_t cap);

}  // namespace modelreg

// AIP-160 filter subset: lexer and recursive-descent parser to an AST. Pure; knows no fields and no SQL.
//
// Grammar (AIP-160, https://google.aip.dev/160), lowest precedence first:
//
//   filter      : [expression]
//   expression  : sequence {"AND" sequence}
//   sequence    : factor {factor}                  (juxtaposition "a b" is an implicit AND)
//   factor      : term {"OR" term}
//   term        : ("NOT" | "-") term | simple
//   simple      : "(" expression ")" | restriction
//   restriction : FIELD comparator value
//   comparator  : "=" | "!=" | "<" | "<=" | ">" | ">=" | ":"
//   value       : STRING | TEXT                    ("*" alone means "present", with ":" only)
//
// So NOT binds tightest, then OR, then (implicit or explicit) AND: `a AND b OR c` means `a AND (b OR c)`, as AIP-160
// specifies (it is the reverse of SQL). Keywords are case-sensitive upper case.
//
// Lexing: whitespace separates tokens. FIELD is a run of letters, digits and `_ . - /`. After a comparator, TEXT runs
// to whitespace, a parenthesis, a quote or a comparator character, and may contain `:` and start with `-`, so
// `create_time >= 2024-01-01T00:00:00+02:00` and `parameter_count > -1` need no quotes. STRING is "..." or '...' with
// the escapes \\ \" \' \n \r \t and \* (a literal star). A value ending in an unescaped `*` is a trailing wildcard
// (prefix match); any other `*` is literal.
//
// Limits: at most 4096 bytes, nesting (parentheses and negations) at most 32 deep, at most 64 restrictions. The
// filter must be valid UTF-8 without control characters outside strings and without NUL anywhere. Every error is
// INVALID_ARGUMENT: "filter: <what> at column <n>; expected <what>".
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelreg {

inline constexpr size_t kMaxFilterLength = 4096;
inline constexpr int kMaxFilterDepth = 32;
inline constexpr int kMaxFilterTerms = 64;

enum class Comparator { kEq, kNe, kLt, kLe, kGt, kGe, kHas };

// The comparator as written in a filter (`=`, `!=`, ..., `:`).
absl::string_view ComparatorText(Comparator op);

struct FilterValue {
  // Decoded text without the trailing wildcard star.
  std::string text;
  // The value was quoted.
  bool quoted = false;
  // The value ended in an unescaped `*` (prefix match); a bare `*` is {text = "", wildcard = true, quoted = false}.
  bool wildcard = false;
  // 1-based column of the value.
  size_t column = 0;

  // The bare `*` of `field:*`.
  bool IsPresence() const { return !quoted && wildcard && text.empty(); }
};

struct FilterNode {
  enum class Kind { kAnd, kOr, kNot, kRestriction };
  Kind kind = Kind::kRestriction;
  // kAnd, kOr: two or more; kNot: one.
  std::vector<std::unique_ptr<FilterNode>> children;
  // kRestriction only.
  std::string field;
  size_t field_column = 0;
  Comparator op = Comparator::kEq;
  size_t op_column = 0;
  FilterValue value;
};

// Parses `filter`. Returns nullptr for an empty (or all-whitespace) filter. INVALID_ARGUMENT naming `field_name`.
absl::StatusOr<std::unique_ptr<FilterNode>> ParseFilter(absl::string_view filter,
                                                        absl::string_view field_name = "filter");

// 1-based column (in characters, not bytes) of byte `offset` of valid UTF-8 `text`.
size_t ColumnOf(absl::string_view text, size_t offset);

// False if `text` is not valid UTF-8 (overlong forms and surrogates included); sets `*bad_offset` to the first bad
// byte.
bool IsValidUtf8(absl::string_view text, size_t* bad_offset = nullptr);

}  // namespace modelreg

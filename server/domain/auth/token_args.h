// Parsing of the token options shared by `modelregd tokens create` and `modelreg tokens create`: role names and
// lifetimes (`90d`, `12h`, `30m`). Header-only (abseil and the generated protos), so the CLI needs no server code.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "modelreg/v1/admin.pb.h"
#include "server/common/duration_text.h"

namespace modelreg {

// `viewer`, `editor`, `admin` (any case, with or without `ROLE_`).
inline absl::StatusOr<v1::Role> ParseRoleName(const std::string& text) {
  std::string name = absl::AsciiStrToUpper(text);
  if (name.rfind("ROLE_", 0) != 0) name = "ROLE_" + name;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  if (!v1::Role_Parse(name, &role) || role == v1::ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat("--role: unknown role `", text, "` (viewer, editor, admin)"));
  }
  return role;
}

inline std::string RoleShortName(v1::Role role) {
  std::string name = absl::AsciiStrToLower(v1::Role_Name(role));
  return name.rfind("role_", 0) == 0 ? name.substr(5) : name;
}

// `<n>d`, `<n>h`, `<n>m` or `<n>s` with n > 0; "" or `never` is no expiry (zero).
inline absl::StatusOr<absl::Duration> ParseTokenLifetime(const std::string& text) {
  if (text.empty() || text == "never") return absl::ZeroDuration();
  return ParseDurationText(text, "--expires");
}

}  // namespace modelreg

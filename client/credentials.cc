#include "client/credentials.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace modelreg {

std::string ClientConfigPath() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return absl::StrCat(xdg, "/modelreg/config");
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return absl::StrCat(home, "/.config/modelreg/config");
  }
  return "";
}

std::string ReadClientConfigValue(const std::string& path, const std::string& key) {
  if (path.empty()) return "";
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    const auto eq = text.find('=');
    if (eq == absl::string_view::npos) continue;
    if (absl::StripAsciiWhitespace(text.substr(0, eq)) != key) continue;
    return std::string(absl::StripAsciiWhitespace(text.substr(eq + 1)));
  }
  return "";
}

std::string ResolveToken(const std::string& explicit_token) {
  if (!explicit_token.empty()) return explicit_token;
  if (const char* env = std::getenv("MODELREG_TOKEN"); env != nullptr && *env != '\0') return env;
  return ReadClientConfigValue(ClientConfigPath(), "token");
}

}  // namespace modelreg

#include "client/server_target.h"

#include <arpa/inet.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace modelreg {
namespace {

// Target URI schemes gRPC 1.51 resolves (https://github.com/grpc/grpc/blob/v1.51.0/doc/naming.md).
constexpr const char* kSchemes[] = {"dns:", "ipv4:", "ipv6:", "unix:", "unix-abstract:"};

enum class Family { kIpv4, kIpv6 };

// The family of `entry` (`a.b.c.d:port` or `[v6]:port`); INVALID_ARGUMENT naming it otherwise.
absl::StatusOr<Family> FamilyOf(absl::string_view entry) {
  const size_t colon = entry.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(entry.substr(colon + 1), &port) || port < 1 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("server `", entry, "`: expected host:port"));
  }
  absl::string_view host = entry.substr(0, colon);
  unsigned char address[16];
  if (absl::ConsumePrefix(&host, "[") && absl::ConsumeSuffix(&host, "]") &&
      inet_pton(AF_INET6, std::string(host).c_str(), address) == 1) {
    return Family::kIpv6;
  }
  if (inet_pton(AF_INET, std::string(host).c_str(), address) == 1) return Family::kIpv4;
  return absl::InvalidArgumentError(
      absl::StrCat("server `", entry,
                   "`: a list of servers takes IP addresses (IPv6 in brackets); for a host name that resolves to "
                   "several addresses, give dns:///name:port alone"));
}

}  // namespace

absl::StatusOr<std::string> ServerTarget(const std::string& servers) {
  for (const char* scheme : kSchemes) {
    if (absl::StartsWith(servers, scheme)) return servers;
  }
  if (!absl::StrContains(servers, ',')) return servers;
  std::vector<std::string> entries;
  std::optional<Family> family;
  for (absl::string_view entry : absl::StrSplit(servers, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) return absl::InvalidArgumentError(absl::StrCat("servers `", servers, "`: an empty entry"));
    absl::StatusOr<Family> this_family = FamilyOf(entry);
    if (!this_family.ok()) return this_family.status();
    if (family.has_value() && *family != *this_family) {
      return absl::InvalidArgumentError(
          absl::StrCat("servers `", servers, "`: IPv4 and IPv6 addresses cannot be mixed in one list"));
    }
    family = *this_family;
    entries.emplace_back(entry);
  }
  return absl::StrCat(*family == Family::kIpv4 ? "ipv4:" : "ipv6:", absl::StrJoin(entries, ","));
}

grpc::ChannelArguments RoundRobinArguments(grpc::ChannelArguments args) {
  args.SetServiceConfigJSON(R"({"loadBalancingConfig":[{"round_robin":{}}]})");
  return args;
}

}  // namespace modelreg

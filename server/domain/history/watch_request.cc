#include "server/domain/history/watch_request.h"

#include <algorithm>
#include <array>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"

namespace modelreg {
namespace {

constexpr std::array<absl::string_view, 6> kKinds = {"models",      "licenses", "organizations",
                                                     "deployments", "policies", "tokens"};

bool MatchesPrefix(absl::string_view prefix, absl::string_view resource) {
  return absl::StartsWith(resource, prefix) && (resource.size() == prefix.size() || resource[prefix.size()] == '/');
}

}  // namespace

bool IsWatchableKind(absl::string_view kind) { return std::find(kKinds.begin(), kKinds.end(), kind) != kKinds.end(); }

absl::Status ValidateWatchRequest(const v1::WatchChangesRequest& request) {
  if (request.has_start_after_sequence() && request.start_after_sequence() < 0) {
    return InvalidFieldError("start_after_sequence", "must not be negative");
  }
  for (const std::string& kind : request.kinds()) {
    if (!IsWatchableKind(kind)) {
      return InvalidFieldError("kinds", absl::StrCat("unknown kind `", kind,
                                                     "`; expected models, licenses, organizations, deployments, "
                                                     "policies or tokens"));
    }
  }
  for (const std::string& prefix : request.name_prefixes()) {
    if (prefix.empty() || absl::StartsWith(prefix, "/") || absl::EndsWith(prefix, "/") ||
        absl::StrContains(prefix, "//")) {
      return InvalidFieldError("name_prefixes", absl::StrCat("invalid prefix `", prefix,
                                                             "`; expected a resource name or its start, "
                                                             "e.g. `publishers/acme`"));
    }
  }
  return absl::OkStatus();
}

bool MatchesWatchFilter(const v1::WatchChangesRequest& request, absl::string_view kind, absl::string_view resource) {
  if (!request.kinds().empty() &&
      std::find(request.kinds().begin(), request.kinds().end(), kind) == request.kinds().end()) {
    return false;
  }
  return request.name_prefixes().empty() ||
         std::any_of(request.name_prefixes().begin(), request.name_prefixes().end(),
                     [&](const std::string& prefix) { return MatchesPrefix(prefix, resource); });
}

bool MayWatch(const Principal& principal, absl::string_view kind, absl::string_view resource) {
  if (kind == "tokens") return Authorize(principal, Action::kAdmin, "tokens").ok();
  return Authorize(principal, Action::kRead, resource).ok();
}

}  // namespace modelreg

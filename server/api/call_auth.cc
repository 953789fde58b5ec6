#include "server/api/call_auth.h"

#include <optional>
#include <string>

#include "server/common/errors.h"
#include "server/common/status_macros.h"

namespace modelreg {

absl::StatusOr<Principal> CallAuth::Check(const grpc::ServerContextBase& context, absl::string_view full_method,
                                          const google::protobuf::Message& request) const {
  if (options_.disabled) return Principal::System();
  const MethodRule* rule = FindMethodRule(full_method);
  if (rule == nullptr) {
    return ErrorWithReason(absl::StatusCode::kPermissionDenied, "NO_AUTHORIZATION_RULE",
                           absl::StrCat("no authorization rule for ", full_method));
  }
  std::optional<std::string> authorization;
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    authorization.emplace(it->second.data(), it->second.size());
  }
  Principal principal;
  if (!authorization.has_value() && options_.allow_anonymous_read && rule->anonymous_read) {
    principal = Principal::AnonymousReader();
  } else {
    MODELREG_ASSIGN_OR_RETURN(principal, tokens_->Authenticate(authorization));
  }
  MODELREG_RETURN_IF_ERROR(AuthorizeCall(principal, full_method, request));
  return principal;
}

}  // namespace modelreg

#include "server/api/call_auth.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/api/call_observer.h"
#include "server/api/peer_identity.h"
#include "server/common/errors.h"
#include "server/common/status_macros.h"

namespace modelreg {

absl::StatusOr<Principal> CallAuth::Check(const grpc::ServerContextBase& context, absl::string_view full_method,
                                          const google::protobuf::Message& request) const {
  if (options_.disabled) {
    NoteCallIdentity(context, Principal::System().name, request);
    return Principal::System();
  }
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
  absl::StatusOr<std::optional<Principal>> certified = std::nullopt;
  if (!authorization.has_value()) certified = CertificatePrincipal(context);
  if (certified.ok() && certified->has_value()) {
    principal = **std::move(certified);
  } else if (!authorization.has_value() && options_.allow_anonymous_read && rule->anonymous_read) {
    principal = Principal::AnonymousReader();
  } else if (!certified.ok()) {
    return certified.status();
  } else {
    MODELREG_ASSIGN_OR_RETURN(principal, tokens_->Authenticate(authorization));
  }
  NoteCallIdentity(context, principal.name, request);  // authenticated: the access log names it even when denied
  MODELREG_RETURN_IF_ERROR(AuthorizeCall(principal, full_method, request));
  return principal;
}

absl::StatusOr<std::optional<Principal>> CallAuth::CertificatePrincipal(const grpc::ServerContextBase& context) const {
  if (options_.certificates == nullptr) return std::nullopt;
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return std::nullopt;
  const std::optional<PeerCertificate> peer = VerifiedPeerCertificate(*auth);
  if (!peer.has_value()) return std::nullopt;
  if (const Principal* bound = options_.certificates->Find(peer->subject); bound != nullptr) return *bound;
  return ErrorWithReason(absl::StatusCode::kUnauthenticated, "CERTIFICATE_NOT_BOUND",
                         absl::StrCat("the client certificate's subject `", peer->subject,
                                      "` is not bound to any role (modelregd --tls-client-bindings) and the call "
                                      "carries no token: send `authorization: Bearer <token>` or bind the subject"));
}

}  // namespace modelreg

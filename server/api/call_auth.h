// Authentication and authorization of one gRPC call, the one place the adapters check the caller: the bearer token
// of the `authorization` metadata (TokenService, cached for a few seconds) or, for a call without one, the bindings
// of its verified client certificate (mTLS, domain/auth/certificate_bindings.h), then the method's rule
// (domain/auth/auth.h) over the request's resource names. Runs before the service touches any data.
#pragma once

#include <grpcpp/server_context.h>

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "server/domain/auth/auth.h"
#include "server/domain/auth/certificate_bindings.h"
#include "server/service/token_service.h"

namespace modelreg {

class CallAuth {
 public:
  struct Options {
    // Get, List, Classify and CheckUsage without a token (a present but bad token still fails).
    bool allow_anonymous_read = false;
    // INSECURE: no authentication or authorization at all; every call acts as Principal::System().
    bool disabled = false;
    // Client certificate subjects bound to roles (modelregd --tls-client-bindings); null: none. A token, when
    // sent, wins over the certificate.
    const CertificateBindings* certificates = nullptr;
  };

  CallAuth(TokenService* tokens, Options options) : tokens_(tokens), options_(options) {}

  // The acting principal, or UNAUTHENTICATED (TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED,
  // CERTIFICATE_NOT_BOUND: a verified client certificate whose subject has no binding, and no token) or
  // PERMISSION_DENIED (PERMISSION_DENIED, NO_AUTHORIZATION_RULE). `full_method` is `/package.Service/Method`.
  absl::StatusOr<Principal> Check(const grpc::ServerContextBase& context, absl::string_view full_method,
                                  const google::protobuf::Message& request) const;

 private:
  // The principal bound to the call's verified client certificate; nullopt when the call has none or bindings are
  // not configured; CERTIFICATE_NOT_BOUND when its subject is not listed.
  absl::StatusOr<std::optional<Principal>> CertificatePrincipal(const grpc::ServerContextBase& context) const;

  TokenService* tokens_;
  Options options_;
};

}  // namespace modelreg

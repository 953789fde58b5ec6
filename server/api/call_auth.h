// Authentication and authorization of one gRPC call, the one place the adapters check the caller: the bearer token
// of the `authorization` metadata (TokenService, cached for a few seconds), then the method's rule
// (domain/auth/auth.h) over the request's resource names. Runs before the service touches any data.
#pragma once

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "server/domain/auth/auth.h"
#include "server/service/token_service.h"

namespace modelreg {

class CallAuth {
 public:
  struct Options {
    // Get, List, Classify and CheckUsage without a token (a present but bad token still fails).
    bool allow_anonymous_read = false;
    // INSECURE: no authentication or authorization at all; every call acts as Principal::System().
    bool disabled = false;
  };

  CallAuth(TokenService* tokens, Options options) : tokens_(tokens), options_(options) {}

  // The acting principal, or UNAUTHENTICATED (TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED) or
  // PERMISSION_DENIED (PERMISSION_DENIED, NO_AUTHORIZATION_RULE). `full_method` is `/package.Service/Method`.
  absl::StatusOr<Principal> Check(const grpc::ServerContextBase& context, absl::string_view full_method,
                                  const google::protobuf::Message& request) const;

 private:
  TokenService* tokens_;
  Options options_;
};

}  // namespace modelreg

// API tokens: creation (the secret is returned once; only its SHA-256 is stored), listing, revocation, and the
// authentication of a call's `authorization: Bearer <secret>` metadata value. Used by the Admin gRPC service, by
// `modelregd tokens ...` on the database directly, and by the gRPC adapters (server/api/call_auth.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "modelreg/v1/admin.pb.h"
#include "server/domain/auth/auth.h"
#include "server/service/idempotent_calls.h"
#include "server/storage/repositories.h"

namespace modelreg {

class TokenService {
 public:
  struct Options {
    // How long a token lookup is reused: a revocation takes effect within this time.
    absl::Duration cache_ttl = absl::Seconds(5);
    // last_use_time is written at most this often per token.
    absl::Duration last_use_interval = absl::Minutes(1);
    // Cached lookups (valid and unknown hashes); the cache is cleared when full.
    size_t max_cached = 10000;
  };

  // CreateToken and RevokeToken honour `request_id` through `calls` (idempotent_calls.h; without one, a request_id
  // is refused).
  explicit TokenService(TokenRepository* tokens, IdempotentCalls* calls = nullptr)
      : TokenService(tokens, Options(), calls) {}
  TokenService(TokenRepository* tokens, Options options, IdempotentCalls* calls = nullptr)
      : tokens_(tokens), options_(options), calls_(calls != nullptr ? calls : &IdempotentCalls::Unrecorded()) {}

  // INVALID_ARGUMENT: principal empty or longer than 256 bytes, no binding, a binding without role or with a bad
  // scope, a negative ttl. The secret is never recorded: a retry with the request_id of a call that created a token
  // is ALREADY_EXISTS (reason TOKEN_ALREADY_CREATED, metadata `resource`: the token, which the caller should revoke).
  absl::StatusOr<v1::CreateTokenResponse> CreateToken(const v1::CreateTokenRequest& request,
                                                      const Principal& actor = Principal::System());
  absl::StatusOr<v1::ListTokensResponse> ListTokens(const v1::ListTokensRequest& request,
                                                    const Principal& actor = Principal::System());
  // NOT_FOUND, INVALID_ARGUMENT (name).
  absl::StatusOr<v1::Token> RevokeToken(const v1::RevokeTokenRequest& request,
                                        const Principal& actor = Principal::System());

  // The principal of the `authorization` metadata value (`Bearer <secret>`). UNAUTHENTICATED with reason
  // TOKEN_MISSING (no value), TOKEN_INVALID (not a bearer token of ours, or unknown), TOKEN_EXPIRED, TOKEN_REVOKED;
  // UNAVAILABLE when the database does not answer. Never logs or returns the secret.
  absl::StatusOr<Principal> Authenticate(const std::optional<std::string>& authorization);

  // Drops cached lookups (tests; after a revocation through this process).
  void ClearCache();

 private:
  struct CacheEntry {
    std::optional<TokenRepository::Found> found;
    absl::Time fetched;
  };

  absl::StatusOr<v1::CreateTokenResponse> Create(const v1::CreateTokenRequest& request);
  absl::StatusOr<v1::Token> Revoke(const v1::RevokeTokenRequest& request);

  TokenRepository* tokens_;
  Options options_;
  IdempotentCalls* calls_;
  absl::Mutex mutex_;
  std::unordered_map<std::string, CacheEntry> cache_ ABSL_GUARDED_BY(mutex_);       // by secret hash
  std::unordered_map<std::string, absl::Time> last_touch_ ABSL_GUARDED_BY(mutex_);  // by token name
};

}  // namespace modelreg

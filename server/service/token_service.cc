#include "server/service/token_service.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/domain/auth/token_secret.h"
#include "server/domain/names.h"

namespace modelreg {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr size_t kMaxPrincipalBytes = 256;
constexpr size_t kMaxBindings = 64;
constexpr int64_t kMaxTokenTtlSeconds = int64_t{3650} * 24 * 3600;  // 10 years

absl::Status Unauthenticated(absl::string_view reason, absl::string_view message) {
  return ErrorWithReason(absl::StatusCode::kUnauthenticated, reason, message);
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Timestamp ToProto(absl::Time time) {
  google::protobuf::Timestamp t;
  const int64_t micros = absl::ToUnixMicros(time);
  t.set_seconds(micros / 1000000);
  t.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return t;
}

}  // namespace

absl::StatusOr<v1::CreateTokenResponse> TokenService::CreateToken(const v1::CreateTokenRequest& request,
                                                                  const Principal& actor) {
  // Safer than keeping the secret (even encrypted) for a day: a retry learns which token its first call created, and
  // revokes it; the secret exists only in the first response.
  IdempotentCalls::ReplayRules<v1::CreateTokenResponse> rules;
  rules.redact = [](v1::CreateTokenResponse& response) { response.clear_secret(); };
  rules.replay = [](const v1::CreateTokenResponse& recorded) -> absl::StatusOr<v1::CreateTokenResponse> {
    const std::string& name = recorded.token().name();
    return ErrorWithReason(
        absl::StatusCode::kAlreadyExists, "TOKEN_ALREADY_CREATED",
        absl::StrCat("request_id: this request already created token `", name,
                     "`; its secret is shown only once and is not kept. Revoke that token and create another with a "
                     "new request_id"),
        {{"resource", name}});
  };
  return calls_->Run<v1::CreateTokenResponse>(
      actor, request, [&] { return Create(request); }, rules);
}

absl::StatusOr<v1::CreateTokenResponse> TokenService::Create(const v1::CreateTokenRequest& request) {
  const v1::Token& in = request.token();
  if (in.principal().empty() || in.principal().size() > kMaxPrincipalBytes) {
    return InvalidFieldError("token.principal", "must be 1-256 bytes");
  }
  if (in.bindings().empty()) return InvalidFieldError("token.bindings", "at least one (role, scope) binding needed");
  if (in.bindings_size() > static_cast<int>(kMaxBindings)) {
    return InvalidFieldError("token.bindings", "at most 64 bindings");
  }
  for (int i = 0; i < in.bindings_size(); ++i) {
    const v1::TokenBinding& b = in.bindings(i);
    if (b.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(b.role())) {
      return InvalidFieldError(absl::StrCat("token.bindings[", i, "].role"), "must be viewer, editor or admin");
    }
    MODELREG_RETURN_IF_ERROR(ValidateScope(b.scope(), absl::StrCat("token.bindings[", i, "].scope")));
  }
  if (request.ttl().seconds() < 0 || request.ttl().nanos() < 0) {
    return InvalidFieldError("ttl", "must not be negative");
  }
  if (request.ttl().seconds() > kMaxTokenTtlSeconds || request.ttl().nanos() > 999'999'999) {
    return InvalidFieldError("ttl", absl::StrCat("at most 10 years (", kMaxTokenTtlSeconds,
                                                 "s); leave it unset for a token that does not expire"));
  }
  v1::Token token;
  token.set_principal(in.principal());
  *token.mutable_bindings() = in.bindings();
  if (request.ttl().seconds() > 0 || request.ttl().nanos() > 0) {
    const absl::Duration ttl = absl::Seconds(request.ttl().seconds()) + absl::Nanoseconds(request.ttl().nanos());
    *token.mutable_expire_time() = ToProto(absl::Now() + ttl);
  }
  MODELREG_ASSIGN_OR_RETURN(std::string id, GenerateTokenId());
  MODELREG_ASSIGN_OR_RETURN(std::string secret, GenerateTokenSecret());
  token.set_name(absl::StrCat("tokens/", id));
  v1::CreateTokenResponse response;
  MODELREG_ASSIGN_OR_RETURN(*response.mutable_token(), tokens_->Create(token, HashTokenSecret(secret)));
  response.set_secret(std::move(secret));
  return response;
}

absl::StatusOr<v1::ListTokensResponse> TokenService::ListTokens(const v1::ListTokensRequest& request,
                                                                const Principal& /*actor*/) {
  if (request.page_size() < 0) return InvalidFieldError("page_size", "must not be negative");
  const int limit = request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  std::string after;
  if (!request.page_token().empty() &&
      (!absl::WebSafeBase64Unescape(request.page_token(), &after) || !IsValidResourceId(after))) {
    return InvalidFieldError("page_token", "not a token returned by ListTokens");
  }
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Token> tokens, tokens_->List(after, limit + 1));
  v1::ListTokensResponse response;
  for (size_t i = 0; i < tokens.size() && i < static_cast<size_t>(limit); ++i) {
    *response.add_tokens() = std::move(tokens[i]);
  }
  if (tokens.size() > static_cast<size_t>(limit)) {
    const std::string& last = response.tokens(limit - 1).name();
    response.set_next_page_token(absl::WebSafeBase64Escape(last.substr(std::string("tokens/").size())));
  }
  return response;
}

absl::StatusOr<v1::Token> TokenService::RevokeToken(const v1::RevokeTokenRequest& request, const Principal& actor) {
  MODELREG_ASSIGN_OR_RETURN(v1::Token token, calls_->Run<v1::Token>(actor, request, [&] { return Revoke(request); }));
  ClearCache();
  return token;
}

absl::StatusOr<v1::Token> TokenService::Revoke(const v1::RevokeTokenRequest& request) {
  if (!IsTokenName(request.name())) {
    return WithReason(InvalidFieldError("name", "expected `tokens/{token}`"), "INVALID_NAME");
  }
  return tokens_->Revoke(request.name(), absl::Now());
}

absl::StatusOr<Principal> TokenService::Authenticate(const std::optional<std::string>& authorization) {
  if (!authorization.has_value() || authorization->empty()) {
    return Unauthenticated("TOKEN_MISSING", "authentication required: send `authorization: Bearer <token>`");
  }
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization->size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(absl::string_view(*authorization).substr(0, kScheme.size()), kScheme)) {
    return Unauthenticated("TOKEN_INVALID", "the authorization metadata is not `Bearer <token>`");
  }
  const absl::string_view secret = absl::StripAsciiWhitespace(absl::string_view(*authorization).substr(kScheme.size()));
  if (!IsWellFormedTokenSecret(secret)) {
    return Unauthenticated("TOKEN_INVALID", "the bearer token is not a modelreg token (`mrt_...`)");
  }
  const std::string hash = HashTokenSecret(secret);
  const absl::Time now = absl::Now();
  std::optional<TokenRepository::Found> found;
  bool cached = false;
  {
    absl::MutexLock lock(&mutex_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && now - it->second.fetched < options_.cache_ttl) {
      found = it->second.found;
      cached = true;
    }
  }
  if (!cached) {
    MODELREG_ASSIGN_OR_RETURN(found, tokens_->FindBySecretHash(hash));
    absl::MutexLock lock(&mutex_);
    if (cache_.size() >= options_.max_cached) cache_.clear();
    cache_[hash] = CacheEntry{found, now};
  }
  if (!found.has_value() || !ConstantTimeEquals(found->secret_sha256, hash)) {
    return Unauthenticated("TOKEN_INVALID", "unknown bearer token");
  }
  const v1::Token& token = found->token;
  if (token.has_revoke_time()) {
    return Unauthenticated("TOKEN_REVOKED", absl::StrCat("token `", token.name(), "` was revoked"));
  }
  if (token.has_expire_time() && FromProto(token.expire_time()) <= now) {
    return Unauthenticated("TOKEN_EXPIRED", absl::StrCat("token `", token.name(), "` has expired"));
  }
  bool touch = false;
  {
    absl::MutexLock lock(&mutex_);
    absl::Time& last = last_touch_[token.name()];
    if (now - last >= options_.last_use_interval) {
      last = now;
      touch = true;
    }
  }
  if (touch) {
    if (absl::Status status = tokens_->TouchLastUse(token.name(), now); !status.ok()) {
      MODELREG_LOG(WARNING) << "cannot record the use of " << token.name() << ": " << status;
    }
  }
  Principal principal;
  principal.name = token.principal();
  principal.token = token.name();
  for (const v1::TokenBinding& b : token.bindings()) principal.bindings.push_back({b.role(), b.scope()});
  return principal;
}

void TokenService::ClearCache() {
  absl::MutexLock lock(&mutex_);
  cache_.clear();
}

}  // namespace modelreg

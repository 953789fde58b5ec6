// PostgreSQL storage of API tokens (table `tokens`, one row per token, the secret's SHA-256 in an indexed column).
// Row code comes from ResourceTable (the token kind's description); this file adds the lookup by hash.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/storage/connection_pool.h"
#include "server/storage/repositories.h"

namespace modelreg {

class TokenStore : public TokenRepository {
 public:
  explicit TokenStore(ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<v1::Token> Create(const v1::Token& token, const std::string& secret_sha256) override;
  absl::StatusOr<std::optional<Found>> FindBySecretHash(const std::string& secret_sha256) override;
  absl::StatusOr<v1::Token> Revoke(const std::string& name, absl::Time now) override;
  absl::StatusOr<std::vector<v1::Token>> List(const std::string& after_id, int limit) override;
  absl::Status TouchLastUse(const std::string& name, absl::Time now) override;

 private:
  ConnectionPool* pool_;
};

}  // namespace modelreg

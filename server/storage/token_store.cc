#include "server/storage/token_store.h"

#include <pqxx/pqxx>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "modelreg/storage/v1/stored_token.pb.h"
#include "server/common/status_macros.h"
#include "server/domain/resource/token_kind.h"
#include "server/storage/record_codec.h"
#include "server/storage/resource_table.h"
#include "server/storage/statements.h"

namespace modelreg {
namespace {

using storage::v1::StoredToken;

constexpr char kFindByHash[] = "modelreg_token_find_by_hash";

const ResourceTable& Table() {
  static const auto* table = new ResourceTable(TokenKind());
  return *table;
}

std::string IdOf(const std::string& name) {
  if (!absl::StartsWith(name, "tokens/")) return "";
  return name.substr(std::string("tokens/").size());
}

absl::Status NotFound(const std::string& name) {
  return absl::NotFoundError(absl::StrCat("token `", name, "` not found"));
}

google::protobuf::Timestamp ToProto(absl::Time time) {
  return storage_internal::MicrosToTimestamp(absl::ToUnixMicros(time));
}

// The token as the API shows it: never the hash.
v1::Token Public(const StoredToken& stored) {
  v1::Token token = stored.token();
  token.set_name(stored.name());
  *token.mutable_create_time() = stored.create_time();
  return token;
}

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& TokenStoreStatements() {
  static const auto* statements = [] {
    auto* all = new std::vector<PreparedStatement>(Table().Statements());
    all->push_back(
        {kFindByHash, absl::StrCat("SELECT ", Table().record_columns(), " FROM tokens t WHERE t.secret_sha256 = $1")});
    return all;
  }();
  return *statements;
}
}  // namespace storage_internal

absl::StatusOr<v1::Token> TokenStore::Create(const v1::Token& token, const std::string& secret_sha256) {
  const std::string id = IdOf(token.name());
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat("invalid token name `", token.name(), "`"));
  StoredToken stored;
  stored.set_name(token.name());
  *stored.mutable_token() = token;
  stored.mutable_token()->clear_create_time();
  stored.set_secret_sha256(secret_sha256);
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(bool inserted, Table().Insert(tx, id, stored));
    if (!inserted) return absl::AlreadyExistsError(absl::StrCat("token `", token.name(), "` already exists"));
    return absl::OkStatus();
  }));
  return Public(stored);
}

absl::StatusOr<std::optional<TokenRepository::Found>> TokenStore::FindBySecretHash(const std::string& secret_sha256) {
  std::optional<Found> found;
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, [&](Transaction& tx) -> absl::Status {
    const pqxx::result rows = tx.sql().exec_prepared(kFindByHash, absl::BytesToHexString(secret_sha256));
    if (rows.empty()) return absl::OkStatus();
    StoredToken stored;
    MODELREG_RETURN_IF_ERROR(Table().Decode(rows[0], stored));
    found = Found{Public(stored), stored.secret_sha256()};
    return absl::OkStatus();
  }));
  return found;
}

absl::StatusOr<v1::Token> TokenStore::Revoke(const std::string& name, absl::Time now) {
  const std::string id = IdOf(name);
  if (id.empty()) return NotFound(name);
  StoredToken result;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(bool found, Table().Lock(tx, id, result));
    if (!found) return NotFound(name);
    if (result.token().has_revoke_time()) return absl::OkStatus();
    *result.mutable_token()->mutable_revoke_time() = ToProto(now);
    MODELREG_ASSIGN_OR_RETURN(bool updated, Table().Update(tx, id, result, /*deleted=*/false));
    if (!updated) return NotFound(name);
    return absl::OkStatus();
  }));
  return Public(result);
}

absl::StatusOr<std::vector<v1::Token>> TokenStore::List(const std::string& after_id, int limit) {
  std::vector<StoredToken> stored;
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(stored, Table().Scan<StoredToken>(tx, after_id, limit));
    return absl::OkStatus();
  }));
  std::vector<v1::Token> tokens;
  tokens.reserve(stored.size());
  for (const StoredToken& s : stored) tokens.push_back(Public(s));
  return tokens;
}

absl::Status TokenStore::TouchLastUse(const std::string& name, absl::Time now) {
  const std::string id = IdOf(name);
  if (id.empty()) return absl::OkStatus();
  return RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    StoredToken stored;
    MODELREG_ASSIGN_OR_RETURN(bool found, Table().Lock(tx, id, stored));
    if (!found) return absl::OkStatus();
    *stored.mutable_token()->mutable_last_use_time() = ToProto(now);
    Table().Rewrite(tx, id, stored);
    return absl::OkStatus();
  });
}

}  // namespace modelreg

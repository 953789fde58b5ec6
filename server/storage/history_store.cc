#include "server/storage/history_store.h"

#include <pqxx/pqxx>
#include <utility>

#include "absl/strings/str_cat.h"
#include "modelreg/storage/v1/stored_token.pb.h"
#include "server/common/status_macros.h"
#include "server/storage/kind_tables.h"
#include "server/storage/record_codec.h"
#include "server/storage/resource_table.h"
#include "server/storage/sql/sql_expressions.h"
#include "server/storage/statements.h"

namespace modelreg {
namespace {

constexpr char kList[] = "modelreg_revisions_list";
constexpr char kGet[] = "modelreg_revisions_get";
constexpr char kAt[] = "modelreg_revisions_at";

// The columns a revision is read from: first a kind table's record columns (record, revision, the three times), so
// that ResourceTable::Decode reads them, then the history's own.
std::string Columns() {
  return absl::StrCat("record, revision, ", sql::MicrosExpr("create_time"), ", ", sql::MicrosExpr("update_time"), ", ",
                      sql::MicrosExpr("delete_time"), ", kind, sequence, change, principal, request_id, ",
                      sql::MicrosExpr("commit_time"), " FROM revisions WHERE resource = $1");
}

// Decodes the record of `row` into the field of `revision` its kind fills (a token's stored form becomes its token:
// the secret's hash stays in the database).
absl::Status DecodeRecord(const pqxx::row& row, const std::string& kind, v1::Revision& revision) {
  const ResourceTable* table = TableOfKind(kind);
  if (table == nullptr) return absl::InternalError(absl::StrCat("history of an unknown kind `", kind, "`"));
  if (kind == "models") return table->Decode(row, *revision.mutable_model());
  if (kind == "licenses") return table->Decode(row, *revision.mutable_license());
  if (kind == "organizations") return table->Decode(row, *revision.mutable_organization());
  if (kind == "deployments") return table->Decode(row, *revision.mutable_deployment());
  if (kind == "policies") return table->Decode(row, *revision.mutable_policy());
  storage::v1::StoredToken stored;
  MODELREG_RETURN_IF_ERROR(table->Decode(row, stored));
  v1::Token& token = *revision.mutable_token();
  token = std::move(*stored.mutable_token());
  token.set_name(stored.name());
  *token.mutable_create_time() = stored.create_time();
  return absl::OkStatus();
}

absl::StatusOr<v1::Revision> ToRevision(const std::string& resource, const pqxx::row& row) {
  v1::Revision revision;
  revision.set_resource(resource);
  const auto kind = row[5].as<std::string>();
  revision.set_sequence(row[6].as<int64_t>());
  revision.set_resource_revision(row[1].as<int64_t>());
  revision.set_change(static_cast<v1::ChangeKind>(row[7].as<int>()));
  revision.set_principal(row[8].as<std::string>());
  revision.set_request_id(row[9].as<std::string>());
  *revision.mutable_commit_time() = storage_internal::MicrosToTimestamp(row[10].as<int64_t>());
  if (!row[0].is_null()) MODELREG_RETURN_IF_ERROR(DecodeRecord(row, kind, revision));
  return revision;
}

absl::StatusOr<std::optional<v1::Revision>> FirstOf(const std::string& resource, const pqxx::result& rows) {
  if (rows.empty()) return std::optional<v1::Revision>();
  MODELREG_ASSIGN_OR_RETURN(v1::Revision revision, ToRevision(resource, rows[0]));
  return std::optional<v1::Revision>(std::move(revision));
}

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& HistoryStoreStatements() {
  static const auto* statements = new std::vector<PreparedStatement>{
      {kList, absl::StrCat("SELECT ", Columns(), " AND sequence > $2 ORDER BY sequence LIMIT $3::integer")},
      {kGet, absl::StrCat("SELECT ", Columns(), " AND sequence = $2")},
      {kAt, absl::StrCat("SELECT ", Columns(), " AND commit_time <= ", sql::TimestampFromMicrosExpr("$2::bigint"),
                         " ORDER BY sequence DESC LIMIT 1")},
  };
  return *statements;
}
}  // namespace storage_internal

absl::StatusOr<std::vector<v1::Revision>> HistoryStore::ListRevisions(const std::string& resource,
                                                                      int64_t after_sequence, int limit) {
  std::vector<v1::Revision> revisions;
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, [&](Transaction& tx) -> absl::Status {
    revisions.clear();
    for (const pqxx::row& row : tx.sql().exec_prepared(kList, resource, after_sequence, limit)) {
      MODELREG_ASSIGN_OR_RETURN(v1::Revision revision, ToRevision(resource, row));
      revisions.push_back(std::move(revision));
    }
    return absl::OkStatus();
  }));
  return revisions;
}

absl::StatusOr<std::optional<v1::Revision>> HistoryStore::GetRevision(const std::string& resource, int64_t sequence) {
  std::optional<v1::Revision> found;
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(found, FirstOf(resource, tx.sql().exec_prepared(kGet, resource, sequence)));
    return absl::OkStatus();
  }));
  return found;
}

absl::StatusOr<std::optional<v1::Revision>> HistoryStore::RevisionAt(const std::string& resource,
                                                                     const google::protobuf::Timestamp& time) {
  std::optional<v1::Revision> found;
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(
        found, FirstOf(resource, tx.sql().exec_prepared(kAt, resource, storage_internal::TimestampToMicros(time))));
    return absl::OkStatus();
  }));
  return found;
}

}  // namespace modelreg

#include "server/storage/history_store.h"

#include <pqxx/pqxx>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "modelreg/storage/v1/stored_token.pb.h"
#include "server/common/errors.h"
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
constexpr char kPrune[] = "modelreg_revisions_prune";

// What may still refer to a resource about to be purged: a statement returning one referrer's name for the purged
// row's key ($1), soft-deleted referrers included (they must be purged first). The foreign keys of schema/ and the
// references kept in records (a model's base_model).
struct Referrer {
  const char* table;      // the purged resource's kind
  const char* statement;  // its prepared name
  const char* what;       // the referrer, e.g. `deployment`
  const char* how;        // how it refers, e.g. `uses it`
  const char* sql;
};
constexpr Referrer kReferrers[] = {
    {"models", "modelreg_purge_model_deployment", "deployment", "uses it",
     "SELECT name FROM deployments WHERE model = $1 ORDER BY name LIMIT 1"},
    {"models", "modelreg_purge_model_derived", "model", "names it as its base_model",
     "SELECT name FROM models WHERE base_model = $1 ORDER BY name LIMIT 1"},
    {"licenses", "modelreg_purge_license_model", "model", "references it",
     "SELECT name FROM models WHERE license_refs @> ARRAY[$1::text] ORDER BY name LIMIT 1"},
    {"organizations", "modelreg_purge_organization_deployment", "deployment", "belongs to it",
     "SELECT name FROM deployments WHERE organization = $1 ORDER BY name LIMIT 1"},
    {"organizations", "modelreg_purge_organization_policy", "policy", "belongs to it",
     "SELECT name FROM policies WHERE organization = $1 ORDER BY name LIMIT 1"},
};

std::string Columns() {
  return absl::StrCat(storage_internal::RevisionColumns("record"), " FROM revisions WHERE resource = $1");
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

// The table of the resource `name` (a valid resource name): `publishers/...` models, `organizations/{o}/{kind}/{id}`
// deployments or policies, otherwise the name's collection. Null for a collection without a table.
const ResourceTable* TableOfName(const std::string& name) {
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts[0] == "publishers") return TableOfKind("models");
  return TableOfKind(parts.size() == 4 ? parts[2] : parts[0]);
}

// The etag and delete_time of a decoded record (every kind has both).
std::pair<std::string, google::protobuf::Timestamp> EtagAndDeleteTime(const google::protobuf::Message& record) {
  const auto* descriptor = record.GetDescriptor();
  const auto* reflection = record.GetReflection();
  google::protobuf::Timestamp delete_time;
  delete_time.CopyFrom(reflection->GetMessage(record, descriptor->FindFieldByName("delete_time")));
  return {reflection->GetString(record, descriptor->FindFieldByName("etag")), delete_time};
}

// FAILED_PRECONDITION (RESOURCE_IN_USE) naming the first resource that still refers to the row `key` of `table`.
absl::Status CheckUnreferenced(Transaction& tx, const ResourceTable& table, const std::string& key,
                               const std::string& name) {
  for (const Referrer& r : kReferrers) {
    if (table.kind().table != r.table) continue;
    const pqxx::result rows = tx.sql().exec_prepared(r.statement, key);
    if (rows.empty()) continue;
    const auto referrer = rows[0][0].as<std::string>();
    return PreconditionError(
        "RESOURCE_IN_USE", "REFERENCED_BY", referrer,
        absl::StrCat("cannot purge `", name, "`: ", r.what, " `", referrer, "` ", r.how, "; purge that first"));
  }
  return absl::OkStatus();
}

}  // namespace

namespace storage_internal {

std::string RevisionColumns(absl::string_view record) {
  return absl::StrCat(record, ", revision, ", sql::MicrosExpr("create_time"), ", ", sql::MicrosExpr("update_time"),
                      ", ", sql::MicrosExpr("delete_time"), ", kind, sequence, change, principal, request_id, ",
                      sql::MicrosExpr("commit_time"));
}

absl::StatusOr<v1::Revision> RevisionFromRow(const std::string& resource, const pqxx::row& row) {
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

}  // namespace storage_internal

namespace {

absl::StatusOr<std::optional<v1::Revision>> FirstOf(const std::string& resource, const pqxx::result& rows) {
  if (rows.empty()) return std::optional<v1::Revision>();
  MODELREG_ASSIGN_OR_RETURN(v1::Revision revision, storage_internal::RevisionFromRow(resource, rows[0]));
  return std::optional<v1::Revision>(std::move(revision));
}

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& HistoryStoreStatements() {
  static const auto* statements = [] {
    auto* all = new std::vector<PreparedStatement>{
        {kList, absl::StrCat("SELECT ", Columns(), " AND sequence > $2 ORDER BY sequence LIMIT $3::integer")},
        {kGet, absl::StrCat("SELECT ", Columns(), " AND sequence = $2")},
        {kAt, absl::StrCat("SELECT ", Columns(), " AND commit_time <= ", sql::TimestampFromMicrosExpr("$2::bigint"),
                           " ORDER BY sequence DESC LIMIT 1")},
        // $1 cutoff (microseconds), $2 the sequence after which to scan, $3 batch size. Scans the next batch in
        // sequence order and deletes its revisions older than the cutoff that a later revision at or before the
        // cutoff supersedes. Returns the batch's last sequence (NULL when empty), how many it deleted, and how many
        // of its revisions were older than the cutoff (none: the scan has passed the cutoff).
        {kPrune,
         "WITH scanned AS (SELECT sequence, resource, commit_time FROM revisions WHERE sequence > $2 ORDER BY sequence "
         "LIMIT $3::integer), deleted AS (DELETE FROM revisions r USING scanned s WHERE r.sequence = s.sequence AND "
         "s.commit_time < to_timestamp($1::bigint / 1000000.0) AND EXISTS (SELECT 1 FROM revisions n WHERE "
         "n.resource = s.resource AND n.sequence > s.sequence AND n.commit_time <= to_timestamp($1::bigint / "
         "1000000.0)) RETURNING r.sequence) SELECT (SELECT max(sequence) FROM scanned), (SELECT count(*) FROM "
         "deleted), (SELECT count(*) FROM scanned WHERE commit_time < to_timestamp($1::bigint / 1000000.0))"},
    };
    for (const Referrer& r : kReferrers) all->push_back({r.statement, r.sql});
    return all;
  }();
  return *statements;
}
}  // namespace storage_internal

absl::StatusOr<std::vector<v1::Revision>> HistoryStore::ListRevisions(const std::string& resource,
                                                                      int64_t after_sequence, int limit) {
  std::vector<v1::Revision> revisions;
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, [&](Transaction& tx) -> absl::Status {
    revisions.clear();
    for (const pqxx::row& row : tx.sql().exec_prepared(kList, resource, after_sequence, limit)) {
      MODELREG_ASSIGN_OR_RETURN(v1::Revision revision, storage_internal::RevisionFromRow(resource, row));
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

absl::StatusOr<v1::Revision> HistoryStore::Purge(const std::string& name, const PurgeCheck& check) {
  const ResourceTable* table = TableOfName(name);
  if (table == nullptr) return absl::InvalidArgumentError(absl::StrCat("`", name, "` cannot be purged"));
  const std::string key = table->kind().KeyOf(name);
  v1::Revision tombstone;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    std::unique_ptr<google::protobuf::Message> record(table->kind().prototype->New());
    MODELREG_ASSIGN_OR_RETURN(bool found, table->Lock(tx, key, *record));
    if (!found) return absl::NotFoundError(absl::StrCat("`", name, "` not found"));
    const auto [etag, delete_time] = EtagAndDeleteTime(*record);
    MODELREG_RETURN_IF_ERROR(check(etag, delete_time));
    MODELREG_RETURN_IF_ERROR(CheckUnreferenced(tx, *table, key, name));
    MODELREG_ASSIGN_OR_RETURN(std::optional<v1::Revision> purged, table->Purge(tx, key));
    if (!purged.has_value()) return absl::NotFoundError(absl::StrCat("`", name, "` not found"));
    if (model_cache_ != nullptr && table->kind().table == "models") {
      tx.OnEnd([cache = model_cache_, name] { cache->Invalidate(name); });
    }
    tombstone = *std::move(purged);
    return absl::OkStatus();
  }));
  return tombstone;
}

absl::StatusOr<int64_t> HistoryStore::DeleteRevisionsBefore(absl::Time cutoff, int batch) {
  const int64_t cutoff_micros = absl::ToUnixMicros(cutoff);
  int64_t after = 0;
  int64_t deleted = 0;
  while (true) {
    std::optional<int64_t> last;  // the batch's last sequence; nullopt when it was empty
    int64_t batch_deleted = 0;
    int64_t batch_older = 0;
    MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
      const pqxx::row row = tx.sql().exec_prepared1(kPrune, cutoff_micros, after, batch);
      last = row[0].is_null() ? std::nullopt : std::optional<int64_t>(row[0].as<int64_t>());
      batch_deleted = row[1].as<int64_t>();
      batch_older = row[2].as<int64_t>();
      return absl::OkStatus();
    }));
    deleted += batch_deleted;
    if (!last.has_value() || batch_older == 0) return deleted;
    after = *last;
  }
}

}  // namespace modelreg

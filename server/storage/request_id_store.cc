#include "server/storage/request_id_store.h"

#include <pqxx/pqxx>
#include <utility>

#include "server/common/errors.h"
#include "server/common/status_macros.h"
#include "server/storage/statements.h"
#include "server/storage/transaction.h"

namespace modelreg {
namespace {

constexpr char kClaim[] = "modelreg_request_id_claim";
constexpr char kFind[] = "modelreg_request_id_find";
constexpr char kRecord[] = "modelreg_request_id_record";
constexpr char kPrune[] = "modelreg_request_id_prune";

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& RequestIdStoreStatements() {
  static const auto* statements = new std::vector<PreparedStatement>{
      // Under read committed, a conflicting row of a transaction still in progress makes this wait for its end; the
      // row inserted here is invisible to others (and holds the key) until this transaction ends.
      {kClaim,
       "INSERT INTO request_ids (principal, request_id, method, request_hash) VALUES ($1, $2::uuid, $3, $4) "
       "ON CONFLICT (principal, request_id) DO NOTHING RETURNING true"},
      {kFind, "SELECT method, request_hash, response FROM request_ids WHERE principal = $1 AND request_id = $2::uuid"},
      {kRecord, "UPDATE request_ids SET response = $3 WHERE principal = $1 AND request_id = $2::uuid"},
      // Oldest first, a bounded batch; rows another pruner (another replica) holds are skipped.
      {kPrune,
       "DELETE FROM request_ids r USING (SELECT principal, request_id FROM request_ids WHERE create_time < now() - "
       "$1::bigint * interval '1 microsecond' ORDER BY create_time LIMIT $2::integer FOR UPDATE SKIP LOCKED) old "
       "WHERE r.principal = old.principal AND r.request_id = old.request_id"},
  };
  return *statements;
}
}  // namespace storage_internal

absl::StatusOr<std::optional<RequestIdRepository::Record>> RequestIdStore::RunOnce(const Key& key,
                                                                                   const std::string& method,
                                                                                   const std::string& request_hash,
                                                                                   const Body& body) {
  std::optional<Record> existing;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    existing.reset();
    const pqxx::result claimed =
        tx.sql().exec_prepared(kClaim, key.principal, key.request_id, method, pqxx::binarystring(request_hash));
    if (claimed.empty()) {
      // Recorded by an earlier call, or by a concurrent one that has just committed.
      const pqxx::result rows = tx.sql().exec_prepared(kFind, key.principal, key.request_id);
      if (rows.empty()) {
        // Pruned between the two statements (only a record older than the retention can be).
        return ErrorWithReason(absl::StatusCode::kAborted, "TRANSACTION_CONFLICT",
                               "the request id's record changed concurrently; retry");
      }
      Record record;
      record.method = rows[0][0].as<std::string>();
      record.request_hash = pqxx::binarystring(rows[0][1]).str();
      if (!rows[0][2].is_null()) record.response = pqxx::binarystring(rows[0][2]).str();
      existing = std::move(record);
      return absl::OkStatus();
    }
    MODELREG_ASSIGN_OR_RETURN(std::string response, body());
    tx.sql().exec_prepared(kRecord, key.principal, key.request_id, pqxx::binarystring(response));
    return absl::OkStatus();
  }));
  return existing;
}

absl::StatusOr<int64_t> RequestIdStore::DeleteOlderThan(absl::Duration age, int limit) {
  int64_t deleted = 0;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    const pqxx::result result = tx.sql().exec_prepared(kPrune, absl::ToInt64Microseconds(age), limit);
    deleted = static_cast<int64_t>(result.affected_rows());
    return absl::OkStatus();
  }));
  return deleted;
}

}  // namespace modelreg

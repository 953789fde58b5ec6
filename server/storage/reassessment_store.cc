#include "server/storage/reassessment_store.h"

#include <optional>
#include <pqxx/pqxx>
#include <utility>

#include "server/common/status_macros.h"
#include "server/storage/resource_table.h"
#include "server/storage/statements.h"
#include "server/storage/transaction.h"

namespace modelreg {
namespace {

constexpr char kEnqueue[] = "modelreg_reassessment_enqueue";
constexpr char kClaim[] = "modelreg_reassessment_claim";
constexpr char kClaimed[] = "modelreg_reassessment_claimed";
constexpr char kCount[] = "modelreg_reassessment_count";
constexpr char kAdvance[] = "modelreg_reassessment_advance";
constexpr char kFinish[] = "modelreg_reassessment_finish";
constexpr char kPending[] = "modelreg_reassessment_pending";

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& ReassessmentStoreStatements() {
  static const auto* statements = new std::vector<PreparedStatement>{
      // No count here: it would make the license update's cost grow with the number of models using the license
      // (about 2 s for 500,000). The first batch of the pass counts them (kCount).
      {kEnqueue,
       "INSERT INTO license_reassessments AS q (license_id, pending, principal, request_id) "
       "VALUES ($1, NULL, $2, $3) "
       "ON CONFLICT (license_id) DO UPDATE SET generation = q.generation + 1, after_name = '', pending = NULL, "
       "principal = EXCLUDED.principal, request_id = EXCLUDED.request_id, enqueue_time = now()"},
      // Oldest entry first whose advisory lock is free. The lock is tried in the outer query, over the candidates
      // already sorted, so that it is taken for the one row returned only (a filter beside ORDER BY would be
      // evaluated, and its locks taken, for every row before the sort).
      {kClaim,
       "SELECT license_id FROM (SELECT license_id FROM license_reassessments "
       "ORDER BY enqueue_time, license_id LIMIT 64) c "
       "WHERE pg_try_advisory_xact_lock(hashtext('modelreg.license_reassessments'), hashtext(c.license_id)) "
       "LIMIT 1"},
      // The claimed entry as it is once its lock is held (kClaim's snapshot predates the lock; see RunBatch).
      {kClaimed,
       "SELECT generation, after_name, principal, request_id, pending FROM license_reassessments "
       "WHERE license_id = $1"},
      // The first batch of a pass (pending NULL) counts the models it is about to reassess and those after them, in
      // the order of the batches (kReassessByLicense), with the models_license_refs index; before locking its models,
      // so that they are not held locked during the count.
      {kCount, "SELECT count(*) FROM models m WHERE m.name > $2 AND m.license_refs @> ARRAY[$1::text]"},
      {kAdvance,
       "UPDATE license_reassessments SET after_name = $3, pending = GREATEST(COALESCE(pending, $5::bigint) - "
       "$4::bigint, 0) WHERE license_id = $1 AND generation = $2::bigint"},
      {kFinish, "DELETE FROM license_reassessments WHERE license_id = $1 AND generation = $2::bigint"},
      {kPending, "SELECT license_id, pending FROM license_reassessments WHERE license_id = ANY($1::text[])"},
  };
  return *statements;
}
}  // namespace storage_internal

absl::Status ReassessmentStore::Enqueue(Transaction& tx, const std::string& license_id, const ChangeAuthor& author) {
  tx.sql().exec_prepared(kEnqueue, license_id, author.principal, author.request_id);
  return absl::OkStatus();
}

absl::StatusOr<bool> ReassessmentStore::RunBatch(const BatchBody& body) {
  bool claimed = false;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    const pqxx::result claimed_ids = tx.sql().exec_prepared(kClaim);
    claimed = !claimed_ids.empty();
    if (!claimed) return absl::OkStatus();
    Claim claim;
    claim.license_id = claimed_ids[0][0].as<std::string>();
    // Read the entry again: kClaim's snapshot was taken before it got the lock, so a worker that held the lock then
    // may have advanced the entry (or finished it) since, and the claim's copy would redo that worker's batch.
    const pqxx::result rows = tx.sql().exec_prepared(kClaimed, claim.license_id);
    if (rows.empty()) return absl::OkStatus();  // finished meanwhile: the caller looks for work again
    const auto generation = rows[0][0].as<int64_t>();
    claim.after_name = rows[0][1].as<std::string>();
    claim.author.principal = rows[0][2].as<std::string>();
    claim.author.request_id = rows[0][3].as<std::string>();
    // Counted only when the entry has no count yet (kAdvance uses `counted` only then: an update resetting the count
    // meanwhile changed the generation, so kAdvance then changes nothing).
    int64_t counted = 0;
    if (rows[0][4].is_null()) {
      counted = tx.sql().exec_prepared1(kCount, claim.license_id, claim.after_name)[0].as<int64_t>();
    }
    MODELREG_ASSIGN_OR_RETURN(const ModelRepository::ReassessBatch done, body(tx, claim));
    if (done.last.empty()) {
      tx.sql().exec_prepared(kFinish, claim.license_id, generation);
    } else {
      tx.sql().exec_prepared(kAdvance, claim.license_id, generation, done.last, done.read, counted);
    }
    return absl::OkStatus();
  }));
  return claimed;
}

absl::StatusOr<std::map<std::string, std::optional<int64_t>>> ReassessmentStore::Pending(
    const std::vector<std::string>& license_ids) {
  std::map<std::string, std::optional<int64_t>> pending;
  if (license_ids.empty()) return pending;
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, [&](Transaction& tx) -> absl::Status {
    pending.clear();
    for (const pqxx::row& row : tx.sql().exec_prepared(kPending, ResourceTable::TextArray(license_ids))) {
      pending[row[0].as<std::string>()] = row[1].is_null() ? std::nullopt : std::optional(row[1].as<int64_t>());
    }
    return absl::OkStatus();
  }));
  return pending;
}

}  // namespace modelreg

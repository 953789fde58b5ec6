#include "server/storage/license_store.h"

#include <pqxx/pqxx>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"
#include "server/domain/resource/license_kind.h"
#include "server/storage/resource_table.h"
#include "server/storage/statements.h"

namespace modelreg {
namespace {

constexpr char kReferencingModel[] = "modelreg_license_referencing_model";
constexpr char kFindByKeys[] = "modelreg_license_find_by_keys";
constexpr char kFindByKeysShared[] = "modelreg_license_find_by_keys_shared";
constexpr char kLockForCreate[] = "modelreg_license_lock_for_create";
constexpr char kLockForUpdate[] = "modelreg_license_lock_for_update";

const ResourceTable& Table() {
  static const auto* table = new ResourceTable(LicenseKind());
  return *table;
}

absl::Status NotFound(const std::string& name) {
  return absl::NotFoundError(absl::StrCat("license `", name, "` not found"));
}

// License writes take a table lock first, held until their transaction ends; plain reads go on. Both modes conflict
// with themselves and each other, so license writes are serialized: each later statement of a READ COMMITTED
// transaction sees the licenses committed before, and the check that a name or alias is free holds until commit.
// A create locks nothing a model write holds (no model uses a license that does not exist yet).
void LockForCreate(Transaction& tx) { tx.sql().exec_prepared(kLockForCreate); }

// An update (delete, undelete, backfill) also waits for every transaction holding a license FOR SHARE (model writes,
// reassessment batches, deployment writes; any license) to end, and the ones that ask after it wait behind it. A row
// lock alone would not do: PostgreSQL lets a new FOR SHARE join the holders of a row while an update waits for them,
// so a stream of overlapping model writes (a bulk import) could keep an update of its license waiting as long as the
// stream lasted. Model writes pause meanwhile: up to the longest one in flight (about a second for a batch of 1,000).
void LockForUpdate(Transaction& tx) { tx.sql().exec_prepared(kLockForUpdate); }

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& LicenseStoreStatements() {
  static const auto* statements = [] {
    auto* all = new std::vector<PreparedStatement>(Table().Statements());
    all->push_back({kReferencingModel,
                    "SELECT name FROM models WHERE license_refs @> ARRAY[$1::text] AND delete_time IS NULL ORDER BY "
                    "name LIMIT 1"});
    all->push_back({kLockForCreate, "LOCK TABLE licenses IN SHARE ROW EXCLUSIVE MODE"});
    all->push_back({kLockForUpdate, "LOCK TABLE licenses IN EXCLUSIVE MODE"});
    const std::string find_by_keys = absl::StrCat("SELECT ", Table().record_columns(),
                                                  " FROM licenses l WHERE l.alias_keys && $1::text[] ORDER BY l.id");
    all->push_back({kFindByKeys, find_by_keys});
    all->push_back({kFindByKeysShared, find_by_keys + " FOR SHARE"});
    return all;
  }();
  return *statements;
}
}  // namespace storage_internal

absl::StatusOr<v1::License> LicenseStore::Create(const v1::License& license,
                                                 const std::function<absl::Status(Transaction& tx)>& check) {
  const std::string id = LicenseIdOf(license.name());
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat("invalid license name `", license.name(), "`"));
  v1::License result;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    result = license;  // a retried transaction starts again from the request
    LockForCreate(tx);
    MODELREG_RETURN_IF_ERROR(check(tx));
    MODELREG_ASSIGN_OR_RETURN(bool inserted, Table().Insert(tx, id, result));
    if (!inserted) return absl::AlreadyExistsError(absl::StrCat("license `", license.name(), "` already exists"));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::License> LicenseStore::Get(const std::string& name) {
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::License> found, GetMany({name}, nullptr));
  if (found.empty()) return NotFound(name);
  return std::move(found[0]);
}

absl::StatusOr<std::vector<v1::License>> LicenseStore::GetMany(const std::vector<std::string>& names, Transaction* tx) {
  std::vector<std::string> ids;
  for (const std::string& name : names) {
    std::string id = LicenseIdOf(name);
    if (!id.empty()) ids.push_back(std::move(id));
  }
  std::vector<v1::License> result;
  if (ids.empty()) return result;
  if (tx != nullptr) return Table().GetManyShared<v1::License>(*tx, ids);
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, [&](Transaction& single) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(result, Table().GetMany<v1::License>(single, ids));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<v1::License>> LicenseStore::FindByKeys(const std::vector<std::string>& keys,
                                                                  Transaction* tx) {
  std::vector<v1::License> result;
  if (keys.empty()) return result;
  const auto find = [&](Transaction& t, const char* statement) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(
        result, Table().Decode<v1::License>(t.sql().exec_prepared(statement, ResourceTable::TextArray(keys))));
    return absl::OkStatus();
  };
  if (tx != nullptr) {
    MODELREG_RETURN_IF_ERROR(find(*tx, kFindByKeysShared));
    return result;
  }
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, [&](Transaction& t) { return find(t, kFindByKeys); }));
  return result;
}

absl::StatusOr<v1::License> LicenseStore::Update(const std::string& name, const Mutation& mutate) {
  const std::string id = LicenseIdOf(name);
  if (id.empty()) return NotFound(name);
  v1::License result;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    LockForUpdate(tx);
    v1::License license;
    MODELREG_ASSIGN_OR_RETURN(bool found, Table().Lock(tx, id, license));
    if (!found) return NotFound(name);
    const bool was_deleted = license.has_delete_time();
    MODELREG_RETURN_IF_ERROR(mutate(tx, license));
    if (license.name() != name) return absl::InvalidArgumentError("a license's name cannot change");
    const bool deleted = license.has_delete_time();
    if (deleted && !was_deleted) {
      const pqxx::result referencing = tx.sql().exec_prepared(kReferencingModel, id);
      if (!referencing.empty()) {
        return PreconditionError(
            "LICENSE_IN_USE", "REFERENCED_BY", referencing[0][0].as<std::string>(),
            absl::StrCat("license `", name, "` is referenced by model `", referencing[0][0].as<std::string>(), "`"));
      }
    }
    MODELREG_ASSIGN_OR_RETURN(bool updated, Table().Update(tx, id, license, deleted));
    if (!updated) return NotFound(name);
    result = std::move(license);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<Page<v1::License>> LicenseStore::List(const ListQuery& query) {
  Page<v1::License> page;
  MODELREG_RETURN_IF_ERROR(RunRead(*pool_, replica_, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(page, Table().List<v1::License>(tx, query));
    return absl::OkStatus();
  }));
  return page;
}

// A backfill rewrites licenses after an upgrade, while other replicas may be writing models: it takes the update's
// lock, and only when a license needs rewriting, so that a start-up with nothing to do pauses no model write. A model
// write holding a license past the lock timeout fails an attempt of a batch, which is tried again a second later
// (ResourceTable::Backfill).
absl::StatusOr<int64_t> LicenseStore::Backfill() { return Table().Backfill(*pool_, nullptr, LockForUpdate); }

}  // namespace modelreg

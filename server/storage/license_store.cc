#include "server/storage/license_store.h"

#include <pqxx/pqxx>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/storage/pg_errors.h"
#include "server/storage/record_codec.h"
#include "server/storage/statements.h"
#include "server/storage/store_util.h"

namespace modelreg {
namespace {

using storage_internal::ComputeEtag;
using storage_internal::MicrosToTimestamp;
using storage_internal::SerializeDeterministic;
using storage_internal::TextArrayLiteral;

#define MODELREG_LICENSE_COLUMNS                                                  \
  "l.record, l.revision, (EXTRACT(EPOCH FROM l.create_time) * 1000000)::bigint, " \
  "(EXTRACT(EPOCH FROM l.update_time) * 1000000)::bigint, (EXTRACT(EPOCH FROM l.delete_time) * 1000000)::bigint"
constexpr int kLicenseColumnCount = 5;

#define MODELREG_LICENSE_RETURNING                                             \
  " RETURNING revision, (EXTRACT(EPOCH FROM create_time) * 1000000)::bigint, " \
  "(EXTRACT(EPOCH FROM update_time) * 1000000)::bigint, (EXTRACT(EPOCH FROM delete_time) * 1000000)::bigint"

constexpr char kGet[] = "modelreg_license_get";
constexpr char kGetMany[] = "modelreg_license_get_many";
constexpr char kLock[] = "modelreg_license_lock";
constexpr char kInsert[] = "modelreg_license_insert";
constexpr char kUpdate[] = "modelreg_license_update";
constexpr char kReferencingModel[] = "modelreg_license_referencing_model";

constexpr absl::string_view kPrefix = "licenses/";

// The id of `licenses/{id}`; empty when `name` is not of that form.
std::string IdOf(const std::string& name) {
  if (!absl::StartsWith(name, kPrefix) || name.size() == kPrefix.size()) return std::string();
  return name.substr(kPrefix.size());
}

v1::License StoredForm(const v1::License& license) {
  v1::License stored = license;
  stored.clear_create_time();
  stored.clear_update_time();
  stored.clear_delete_time();
  stored.clear_etag();
  return stored;
}

bool HasUseRestrictions(const v1::License& license) {
  return !license.use_restrictions().acceptable_use_policy_uri().empty() ||
         license.use_restrictions().restricted_uses_size() > 0;
}

void FillOutputFields(const pqxx::row& row, int first, const std::string& record, v1::License& license) {
  const int64_t revision = row[first].as<int64_t>();
  *license.mutable_create_time() = MicrosToTimestamp(row[first + 1].as<int64_t>());
  *license.mutable_update_time() = MicrosToTimestamp(row[first + 2].as<int64_t>());
  if (row[first + 3].is_null()) {
    license.clear_delete_time();
  } else {
    *license.mutable_delete_time() = MicrosToTimestamp(row[first + 3].as<int64_t>());
  }
  license.set_etag(ComputeEtag(record, revision));
}

absl::StatusOr<v1::License> RowToLicense(const pqxx::row& row) {
  const pqxx::binarystring bytes(row[0]);
  v1::License license;
  if (!license.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    MODELREG_LOG(ERROR) << "storage: unparsable license record";
    return absl::InternalError("internal storage error");
  }
  FillOutputFields(row, 1, bytes.str(), license);
  return license;
}

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& LicenseStoreStatements() {
  static const auto* statements = new std::vector<PreparedStatement>{
      {kGet, "SELECT " MODELREG_LICENSE_COLUMNS " FROM licenses l WHERE l.id = $1"},
      {kGetMany, "SELECT " MODELREG_LICENSE_COLUMNS " FROM licenses l WHERE l.id = ANY($1::text[]) ORDER BY l.id"},
      {kLock, "SELECT " MODELREG_LICENSE_COLUMNS " FROM licenses l WHERE l.id = $1 FOR UPDATE"},
      {kInsert,
       "INSERT INTO licenses (id, record, display_name, spdx_id, category, commercial_use, osi_approved, fsf_libre, "
       "open_data, has_usage_threshold, has_use_restrictions, revision, create_time, update_time, delete_time) "
       "VALUES ($1, $2, $3, $4, $5::smallint, $6::smallint, $7::boolean, $8::boolean, $9::boolean, $10::boolean, "
       "$11::boolean, 1, now(), now(), NULL) ON CONFLICT (id) DO NOTHING" MODELREG_LICENSE_RETURNING},
      {kUpdate,
       "UPDATE licenses SET record = $2, display_name = $3, spdx_id = $4, category = $5::smallint, "
       "commercial_use = $6::smallint, osi_approved = $7::boolean, fsf_libre = $8::boolean, open_data = $9::boolean, "
       "has_usage_threshold = $10::boolean, has_use_restrictions = $11::boolean, revision = revision + 1, "
       "update_time = now(), delete_time = CASE WHEN $12::boolean THEN COALESCE(delete_time, now()) ELSE NULL END "
       "WHERE id = $1" MODELREG_LICENSE_RETURNING},
      {kReferencingModel,
       "SELECT name FROM models WHERE license_refs @> ARRAY[$1::text] AND delete_time IS NULL ORDER BY name "
       "LIMIT 1"},
  };
  return *statements;
}
}  // namespace storage_internal

absl::StatusOr<v1::License> LicenseStore::Create(const v1::License& license) {
  const std::string id = IdOf(license.name());
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat("invalid license name `", license.name(), "`"));
  v1::License result;
  const absl::Status status = RunTransaction(*pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    v1::License stored = StoredForm(license);
    const std::string record = SerializeDeterministic(stored);
    pqxx::result rows = tx.exec_prepared(
        kInsert, id, pqxx::binarystring(record), stored.display_name(), stored.spdx_id(),
        static_cast<int>(stored.category()), static_cast<int>(stored.commercial_use()), stored.osi_approved(),
        stored.fsf_libre(), stored.open_data(), stored.usage_thresholds_size() > 0, HasUseRestrictions(stored));
    if (rows.empty()) return absl::AlreadyExistsError(absl::StrCat("license `", license.name(), "` already exists"));
    result = std::move(stored);
    FillOutputFields(rows[0], 0, record, result);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<v1::License> LicenseStore::Get(const std::string& name) {
  const std::string id = IdOf(name);
  if (id.empty()) return absl::NotFoundError(absl::StrCat("license `", name, "` not found"));
  v1::License result;
  const absl::Status status = RunSingleStatement(*pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_prepared(kGet, id);
    if (rows.empty()) return absl::NotFoundError(absl::StrCat("license `", name, "` not found"));
    MODELREG_ASSIGN_OR_RETURN(result, RowToLicense(rows[0]));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<std::vector<v1::License>> LicenseStore::GetMany(const std::vector<std::string>& names) {
  std::vector<std::string> ids;
  for (const std::string& name : names) {
    std::string id = IdOf(name);
    if (!id.empty()) ids.push_back(std::move(id));
  }
  std::vector<v1::License> result;
  if (ids.empty()) return result;
  const absl::Status status = RunSingleStatement(*pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    result.clear();
    pqxx::result rows = tx.exec_prepared(kGetMany, TextArrayLiteral(ids));
    for (const pqxx::row& row : rows) {
      MODELREG_ASSIGN_OR_RETURN(v1::License license, RowToLicense(row));
      result.push_back(std::move(license));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<v1::License> LicenseStore::Update(const std::string& name, const Mutation& mutate) {
  const std::string id = IdOf(name);
  if (id.empty()) return absl::NotFoundError(absl::StrCat("license `", name, "` not found"));
  v1::License result;
  const absl::Status status = RunTransaction(*pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_prepared(kLock, id);
    if (rows.empty()) return absl::NotFoundError(absl::StrCat("license `", name, "` not found"));
    MODELREG_ASSIGN_OR_RETURN(v1::License license, RowToLicense(rows[0]));
    const bool was_deleted = license.has_delete_time();
    MODELREG_RETURN_IF_ERROR(mutate(license));
    if (license.name() != name) return absl::InvalidArgumentError("a license's name cannot change");
    const bool deleted = license.has_delete_time();
    if (deleted && !was_deleted) {
      pqxx::result referencing = tx.exec_prepared(kReferencingModel, id);
      if (!referencing.empty()) {
        return PreconditionError(
            "LICENSE_IN_USE", "REFERENCED_BY", referencing[0][0].as<std::string>(),
            absl::StrCat("license `", name, "` is referenced by model `", referencing[0][0].as<std::string>(), "`"));
      }
    }
    v1::License stored = StoredForm(license);
    const std::string record = SerializeDeterministic(stored);
    pqxx::result updated =
        tx.exec_prepared(kUpdate, id, pqxx::binarystring(record), stored.display_name(), stored.spdx_id(),
                         static_cast<int>(stored.category()), static_cast<int>(stored.commercial_use()),
                         stored.osi_approved(), stored.fsf_libre(), stored.open_data(),
                         stored.usage_thresholds_size() > 0, HasUseRestrictions(stored), deleted);
    if (updated.empty()) return absl::NotFoundError(absl::StrCat("license `", name, "` not found"));
    result = std::move(stored);
    FillOutputFields(updated[0], 0, record, result);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<Page<v1::License>> LicenseStore::List(const SqlQuery& query) {
  if (query.limit < 1) return absl::InvalidArgumentError("page size must be positive");
  const std::string sql = storage_internal::ListSql(MODELREG_LICENSE_COLUMNS, "licenses l", query);
  Page<v1::License> page;
  const absl::Status status = RunSingleStatement(*pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    page = Page<v1::License>();
    pqxx::result rows = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(query.params), query.limit + 1);
    const size_t limit = static_cast<size_t>(query.limit);
    for (size_t i = 0; i < rows.size() && i < limit; ++i) {
      MODELREG_ASSIGN_OR_RETURN(v1::License license, RowToLicense(rows[i]));
      page.items.push_back(std::move(license));
    }
    if (rows.size() > limit) {
      page.next_key = storage_internal::KeyOf(rows[limit - 1], kLicenseColumnCount, query.key_columns.size());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

}  // namespace modelreg

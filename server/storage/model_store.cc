#include "server/storage/model_store.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/storage/pg_errors.h"
#include "server/storage/record_codec.h"
#include "server/storage/statements.h"
#include "server/storage/store_util.h"

namespace modelreg {
namespace {

using storage_internal::ComputeEtag;
using storage_internal::IntArrayLiteral;
using storage_internal::JsonQuote;
using storage_internal::MicrosToTimestamp;
using storage_internal::NullIfEmpty;
using storage_internal::SerializeDeterministic;
using storage_internal::TextArrayLiteral;

// Columns every read selects, in this order; RowToModel reads them.
#define MODELREG_MODEL_COLUMNS                                                    \
  "m.record, m.revision, (EXTRACT(EPOCH FROM m.create_time) * 1000000)::bigint, " \
  "(EXTRACT(EPOCH FROM m.update_time) * 1000000)::bigint, (EXTRACT(EPOCH FROM m.delete_time) * 1000000)::bigint"
constexpr int kModelColumnCount = 5;

#define MODELREG_MODEL_RETURNING                                               \
  " RETURNING revision, (EXTRACT(EPOCH FROM create_time) * 1000000)::bigint, " \
  "(EXTRACT(EPOCH FROM update_time) * 1000000)::bigint, (EXTRACT(EPOCH FROM delete_time) * 1000000)::bigint"

#define MODELREG_MODEL_WRITE_COLUMNS                                                                             \
  "publisher = $2, record = $3, display_name = $4, family = $5, version = $6, release_date = $7::date, "         \
  "parameter_count = $8::bigint, modality = $9::smallint, architecture = $10, treatment = $11::smallint, "       \
  "labels = $12::jsonb, base_model = $13, base_model_relation = $14::smallint, weights_access = $15::smallint, " \
  "weights_license = $16, license_refs = $17::text[], data_disclosure_level = $18::smallint, "                   \
  "openness_level = $19::smallint, mof_class = $20::smallint, osaid_candidate = $21::boolean, "                  \
  "openness_flags = $22::smallint[], rules_version = $23::integer"

constexpr char kGet[] = "modelreg_model_get";
constexpr char kScan[] = "modelreg_model_scan";
constexpr char kLock[] = "modelreg_model_lock";
constexpr char kInsert[] = "modelreg_model_insert";
constexpr char kUpdate[] = "modelreg_model_update";
constexpr char kLockLicenses[] = "modelreg_model_lock_licenses";
constexpr char kReassessByRules[] = "modelreg_model_reassess_by_rules";
constexpr char kReassessByLicense[] = "modelreg_model_reassess_by_license";
constexpr char kReassessWrite[] = "modelreg_model_reassess_write";

constexpr int kReassessBatchSize = 500;

// The typed columns derived from a model, as bound parameters $2..$23 of the insert and update statements.
struct ModelColumns {
  std::string name;
  std::string publisher;
  std::string record;
  std::string parameter_count;  // empty when 0 (NULL)
  std::string labels_json;
  std::string weights_license;  // empty when none (NULL)
  std::vector<std::string> license_ids;
  std::string license_refs;
  std::string openness_flags;
};

std::string ModelNameError(const std::string& name) { return absl::StrCat("invalid model name `", name, "`"); }

// Licence id of a `licenses/{id}` reference; an empty reference gives an empty id.
absl::StatusOr<std::string> LicenseIdOf(const std::string& reference) {
  if (reference.empty()) return std::string();
  constexpr absl::string_view kPrefix = "licenses/";
  if (!absl::StartsWith(reference, kPrefix) || reference.size() == kPrefix.size()) {
    return absl::InvalidArgumentError(absl::StrCat("license `", reference, "` does not exist or is deleted"));
  }
  return reference.substr(kPrefix.size());
}

// The record as stored: output-only fields cleared (openness is kept).
v1::Model StoredForm(const v1::Model& model) {
  v1::Model stored = model;
  stored.clear_create_time();
  stored.clear_update_time();
  stored.clear_delete_time();
  stored.clear_etag();
  stored.clear_revision();
  return stored;
}

absl::StatusOr<ModelColumns> DeriveColumns(const v1::Model& stored) {
  ModelColumns columns;
  columns.name = stored.name();
  std::vector<std::string> parts = absl::StrSplit(stored.name(), '/');
  if (parts.size() != 4 || parts[0] != "publishers" || parts[1].empty() || parts[2] != "models" || parts[3].empty()) {
    return absl::InvalidArgumentError(ModelNameError(stored.name()));
  }
  columns.publisher = parts[1];
  columns.record = SerializeDeterministic(stored);
  if (stored.parameter_count() != 0) columns.parameter_count = absl::StrCat(stored.parameter_count());

  // Labels sorted by key, for a stable jsonb text.
  std::vector<std::pair<std::string, std::string>> labels(stored.labels().begin(), stored.labels().end());
  std::sort(labels.begin(), labels.end());
  columns.labels_json = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) columns.labels_json += ',';
    absl::StrAppend(&columns.labels_json, JsonQuote(labels[i].first), ":", JsonQuote(labels[i].second));
  }
  columns.labels_json += "}";

  std::set<std::string> ids;
  auto add_reference = [&ids](const std::string& reference) -> absl::Status {
    absl::StatusOr<std::string> id = LicenseIdOf(reference);
    if (!id.ok()) return id.status();
    if (!id->empty()) ids.insert(*id);
    return absl::OkStatus();
  };
  absl::StatusOr<std::string> weights_license = LicenseIdOf(stored.weights().license());
  if (!weights_license.ok()) return weights_license.status();
  columns.weights_license = *weights_license;
  MODELREG_RETURN_IF_ERROR(add_reference(stored.weights().license()));
  for (const v1::Component& component : stored.components())
    MODELREG_RETURN_IF_ERROR(add_reference(component.license()));
  for (const v1::Dataset& dataset : stored.data_disclosure().datasets()) {
    MODELREG_RETURN_IF_ERROR(add_reference(dataset.license()));
  }
  columns.license_ids.assign(ids.begin(), ids.end());
  columns.license_refs = TextArrayLiteral(columns.license_ids);

  std::vector<int> flags(stored.openness().flags().begin(), stored.openness().flags().end());
  columns.openness_flags = IntArrayLiteral(flags);
  return columns;
}

// Runs the insert (extra empty) or the update (extra = the delete flag) with the derived columns.
pqxx::result ExecWrite(pqxx::transaction_base& tx, const char* statement, const v1::Model& m, const ModelColumns& c,
                       const bool* deleted) {
  const pqxx::binarystring record(c.record);
  if (deleted == nullptr) {
    return tx.exec_prepared(
        statement, c.name, c.publisher, record, m.display_name(), m.family(), m.version(),
        NullIfEmpty(m.release_date()), NullIfEmpty(c.parameter_count), static_cast<int>(m.modality()), m.architecture(),
        static_cast<int>(m.treatment()), c.labels_json, m.base_model(), static_cast<int>(m.base_model_relation()),
        static_cast<int>(m.weights().access()), NullIfEmpty(c.weights_license), c.license_refs,
        static_cast<int>(m.data_disclosure().level()), m.openness().level(), static_cast<int>(m.openness().mof_class()),
        m.openness().osaid_candidate(), c.openness_flags, m.openness().rules_version());
  }
  return tx.exec_prepared(statement, c.name, c.publisher, record, m.display_name(), m.family(), m.version(),
                          NullIfEmpty(m.release_date()), NullIfEmpty(c.parameter_count), static_cast<int>(m.modality()),
                          m.architecture(), static_cast<int>(m.treatment()), c.labels_json, m.base_model(),
                          static_cast<int>(m.base_model_relation()), static_cast<int>(m.weights().access()),
                          NullIfEmpty(c.weights_license), c.license_refs, static_cast<int>(m.data_disclosure().level()),
                          m.openness().level(), static_cast<int>(m.openness().mof_class()),
                          m.openness().osaid_candidate(), c.openness_flags, m.openness().rules_version(), *deleted);
}

// Fills the output-only fields from a RETURNING row (revision, create, update, delete micros).
void FillOutputFields(const pqxx::row& row, int first, const std::string& record, v1::Model& model) {
  const int64_t revision = row[first].as<int64_t>();
  model.set_revision(revision);
  *model.mutable_create_time() = MicrosToTimestamp(row[first + 1].as<int64_t>());
  *model.mutable_update_time() = MicrosToTimestamp(row[first + 2].as<int64_t>());
  if (row[first + 3].is_null()) {
    model.clear_delete_time();
  } else {
    *model.mutable_delete_time() = MicrosToTimestamp(row[first + 3].as<int64_t>());
  }
  model.set_etag(ComputeEtag(record, revision));
}

absl::StatusOr<v1::Model> RowToModel(const pqxx::row& row) {
  const pqxx::binarystring bytes(row[0]);
  v1::Model model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    MODELREG_LOG(ERROR) << "storage: unparsable model record";
    return absl::InternalError("internal storage error");
  }
  FillOutputFields(row, 1, bytes.str(), model);
  return model;
}

// Locks the licenses `ids` FOR SHARE; INVALID_ARGUMENT naming the first one missing or soft-deleted.
absl::Status LockLiveLicenses(pqxx::transaction_base& tx, const std::vector<std::string>& ids) {
  if (ids.empty()) return absl::OkStatus();
  pqxx::result rows = tx.exec_prepared(kLockLicenses, TextArrayLiteral(ids));
  std::set<std::string> live;
  for (const pqxx::row& row : rows) {
    if (row[1].as<bool>()) live.insert(row[0].as<std::string>());
  }
  for (const std::string& id : ids) {
    if (live.count(id) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("license `licenses/", id, "` does not exist or is deleted"));
    }
  }
  return absl::OkStatus();
}

// Runs the prepared single SELECT `statement` of MODELREG_MODEL_COLUMNS and decodes every row.
template <typename... Params>
absl::StatusOr<std::vector<v1::Model>> SelectModels(ConnectionPool& pool, const char* statement,
                                                    const Params&... params) {
  std::vector<v1::Model> models;
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(pool, [&](pqxx::transaction_base& tx) -> absl::Status {
    models.clear();
    for (const pqxx::row& row : tx.exec_prepared(statement, params...)) {
      MODELREG_ASSIGN_OR_RETURN(v1::Model model, RowToModel(row));
      models.push_back(std::move(model));
    }
    return absl::OkStatus();
  }));
  return models;
}

absl::Status InsertModel(pqxx::transaction_base& tx, const v1::Model& input, v1::Model& out) {
  v1::Model stored = StoredForm(input);
  MODELREG_ASSIGN_OR_RETURN(ModelColumns columns, DeriveColumns(stored));
  MODELREG_RETURN_IF_ERROR(LockLiveLicenses(tx, columns.license_ids));
  pqxx::result rows = ExecWrite(tx, kInsert, stored, columns, nullptr);
  if (rows.empty()) return absl::AlreadyExistsError(absl::StrCat("model `", stored.name(), "` already exists"));
  out = std::move(stored);
  FillOutputFields(rows[0], 0, columns.record, out);
  return absl::OkStatus();
}

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& ModelStoreStatements() {
  static const auto* statements = new std::vector<PreparedStatement>{
      {kGet, "SELECT " MODELREG_MODEL_COLUMNS " FROM models m WHERE m.name = ANY($1::text[])"},
      {kScan, "SELECT " MODELREG_MODEL_COLUMNS " FROM models m WHERE m.name > $1 ORDER BY m.name LIMIT $2::integer"},
      {kLock, "SELECT " MODELREG_MODEL_COLUMNS " FROM models m WHERE m.name = $1 FOR UPDATE"},
      {kInsert,
       "INSERT INTO models (name, publisher, record, display_name, family, version, release_date, parameter_count, "
       "modality, architecture, treatment, labels, base_model, base_model_relation, weights_access, weights_license, "
       "license_refs, data_disclosure_level, openness_level, mof_class, osaid_candidate, openness_flags, "
       "rules_version, revision, create_time, update_time, delete_time) VALUES ($1, $2, $3, $4, $5, $6, $7::date, "
       "$8::bigint, $9::smallint, $10, $11::smallint, $12::jsonb, $13, $14::smallint, $15::smallint, $16, "
       "$17::text[], $18::smallint, $19::smallint, $20::smallint, $21::boolean, $22::smallint[], $23::integer, 1, "
       "now(), now(), NULL) ON CONFLICT (name) DO NOTHING" MODELREG_MODEL_RETURNING},
      {kUpdate, "UPDATE models SET " MODELREG_MODEL_WRITE_COLUMNS
                ", revision = revision + 1, update_time = now(), delete_time = CASE WHEN $24::boolean THEN "
                "COALESCE(delete_time, now()) ELSE NULL END WHERE name = $1" MODELREG_MODEL_RETURNING},
      {kLockLicenses, "SELECT id, delete_time IS NULL FROM licenses WHERE id = ANY($1::text[]) ORDER BY id FOR SHARE"},
      {kReassessByRules, "SELECT " MODELREG_MODEL_COLUMNS
                         " FROM models m WHERE m.name > $1 AND m.rules_version <> $2::integer ORDER BY m.name "
                         "LIMIT $3::integer FOR UPDATE"},
      {kReassessByLicense, "SELECT " MODELREG_MODEL_COLUMNS
                           " FROM models m WHERE m.name > $1 AND m.license_refs @> ARRAY[$2::text] ORDER BY m.name "
                           "LIMIT $3::integer FOR UPDATE"},
      {kReassessWrite,
       "UPDATE models SET record = $2, openness_level = $3::smallint, mof_class = $4::smallint, "
       "osaid_candidate = $5::boolean, openness_flags = $6::smallint[], rules_version = $7::integer WHERE name = $1"},
  };
  return *statements;
}
}  // namespace storage_internal

absl::StatusOr<v1::Model> ModelStore::Create(const v1::Model& model) {
  v1::Model result;
  MODELREG_RETURN_IF_ERROR(
      RunTransaction(*pool_, [&](pqxx::transaction_base& tx) { return InsertModel(tx, model, result); }));
  return result;
}

absl::StatusOr<std::vector<v1::Model>> ModelStore::CreateBatch(const std::vector<v1::Model>& models) {
  std::vector<v1::Model> results;
  const absl::Status status = RunTransaction(*pool_, [&](pqxx::transaction_base& tx) {
    results.clear();
    results.reserve(models.size());
    for (const v1::Model& model : models) {
      v1::Model created;
      MODELREG_RETURN_IF_ERROR(InsertModel(tx, model, created));
      results.push_back(std::move(created));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return results;
}

absl::StatusOr<v1::Model> ModelStore::Get(const std::string& name) {
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Model> found, GetMany({name}));
  if (found.empty()) return absl::NotFoundError(absl::StrCat("model `", name, "` not found"));
  return std::move(found[0]);
}

bool ModelStore::GetCached(const std::string& name, v1::Model* out) {
  return cache_ != nullptr && cache_->Lookup(name, out);
}

absl::StatusOr<std::vector<v1::Model>> ModelStore::GetMany(const std::vector<std::string>& names) {
  std::vector<v1::Model> found;
  std::vector<std::string> missed;
  for (const std::string& name : names) {
    v1::Model model;
    if (GetCached(name, &model)) {
      found.push_back(std::move(model));
    } else {
      missed.push_back(name);
    }
  }
  if (missed.empty()) return found;
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Model> fetched, Fetch(missed));
  for (v1::Model& model : fetched) found.push_back(std::move(model));
  return found;
}

absl::StatusOr<std::vector<v1::Model>> ModelStore::Fetch(const std::vector<std::string>& names) {
  const uint64_t epoch = cache_ != nullptr ? cache_->Epoch() : 0;
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Model> fetched, SelectModels(*pool_, kGet, TextArrayLiteral(names)));
  if (cache_ != nullptr) {
    for (const v1::Model& model : fetched) cache_->Insert(epoch, model);
  }
  return fetched;
}

absl::StatusOr<std::vector<v1::Model>> ModelStore::Scan(const std::string& after, int limit) {
  return SelectModels(*pool_, kScan, after, limit);
}

void ModelStore::InvalidateAfterTransaction(const std::string& name) {
  if (cache_ != nullptr) AfterTransaction([cache = cache_, name] { cache->Invalidate(name); });
}

absl::StatusOr<v1::Model> ModelStore::Update(const std::string& name, const Mutation& mutate) {
  v1::Model result;
  const absl::Status status = RunTransaction(*pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_prepared(kLock, name);
    if (rows.empty()) return absl::NotFoundError(absl::StrCat("model `", name, "` not found"));
    InvalidateAfterTransaction(name);
    MODELREG_ASSIGN_OR_RETURN(v1::Model model, RowToModel(rows[0]));
    MODELREG_RETURN_IF_ERROR(mutate(model));
    if (model.name() != name) return absl::InvalidArgumentError("a model's name cannot change");
    const bool deleted = model.has_delete_time();
    v1::Model stored = StoredForm(model);
    MODELREG_ASSIGN_OR_RETURN(ModelColumns columns, DeriveColumns(stored));
    // A live model may only reference live licenses; a soft-deleted one is not checked.
    if (!deleted) MODELREG_RETURN_IF_ERROR(LockLiveLicenses(tx, columns.license_ids));
    pqxx::result updated = ExecWrite(tx, kUpdate, stored, columns, &deleted);
    if (updated.empty()) return absl::NotFoundError(absl::StrCat("model `", name, "` not found"));
    result = std::move(stored);
    FillOutputFields(updated[0], 0, columns.record, result);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<Page<v1::Model>> ModelStore::List(const SqlQuery& query) {
  if (query.limit < 1) return absl::InvalidArgumentError("page size must be positive");
  const std::string sql = storage_internal::ListSql(MODELREG_MODEL_COLUMNS, "models m", query);
  Page<v1::Model> page;
  const absl::Status status = RunSingleStatement(*pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    page = Page<v1::Model>();
    pqxx::result rows = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(query.params), query.limit + 1);
    const size_t limit = static_cast<size_t>(query.limit);
    for (size_t i = 0; i < rows.size() && i < limit; ++i) {
      MODELREG_ASSIGN_OR_RETURN(v1::Model model, RowToModel(rows[i]));
      page.items.push_back(std::move(model));
    }
    if (rows.size() > limit) {
      page.next_key = storage_internal::KeyOf(rows[limit - 1], kModelColumnCount, query.key_columns.size());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<int64_t> ModelStore::Reassess(int rules_version, const std::string& license_id,
                                             const Mutation& recompute) {
  const std::string license = absl::StartsWith(license_id, "licenses/") ? license_id.substr(9) : license_id;
  int64_t rewritten = 0;
  std::string after;  // keyset: names sort after ""
  while (true) {
    int64_t batch_rewritten = 0;
    size_t batch_rows = 0;
    std::string batch_last;
    const absl::Status status = RunTransaction(*pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
      batch_rewritten = 0;
      pqxx::result rows = license.empty() ? tx.exec_prepared(kReassessByRules, after, rules_version, kReassessBatchSize)
                                          : tx.exec_prepared(kReassessByLicense, after, license, kReassessBatchSize);
      batch_rows = rows.size();
      for (const pqxx::row& row : rows) {
        MODELREG_ASSIGN_OR_RETURN(v1::Model model, RowToModel(row));
        batch_last = model.name();
        InvalidateAfterTransaction(model.name());
        v1::Model recomputed = model;
        MODELREG_RETURN_IF_ERROR(recompute(recomputed));
        // Only the assessment changes; every other field (and so every other column) stays as stored.
        v1::Model stored = StoredForm(model);
        *stored.mutable_openness() = recomputed.openness();
        const std::string record = SerializeDeterministic(stored);
        std::vector<int> flags(stored.openness().flags().begin(), stored.openness().flags().end());
        tx.exec_prepared(kReassessWrite, stored.name(), pqxx::binarystring(record), stored.openness().level(),
                         static_cast<int>(stored.openness().mof_class()), stored.openness().osaid_candidate(),
                         IntArrayLiteral(flags), stored.openness().rules_version());
        ++batch_rewritten;
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    rewritten += batch_rewritten;
    if (batch_rows < static_cast<size_t>(kReassessBatchSize)) break;
    after = batch_last;
  }
  return rewritten;
}

}  // namespace modelreg

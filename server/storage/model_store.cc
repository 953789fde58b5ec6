#include "server/storage/model_store.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/common/call_deadline.h"
#include "server/common/errors.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"
#include "server/domain/resource/license_kind.h"
#include "server/domain/resource/model_kind.h"
#include "server/storage/as_of_tables.h"
#include "server/storage/cached_page.h"
#include "server/storage/kind_tables.h"
#include "server/storage/record_codec.h"
#include "server/storage/resource_table.h"
#include "server/storage/statements.h"
#include "server/storage/transaction.h"

namespace modelreg {
namespace {

constexpr char kReassessByRules[] = "modelreg_model_reassess_by_rules";
constexpr char kReassessByLicense[] = "modelreg_model_reassess_by_license";

constexpr int kReassessBatchSize = 500;

const ResourceTable& Table() {
  static const auto* table = new ResourceTable(ModelKind());
  return *table;
}

// Records in wire form (ResourceTable::SerializedRecord) with their names, read from their first field.
std::vector<ModelRepository::SerializedModel> WithNames(std::vector<ResourceTable::VersionedRecord> records) {
  std::vector<ModelRepository::SerializedModel> models;
  models.reserve(records.size());
  for (ResourceTable::VersionedRecord& record : records) {
    std::string name(storage_internal::LeadingName(record.bytes));
    models.push_back({std::move(name), std::make_shared<const std::string>(std::move(record.bytes)), record.version});
  }
  return models;
}

// INVALID_ARGUMENT for a malformed name or a license reference that is not `licenses/{id}`.
absl::Status CheckNameAndReferences(const v1::Model& model) {
  if (!ParseModelName(model.name()).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid model name `", model.name(), "`"));
  }
  std::vector<std::string> references = {model.weights().license()};
  for (const v1::Component& component : model.components()) references.push_back(component.license());
  for (const v1::Dataset& dataset : model.data_disclosure().datasets()) references.push_back(dataset.license());
  for (const std::string& reference : references) {
    if (!reference.empty() && LicenseIdOf(reference).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("license `", reference, "` does not exist or is deleted"));
    }
  }
  return absl::OkStatus();
}

// Locks the licenses `ids` FOR SHARE and returns their etags by name; INVALID_ARGUMENT naming the first one missing
// or soft-deleted.
absl::StatusOr<LicenseEtags> LockLiveLicenses(Transaction& tx, const std::vector<std::string>& ids) {
  LicenseEtags locked;
  if (ids.empty()) return locked;
  static const ResourceTable& license_table = *TableOfKind(LicenseKind().table);
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::License> licenses, license_table.GetManyShared<v1::License>(tx, ids));
  for (v1::License& license : licenses) {
    if (license.has_delete_time()) continue;
    locked.emplace(std::move(*license.mutable_name()), std::move(*license.mutable_etag()));
  }
  for (const std::string& id : ids) {
    const std::string name = LicenseName(id);
    if (locked.count(name) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("license `", name, "` does not exist or is deleted"));
    }
  }
  return locked;
}

// ABORTED `LICENSE_CHANGED` when a license of `assessed_with` is locked (`locked`) with another etag: an update of it
// committed after the assessment read it, so the assessment may be stale. Nothing is written; the caller assesses
// again. Licenses not locked are not the model's.
absl::Status CheckAssessedWith(const LicenseEtags& assessed_with, const LicenseEtags& locked) {
  for (const auto& [name, etag] : assessed_with) {
    const auto it = locked.find(name);
    if (it != locked.end() && it->second != etag) {
      return ErrorWithReason(absl::StatusCode::kAborted, kLicenseChanged,
                             absl::StrCat("license `", name, "` changed while the model was written; retry"));
    }
  }
  return absl::OkStatus();
}

absl::Status ModelExists(const std::string& name) {
  return absl::AlreadyExistsError(absl::StrCat("model `", name, "` already exists"));
}

absl::StatusOr<v1::Model> InsertModel(Transaction& tx, const v1::Model& input, const LicenseEtags& assessed_with) {
  v1::Model model = input;
  MODELREG_RETURN_IF_ERROR(CheckNameAndReferences(model));
  MODELREG_ASSIGN_OR_RETURN(const LicenseEtags locked, LockLiveLicenses(tx, LicenseIdsOf(model)));
  MODELREG_RETURN_IF_ERROR(CheckAssessedWith(assessed_with, locked));
  MODELREG_ASSIGN_OR_RETURN(bool inserted, Table().Insert(tx, model.name(), model));
  if (!inserted) return ModelExists(model.name());
  return model;
}

// Inserts `models` (their output fields filled in place) with two statements whatever their number: the licenses
// they reference locked FOR SHARE, each model's assessment checked against them (`assessed_with[i]` for models[i]),
// then the rows and their history. For each, whether it was inserted (false: its name existed or came earlier in
// `models`). INVALID_ARGUMENT naming a license that is missing or deleted; ABORTED `LICENSE_CHANGED`.
absl::StatusOr<std::vector<bool>> InsertModels(Transaction& tx, std::vector<v1::Model>& models,
                                               const std::vector<const LicenseEtags*>& assessed_with) {
  std::vector<std::string> names;
  std::set<std::string> license_ids;
  std::vector<google::protobuf::Message*> records;
  names.reserve(models.size());
  records.reserve(models.size());
  for (v1::Model& model : models) {
    names.push_back(model.name());
    for (std::string& id : LicenseIdsOf(model)) license_ids.insert(std::move(id));
    records.push_back(&model);
  }
  MODELREG_ASSIGN_OR_RETURN(const LicenseEtags locked, LockLiveLicenses(tx, {license_ids.begin(), license_ids.end()}));
  for (const LicenseEtags* assessed : assessed_with) MODELREG_RETURN_IF_ERROR(CheckAssessedWith(*assessed, locked));
  return Table().InsertMany(tx, names, records);
}

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& ModelStoreStatements() {
  static const auto* statements = [] {
    auto* all = new std::vector<PreparedStatement>(Table().Statements());
    const std::string& columns = Table().record_columns();
    all->push_back(
        {kReassessByRules, absl::StrCat("SELECT ", columns,
                                        " FROM models m WHERE m.name > $1 AND m.rules_version <> $2::integer "
                                        "ORDER BY m.name LIMIT $3::integer FOR UPDATE")});
    all->push_back({kReassessByLicense, absl::StrCat("SELECT ", columns,
                                                     " FROM models m WHERE m.name > $1 AND m.license_refs @> "
                                                     "ARRAY[$2::text] ORDER BY m.name LIMIT $3::integer FOR UPDATE")});
    return all;
  }();
  return *statements;
}
}  // namespace storage_internal

ModelStore::ModelStore(ConnectionPool* pool, ModelCache* cache)
    : pool_(pool),
      cache_(cache),
      creates_(kCreateFlushes, kCreateGroup,
               [this](const std::vector<PendingCreate*>& group) { FlushCreates(group); }) {}

absl::StatusOr<v1::Model> ModelStore::Create(const v1::Model& model, const LicenseEtags& assessed_with) {
  if (InTransaction()) return CreateAlone(model, assessed_with);
  PendingCreate call(&model, &assessed_with, CurrentChangeAuthor(), CallDeadline());
  creates_.Run(call);
  if (call.alone) return CreateAlone(model, assessed_with);
  return std::move(call.result);
}

// Which calls of a group go alone, in a transaction of their own on their own threads, each then getting exactly
// the outcome it would have had without the group:
// - a call whose deadline has passed (its own transaction refuses it: DEADLINE_PASSED, nothing written);
// - every call, when the group's transaction finds a bad argument, such as a license of the group missing or
//   deleted (each call's own transaction then names the license, and the calls not using it succeed), or a call
//   assessed with a license changed since (each call's own transaction then fails only the calls that did);
// - every call, when the group's transaction outlives the earliest deadline among them (it runs under that one, so
//   that no call is committed after its deadline; the calls with time left then go on alone).
// A malformed call gets its error here. Those inserted get their row; those whose name existed (or came earlier in
// the group) ALREADY_EXISTS. Any other failure of the transaction is every call's error: nothing was written.
void ModelStore::FlushCreates(const std::vector<PendingCreate*>& group) {
  const absl::Time now = absl::Now();
  std::vector<PendingCreate*> calls;
  absl::Time deadline = absl::InfiniteFuture();
  for (PendingCreate* call : group) {
    if (absl::Status valid = CheckNameAndReferences(*call->model); !valid.ok()) {
      call->result = std::move(valid);
    } else if (call->deadline <= now) {
      call->alone = true;
    } else {
      calls.push_back(call);
      deadline = std::min(deadline, call->deadline);
    }
  }
  if (calls.empty()) return;
  // Rows locked in name order, the same in every group, so two concurrent groups never deadlock.
  std::sort(calls.begin(), calls.end(),
            [](const PendingCreate* a, const PendingCreate* b) { return a->model->name() < b->model->name(); });
  // The group runs as its callers would: under their (shared) author, until the earliest of their deadlines.
  const ScopedChangeAuthor author(calls.front()->key);
  const ScopedCallDeadline call_deadline(deadline);
  std::vector<const LicenseEtags*> assessed_with;
  for (const PendingCreate* call : calls) assessed_with.push_back(call->assessed_with);
  std::vector<v1::Model> models;
  std::vector<bool> inserted;
  const absl::Status status = RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    models.clear();
    for (const PendingCreate* call : calls) models.push_back(*call->model);
    MODELREG_ASSIGN_OR_RETURN(inserted, InsertModels(tx, models, assessed_with));
    return absl::OkStatus();
  });
  // A license gone or changed: only the calls using it (or assessed with its previous version) must fail. The
  // earliest deadline passed: each call's own deadline decides its outcome.
  const bool each_alone =
      absl::IsInvalidArgument(status) ||
      ((absl::IsDeadlineExceeded(status) || ErrorReason(status) == kLicenseChanged) && calls.size() > 1);
  for (size_t i = 0; i < calls.size(); ++i) {
    if (each_alone) {
      calls[i]->alone = true;
    } else if (!status.ok()) {
      calls[i]->result = status;
    } else if (inserted[i]) {
      calls[i]->result = std::move(models[i]);
    } else {
      calls[i]->result = ModelExists(models[i].name());
    }
  }
}

absl::StatusOr<v1::Model> ModelStore::CreateAlone(const v1::Model& model, const LicenseEtags& assessed_with) {
  v1::Model result;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(result, InsertModel(tx, model, assessed_with));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<v1::Model>> ModelStore::CreateBatch(const std::vector<v1::Model>& models,
                                                               const LicenseEtags& assessed_with) {
  for (const v1::Model& model : models) MODELREG_RETURN_IF_ERROR(CheckNameAndReferences(model));
  std::vector<v1::Model> results;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    results = models;
    MODELREG_ASSIGN_OR_RETURN(std::vector<bool> inserted, InsertModels(tx, results, {&assessed_with}));
    for (size_t i = 0; i < inserted.size(); ++i) {
      if (!inserted[i]) return ModelExists(results[i].name());
    }
    return absl::OkStatus();
  }));
  return results;
}

absl::StatusOr<v1::Model> ModelStore::ParseModel(const std::string& bytes) {
  v1::Model model;
  if (!model.ParseFromString(bytes)) {
    MODELREG_LOG(ERROR) << "storage: unparsable models record";
    return absl::InternalError("internal storage error");
  }
  return model;
}

absl::StatusOr<v1::Model> ModelStore::Get(const std::string& name) {
  if (std::shared_ptr<const std::string> cached = GetCached(name)) return ParseModel(*cached);
  MODELREG_ASSIGN_OR_RETURN(std::vector<SerializedModel> fetched, Fetch({name}));
  if (fetched.empty()) return absl::NotFoundError(absl::StrCat("model `", name, "` not found"));
  return ParseModel(*fetched[0].bytes);
}

std::shared_ptr<const std::string> ModelStore::GetCached(const std::string& name) {
  return cache_ != nullptr ? cache_->Lookup(name) : nullptr;
}

absl::StatusOr<std::vector<ModelRepository::SerializedModel>> ModelStore::Fetch(const std::vector<std::string>& names) {
  const uint64_t epoch = cache_ != nullptr ? cache_->Epoch() : 0;
  std::vector<SerializedModel> fetched;
  const TransactionBody fetch = [&](Transaction& tx) -> absl::Status {
    fetched = WithNames(Table().GetManySerialized(tx, names));
    return absl::OkStatus();
  };
  ReadReplica::Served served{false, epoch};
  if (replica_ != nullptr) {
    MODELREG_RETURN_IF_ERROR(replica_->Run(fetch, epoch, &served));
  } else {
    MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, fetch));
  }
  if (cache_ != nullptr) {
    // A standby's result under its fence's epoch, not the one taken above (read_replica.h).
    for (const SerializedModel& model : fetched) {
      cache_->Insert(served.cache_epoch, model.name, model.bytes, model.row_version);
    }
  }
  return fetched;
}

absl::StatusOr<std::vector<ModelRepository::SerializedModel>> ModelStore::Scan(const std::string& after, int limit) {
  std::vector<SerializedModel> models;
  MODELREG_RETURN_IF_ERROR(RunSingleStatement(*pool_, [&](Transaction& tx) -> absl::Status {
    models = WithNames(Table().ScanSerialized(tx, after, limit));
    return absl::OkStatus();
  }));
  return models;
}

void ModelStore::InvalidateOnEnd(Transaction& tx, const std::string& name) {
  if (cache_ != nullptr) tx.OnEnd([cache = cache_, name] { cache->Invalidate(name); });
}

absl::StatusOr<v1::Model> ModelStore::Update(const std::string& name, const Mutation& mutate) {
  v1::Model result;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    v1::Model model;
    MODELREG_ASSIGN_OR_RETURN(bool found, Table().Lock(tx, name, model));
    if (!found) return absl::NotFoundError(absl::StrCat("model `", name, "` not found"));
    InvalidateOnEnd(tx, name);
    MODELREG_RETURN_IF_ERROR(mutate(tx, model));
    if (model.name() != name) return absl::InvalidArgumentError("a model's name cannot change");
    MODELREG_RETURN_IF_ERROR(CheckNameAndReferences(model));
    const bool deleted = model.has_delete_time();
    // A live model may only reference live licenses; a soft-deleted one is not checked.
    if (!deleted) MODELREG_RETURN_IF_ERROR(LockLiveLicenses(tx, LicenseIdsOf(model)).status());
    MODELREG_ASSIGN_OR_RETURN(bool updated, Table().Update(tx, name, model, deleted));
    if (!updated) return absl::NotFoundError(absl::StrCat("model `", name, "` not found"));
    result = std::move(model);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::optional<Page<std::string>>> ModelStore::ListFromCache(const ListQuery& query) {
  Page<ResourceTable::KeyVersion> listed;
  MODELREG_RETURN_IF_ERROR(RunRead(*pool_, replica_, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(listed, Table().ListVersions(tx, query));
    return absl::OkStatus();
  }));
  std::vector<std::shared_ptr<const std::string>> cached(listed.items.size());
  std::vector<std::string> missed;
  for (size_t i = 0; i < cached.size(); ++i) {
    cached[i] = cache_->Lookup(listed.items[i].key, listed.items[i].version);
    if (cached[i] == nullptr) missed.push_back(listed.items[i].key);
  }
  std::vector<SerializedModel> fetched;
  // Read (and cached) by name; usable only if still the row version the List saw.
  if (!missed.empty()) {
    MODELREG_ASSIGN_OR_RETURN(fetched, Fetch(missed));
  }
  std::optional<std::vector<std::string>> records = PageRecords(listed.items, cached, fetched);
  if (!records.has_value()) return std::nullopt;
  Page<std::string> page;
  page.next_key = std::move(listed.next_key);
  page.items = *std::move(records);
  return page;
}

absl::StatusOr<Page<std::string>> ModelStore::ListSerialized(const ListQuery& query) {
  if (!query.read_time.has_value() && cache_ != nullptr && cache_->enabled()) {
    MODELREG_ASSIGN_OR_RETURN(std::optional<Page<std::string>> cached, ListFromCache(query));
    if (cached.has_value()) return *std::move(cached);
  }
  Page<std::string> page;
  const TransactionBody list = [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(page, Table().ListSerialized(tx, query));
    return absl::OkStatus();
  };
  // As of a time: the same query over the models and licenses (`license.*` fields) of then.
  if (query.read_time.has_value()) {
    MODELREG_RETURN_IF_ERROR(RunAsOf(*pool_, *query.read_time, {"models", "licenses"}, list));
  } else {
    MODELREG_RETURN_IF_ERROR(RunRead(*pool_, replica_, list));
  }
  return page;
}

absl::StatusOr<ModelRepository::ReassessBatch> ModelStore::ReassessRows(Transaction& tx, const pqxx::result& rows,
                                                                        const Mutation& recompute) {
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Model> batch, Table().Decode<v1::Model>(rows));
  ReassessBatch done;
  for (const v1::Model& model : batch) {
    InvalidateOnEnd(tx, model.name());
    v1::Model recomputed = model;
    MODELREG_RETURN_IF_ERROR(recompute(tx, recomputed));
    // An unchanged assessment is not a change: no write, no REASSESS revision.
    if (google::protobuf::util::MessageDifferencer::Equals(recomputed.openness(), model.openness())) continue;
    // Only the assessment changes; every other field (and so every other column) stays as stored.
    v1::Model stored = model;
    *stored.mutable_openness() = recomputed.openness();
    Table().Reassess(tx, stored.name(), stored);
    ++done.rewritten;
  }
  done.read = static_cast<int64_t>(batch.size());
  if (!batch.empty()) done.last = batch.back().name();
  return done;
}

absl::StatusOr<ModelRepository::ReassessBatch> ModelStore::ReassessLicenseBatch(Transaction& tx,
                                                                                const std::string& license_id,
                                                                                const std::string& after, int limit,
                                                                                const Mutation& recompute) {
  const std::string license = LicenseKind().KeyOf(license_id);  // an id or a resource name
  return ReassessRows(tx, tx.sql().exec_prepared(kReassessByLicense, after, license, limit), recompute);
}

absl::StatusOr<int64_t> ModelStore::Reassess(int rules_version, const std::string& license_id,
                                             const Mutation& recompute) {
  int64_t rewritten = 0;
  std::string after;  // keyset: names sort after ""
  while (true) {
    ReassessBatch batch;
    MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
      if (license_id.empty()) {
        MODELREG_ASSIGN_OR_RETURN(
            batch, ReassessRows(tx, tx.sql().exec_prepared(kReassessByRules, after, rules_version, kReassessBatchSize),
                                recompute));
      } else {
        MODELREG_ASSIGN_OR_RETURN(batch, ReassessLicenseBatch(tx, license_id, after, kReassessBatchSize, recompute));
      }
      return absl::OkStatus();
    }));
    rewritten += batch.rewritten;
    if (batch.read < kReassessBatchSize) break;
    after = batch.last;
  }
  return rewritten;
}

absl::StatusOr<int64_t> ModelStore::Backfill() {
  return Table().Backfill(*pool_, [this](Transaction& tx, const std::string& name) { InvalidateOnEnd(tx, name); });
}

}  // namespace modelreg

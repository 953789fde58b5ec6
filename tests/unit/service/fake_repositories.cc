#include "tests/unit/service/fake_repositories.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/common/errors.h"
#include "server/common/status_macros.h"
#include "server/domain/licenses/license_names.h"
#include "server/domain/names.h"
#include "server/domain/resource/license_kind.h"
#include "server/domain/resource/model_kind.h"

namespace modelreg::testing {
namespace {

void ClearOutputOnly(v1::Model* model) {
  model->clear_create_time();
  model->clear_update_time();
  model->clear_delete_time();
  model->clear_etag();
  model->clear_revision();
}

void ClearOutputOnly(v1::License* license) {
  license->clear_create_time();
  license->clear_update_time();
  license->clear_delete_time();
  license->clear_etag();
}

template <typename Record>
Record Stored(const Record& record) {
  Record stored = record;
  ClearOutputOnly(&stored);
  return stored;
}

// Applies a committed write to `state`: revision + 1, update_time now, delete_time per the Mutation's result (a
// record deleted before keeps its original delete_time).
void ApplyWrite(RecordState& state, bool deleted, const google::protobuf::Timestamp& now) {
  ++state.revision;
  state.update_time = now;
  if (deleted && !state.deleted) state.delete_time = now;
  if (!deleted) state.delete_time.Clear();
  state.deleted = deleted;
}

// What the fakes' List supports: see fake_repositories.h. `publisher_of` maps a record name to its publisher id.
template <typename Record, typename Row, typename Output, typename PublisherOf>
absl::StatusOr<Page<Record>> ListRows(const std::map<std::string, Row>& rows, const ListQuery& query,
                                      const Output& output, const PublisherOf& publisher_of) {
  if (query.kind == nullptr) return absl::InvalidArgumentError("fake List: query.kind is not set");
  if (query.limit < 1) return absl::InvalidArgumentError(absl::StrCat("limit must be positive, got ", query.limit));
  if (query.filter.has_value()) {
    return absl::UnimplementedError("fake List: filters are not supported (tested against PostgreSQL)");
  }
  if (query.order.size() != 1 || query.order[0].field != query.kind->primary_key || query.order[0].desc) {
    return absl::UnimplementedError("fake List: only the default order (name ascending) is supported");
  }
  std::set<std::string> publishers;
  for (const Predicate& predicate : query.parent) {
    if (predicate.field == nullptr || predicate.field->name != "publisher" ||
        predicate.test != Predicate::Test::kCompare || predicate.op != Comparator::kEq) {
      return absl::UnimplementedError("fake List: only `publisher = X` parent restrictions are supported");
    }
    publishers.insert(predicate.value);
  }
  if (publishers.size() > 1) return Page<Record>{};  // ANDed: no name has two publishers
  const std::string* after = query.after.has_value() && !query.after->empty() ? &query.after->front() : nullptr;

  Page<Record> page;
  std::string last_key;
  for (const auto& [name, row] : rows) {
    if (row.state.deleted && !query.show_deleted) continue;
    if (!publishers.empty() && publisher_of(name) != *publishers.begin()) continue;
    const std::string key = query.kind->KeyOf(name);
    if (after != nullptr && key <= *after) continue;
    if (static_cast<int>(page.items.size()) == query.limit) {
      page.next_key = std::vector<std::optional<std::string>>{last_key};
      break;
    }
    page.items.push_back(output(row));
    last_key = key;
  }
  return page;
}

}  // namespace

google::protobuf::Timestamp FakeClock::Tick() {
  ++seconds_;
  return Last();
}

google::protobuf::Timestamp FakeClock::Last() const {
  google::protobuf::Timestamp now;
  now.set_seconds(seconds_);
  return now;
}

std::string FakeEtag(const google::protobuf::Message& stored_record, int64_t revision) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    stored_record.SerializeToCodedStream(&coded);
  }
  absl::StrAppend(&bytes, "#", revision);
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016" PRIx64, hash);
  return buffer;
}

// ---- licenses ----

v1::License FakeLicenseRepository::Output(const Row& row) {
  v1::License license = row.record;
  *license.mutable_create_time() = row.state.create_time;
  *license.mutable_update_time() = row.state.update_time;
  if (row.state.deleted) *license.mutable_delete_time() = row.state.delete_time;
  license.set_etag(FakeEtag(row.record, row.state.revision));
  return license;
}

absl::StatusOr<v1::License> FakeLicenseRepository::Create(const v1::License& license) {
  return Create(license, [](Transaction&) { return absl::OkStatus(); });
}

absl::StatusOr<v1::License> FakeLicenseRepository::Create(const v1::License& license,
                                                          const std::function<absl::Status(Transaction& tx)>& check) {
  ++calls_.create;
  last_create_input_ = license;
  if (!ParseLicenseName(license.name()).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid license name `", license.name(), "`"));
  }
  Transaction tx(nullptr);
  MODELREG_RETURN_IF_ERROR(check(tx));
  if (records_.count(license.name()) > 0) {
    return absl::AlreadyExistsError(absl::StrCat("license `", license.name(), "` already exists"));
  }
  Row row;
  row.record = Stored(license);
  row.state.revision = 1;
  row.state.create_time = row.state.update_time = clock_->Tick();
  const auto inserted = records_.emplace(license.name(), std::move(row)).first;
  return Output(inserted->second);
}

absl::StatusOr<v1::License> FakeLicenseRepository::Get(const std::string& name) {
  ++calls_.get;
  const auto it = records_.find(name);
  if (it == records_.end()) return absl::NotFoundError(absl::StrCat("license `", name, "` not found"));
  return Output(it->second);
}

absl::StatusOr<std::vector<v1::License>> FakeLicenseRepository::GetMany(const std::vector<std::string>& names,
                                                                        Transaction* tx) {
  ++calls_.get_many;
  if (tx != nullptr) ++calls_.get_many_in_tx;
  const std::set<std::string> wanted(names.begin(), names.end());
  std::vector<v1::License> found;
  for (const std::string& name : wanted) {  // std::set: name order
    const auto it = records_.find(name);
    if (it != records_.end()) found.push_back(Output(it->second));
  }
  return found;
}

absl::StatusOr<std::vector<v1::License>> FakeLicenseRepository::FindByKeys(const std::vector<std::string>& keys,
                                                                           Transaction* /*tx*/) {
  ++calls_.find_by_keys;
  std::vector<v1::License> found;
  for (const auto& [name, row] : records_) {  // std::map: name order
    const std::vector<std::string> answers = LicenseKeys(row.record);
    if (std::any_of(keys.begin(), keys.end(), [&](const std::string& key) {
          return std::find(answers.begin(), answers.end(), key) != answers.end();
        })) {
      found.push_back(Output(row));
    }
  }
  return found;
}

absl::StatusOr<v1::License> FakeLicenseRepository::Update(const std::string& name, const Mutation& mutate) {
  ++calls_.update;
  const auto it = records_.find(name);
  if (it == records_.end()) return absl::NotFoundError(absl::StrCat("license `", name, "` not found"));
  Transaction tx(nullptr);
  v1::License license = Output(it->second);
  MODELREG_RETURN_IF_ERROR(mutate(tx, license));
  if (license.name() != name) return absl::InvalidArgumentError("a license's name cannot change");
  const bool deleted = license.has_delete_time();
  if (deleted && !it->second.state.deleted && models_ != nullptr) {
    const std::string model = models_->LiveModelReferencing(name);
    if (!model.empty()) {
      return absl::FailedPreconditionError(absl::StrCat("license `", name, "` is referenced by model `", model, "`"));
    }
  }
  it->second.record = Stored(license);
  ApplyWrite(it->second.state, deleted, clock_->Tick());
  return Output(it->second);
}

absl::StatusOr<Page<v1::License>> FakeLicenseRepository::List(const ListQuery& query) {
  ++calls_.list;
  return ListRows<v1::License>(
      records_, query, [](const Row& row) { return Output(row); }, [](const std::string&) { return std::string(); });
}

bool FakeLicenseRepository::IsLive(const std::string& name) const {
  const auto it = records_.find(name);
  return it != records_.end() && !it->second.state.deleted;
}

// ---- models ----

FakeModelRepository::FakeModelRepository(FakeLicenseRepository* licenses, FakeClock* clock)
    : licenses_(licenses), clock_(clock) {
  licenses_->set_models(this);
}

v1::Model FakeModelRepository::Output(const Row& row) {
  v1::Model model = row.record;
  model.set_revision(row.state.revision);
  *model.mutable_create_time() = row.state.create_time;
  *model.mutable_update_time() = row.state.update_time;
  if (row.state.deleted) *model.mutable_delete_time() = row.state.delete_time;
  model.set_etag(FakeEtag(row.record, row.state.revision));
  return model;
}

absl::Status FakeModelRepository::CheckNameAndLicenses(const v1::Model& model, bool live) const {
  if (!ParseModelName(model.name()).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid model name `", model.name(), "`"));
  }
  std::vector<std::string> references = {model.weights().license()};
  for (const v1::Component& component : model.components()) references.push_back(component.license());
  for (const v1::Dataset& dataset : model.data_disclosure().datasets()) references.push_back(dataset.license());
  for (const std::string& reference : references) {
    if (!reference.empty() && !ParseLicenseName(reference).ok()) {
      return absl::InvalidArgumentError(absl::StrCat("license `", reference, "` does not exist or is deleted"));
    }
  }
  if (!live) return absl::OkStatus();
  for (const std::string& id : LicenseIdsOf(model)) {
    if (!licenses_->IsLive(LicenseName(id))) {
      return absl::InvalidArgumentError(absl::StrCat("license `licenses/", id, "` does not exist or is deleted"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<FakeModelRepository::Row> FakeModelRepository::NewRow(const v1::Model& model) const {
  MODELREG_RETURN_IF_ERROR(CheckNameAndLicenses(model, /*live=*/true));
  if (records_.count(model.name()) > 0) {
    return absl::AlreadyExistsError(absl::StrCat("model `", model.name(), "` already exists"));
  }
  Row row;
  row.record = Stored(model);
  row.state.revision = 1;
  return row;
}

absl::Status FakeModelRepository::CheckAssessedWith(const LicenseEtags& assessed_with) const {
  for (const auto& [name, etag] : assessed_with) {
    absl::StatusOr<v1::License> now = licenses_->Get(name);
    if (now.ok() && now->etag() != etag) {
      return ErrorWithReason(absl::StatusCode::kAborted, kLicenseChanged, absl::StrCat("license `", name, "` changed"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Model> FakeModelRepository::Create(const v1::Model& model, const LicenseEtags& assessed_with) {
  ++calls_.create;
  last_create_input_ = {model};
  MODELREG_ASSIGN_OR_RETURN(Row row, NewRow(model));
  MODELREG_RETURN_IF_ERROR(CheckAssessedWith(assessed_with));  // after the live-license check, as the store
  row.state.create_time = row.state.update_time = clock_->Tick();
  const auto inserted = records_.emplace(model.name(), std::move(row)).first;
  return Output(inserted->second);
}

absl::StatusOr<std::vector<v1::Model>> FakeModelRepository::CreateBatch(const std::vector<v1::Model>& models,
                                                                        const LicenseEtags& assessed_with) {
  ++calls_.create_batch;
  last_create_input_ = models;
  std::map<std::string, Row> staged;
  std::vector<std::string> order;
  for (const v1::Model& model : models) {
    MODELREG_ASSIGN_OR_RETURN(Row row, NewRow(model));
    if (!staged.emplace(model.name(), std::move(row)).second) {
      return absl::AlreadyExistsError(absl::StrCat("model `", model.name(), "` already exists"));
    }
    order.push_back(model.name());
  }
  MODELREG_RETURN_IF_ERROR(CheckAssessedWith(assessed_with));
  // One transaction: every row gets the same time.
  const google::protobuf::Timestamp now = clock_->Tick();
  std::vector<v1::Model> created;
  for (const std::string& name : order) {
    Row& row = staged.at(name);
    row.state.create_time = row.state.update_time = now;
    created.push_back(Output(row));
    records_.emplace(name, std::move(row));
  }
  return created;
}

absl::StatusOr<v1::Model> FakeModelRepository::Get(const std::string& name) {
  ++calls_.get;
  const auto it = records_.find(name);
  if (it == records_.end()) return absl::NotFoundError(absl::StrCat("model `", name, "` not found"));
  return Output(it->second);
}

absl::StatusOr<v1::Model> FakeModelRepository::Update(const std::string& name, const Mutation& mutate) {
  ++calls_.update;
  const auto it = records_.find(name);
  if (it == records_.end()) return absl::NotFoundError(absl::StrCat("model `", name, "` not found"));
  Transaction tx(nullptr);
  v1::Model model = Output(it->second);
  MODELREG_RETURN_IF_ERROR(mutate(tx, model));
  if (model.name() != name) return absl::InvalidArgumentError("a model's name cannot change");
  const bool deleted = model.has_delete_time();
  // A live model may only reference live licenses; a soft-deleted one is not checked.
  MODELREG_RETURN_IF_ERROR(CheckNameAndLicenses(model, /*live=*/!deleted));
  it->second.record = Stored(model);
  ApplyWrite(it->second.state, deleted, clock_->Tick());
  return Output(it->second);
}

absl::StatusOr<Page<std::string>> FakeModelRepository::ListSerialized(const ListQuery& query) {
  ++calls_.list;
  return ListRows<std::string>(
      records_, query, [](const Row& row) { return Output(row).SerializeAsString(); },
      [](const std::string& name) {
        absl::StatusOr<ModelName> parsed = ParseModelName(name);
        return parsed.ok() ? parsed->publisher : std::string();
      });
}

absl::StatusOr<int64_t> FakeModelRepository::Reassess(int rules_version, const std::string& license_id,
                                                      const Mutation& recompute) {
  calls_.reassess.push_back({rules_version, license_id});
  if (!reassess_error_.ok()) return std::exchange(reassess_error_, absl::OkStatus());
  const std::string license = LicenseKind().KeyOf(license_id);  // an id or a resource name
  std::vector<std::string> selected;
  for (const auto& [name, row] : records_) {
    if (license.empty()) {
      if (row.record.openness().rules_version() != rules_version) selected.push_back(name);
    } else {
      const std::vector<std::string> ids = LicenseIdsOf(row.record);
      if (std::find(ids.begin(), ids.end(), license) != ids.end()) selected.push_back(name);
    }
  }
  int64_t rewritten = 0;
  const auto batch_size = static_cast<size_t>(std::max(1, reassess_batch_size_));
  for (size_t start = 0; start < selected.size(); start += batch_size) {
    const size_t end = std::min(selected.size(), start + batch_size);
    std::map<std::string, v1::Openness> staged;
    {
      Transaction tx(nullptr);
      for (size_t i = start; i < end; ++i) {
        v1::Model model = Output(records_.at(selected[i]));
        MODELREG_RETURN_IF_ERROR(recompute(tx, model));
        staged[selected[i]] = model.openness();
      }
    }
    // Only the openness changes: revision and update_time stay.
    for (auto& [name, openness] : staged) *records_.at(name).record.mutable_openness() = std::move(openness);
    rewritten += static_cast<int64_t>(end - start);
  }
  return rewritten;
}

std::vector<std::string> FakeModelRepository::ModelsReferencing(const std::string& license_id) const {
  const std::string license = LicenseKind().KeyOf(license_id);
  std::vector<std::string> names;
  for (const auto& [name, row] : records_) {
    const std::vector<std::string> ids = LicenseIdsOf(row.record);
    if (std::find(ids.begin(), ids.end(), license) != ids.end()) names.push_back(name);
  }
  return names;
}

absl::StatusOr<ModelRepository::ReassessBatch> FakeModelRepository::ReassessLicenseBatch(
    Transaction& tx, const std::string& license_id, const std::string& after, int limit, const Mutation& recompute) {
  ReassessBatch done;
  for (const std::string& name : ModelsReferencing(license_id)) {
    if (name <= after) continue;
    if (done.read == limit) break;
    ++done.read;
    done.last = name;
    v1::Model model = Output(records_.at(name));
    MODELREG_RETURN_IF_ERROR(recompute(tx, model));
    v1::Openness& stored = *records_.at(name).record.mutable_openness();
    if (model.openness().SerializeAsString() == stored.SerializeAsString()) continue;
    stored = model.openness();  // revision and update_time stay
    ++done.rewritten;
  }
  return done;
}

std::string FakeModelRepository::LiveModelReferencing(const std::string& license_name) const {
  const std::string id = LicenseKind().KeyOf(license_name);
  for (const auto& [name, row] : records_) {
    if (row.state.deleted) continue;
    const std::vector<std::string> ids = LicenseIdsOf(row.record);
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) return name;
  }
  return "";
}

absl::Status FakeReassessmentQueue::Enqueue(Transaction& /*tx*/, const std::string& license_id,
                                            const ChangeAuthor& author) {
  Entry& entry = entries_[license_id];
  ++entry.generation;
  entry.after_name.clear();
  entry.pending.reset();
  entry.author = author;
  return absl::OkStatus();
}

absl::StatusOr<bool> FakeReassessmentQueue::RunBatch(const BatchBody& body) {
  if (entries_.empty()) return false;
  auto it = entries_.begin();
  Claim claim{it->first, it->second.after_name, it->second.author};
  Transaction tx(nullptr);
  MODELREG_ASSIGN_OR_RETURN(const ModelRepository::ReassessBatch done, body(tx, claim));
  if (done.last.empty()) {
    entries_.erase(it);
  } else {
    Entry& entry = it->second;
    entry.after_name = done.last;
    if (entry.pending.has_value()) {
      entry.pending = std::max<int64_t>(0, *entry.pending - done.read);
    } else {  // the first batch counts the models left after it
      const std::vector<std::string> names = models_->ModelsReferencing(claim.license_id);
      entry.pending = std::count_if(names.begin(), names.end(), [&](const std::string& n) { return n > done.last; });
    }
  }
  return true;
}

absl::StatusOr<std::map<std::string, std::optional<int64_t>>> FakeReassessmentQueue::Pending(
    const std::vector<std::string>& license_ids) {
  std::map<std::string, std::optional<int64_t>> pending;
  for (const std::string& id : license_ids) {
    const auto it = entries_.find(id);
    if (it != entries_.end()) pending[id] = it->second.pending;
  }
  return pending;
}

absl::StatusOr<std::optional<RequestIdRepository::Record>> FakeRequestIdRepository::RunOnce(
    const Key& key, const std::string& method, const std::string& request_hash, const Body& body) {
  const auto id = std::make_pair(key.principal, key.request_id);
  if (auto it = records_.find(id); it != records_.end()) return it->second;
  ++bodies_run_;
  MODELREG_ASSIGN_OR_RETURN(std::string response, body());
  records_[id] = Record{method, request_hash, std::move(response)};
  created_[id] = now_;
  return std::nullopt;
}

absl::StatusOr<int64_t> FakeRequestIdRepository::DeleteOlderThan(absl::Duration age, int limit) {
  int64_t deleted = 0;
  for (auto it = created_.begin(); it != created_.end() && deleted < limit;) {
    if (now_ - it->second > age) {
      records_.erase(it->first);
      it = created_.erase(it);
      ++deleted;
    } else {
      ++it;
    }
  }
  return deleted;
}

}  // namespace modelreg::testing

#include "server/storage/resource_table.h"

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/common/change_author.h"
#include "server/common/errors.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/storage/change_signal.h"
#include "server/storage/pooled_connection.h"
#include "server/storage/record_codec.h"
#include "server/storage/sql/list_sql.h"

namespace modelreg {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using storage_internal::ComputeEtag;
using storage_internal::MicrosToTimestamp;
using storage_internal::SerializeDeterministic;

constexpr int kBackfillBatchSize = 500;
// A backfill that takes a lock first (lock_first) gives up after this many lock timeouts in all, pausing after each.
constexpr int kBackfillLockAttempts = 5;
constexpr absl::Duration kBackfillLockPause = absl::Seconds(1);

void SetTime(Message& record, const FieldDescriptor* field, const pqxx::field& micros) {
  const auto* reflection = record.GetReflection();
  if (micros.is_null()) {
    reflection->ClearField(&record, field);
  } else {
    reflection->MutableMessage(&record, field)->CopyFrom(MicrosToTimestamp(micros.as<int64_t>()));
  }
}

// The stored record of a bytea column. Decoded here rather than by PQunescapeBytea: one buffer, no second copy.
std::string RecordBytes(const pqxx::field& field) {
  std::string bytes;
  if (!storage_internal::DecodeByteaHex(absl::string_view(field.c_str(), field.size()), &bytes)) {
    bytes = pqxx::binarystring(field).str();
  }
  return bytes;
}

// Pointers to `values` for dynamic parameters (null for NULL); valid while `values` is.
std::vector<const char*> ParamPointers(const std::vector<std::optional<std::string>>& values) {
  std::vector<const char*> params;
  params.reserve(values.size());
  for (const auto& value : values) params.push_back(value ? value->c_str() : nullptr);
  return params;
}

}  // namespace

ResourceTable::OutputFields ResourceTable::OutputFields::Of(const google::protobuf::Descriptor& d) {
  return {d.FindFieldByName("create_time"), d.FindFieldByName("update_time"), d.FindFieldByName("delete_time"),
          d.FindFieldByName("etag"), d.FindFieldByName("revision")};
}

ResourceTable::ResourceTable(const ResourceKind& kind)
    : kind_(kind),
      sql_(sql::BuildTableSql(kind)),
      derived_version_(kind.DerivedVersion()),
      output_(OutputFields::Of(*kind.prototype->GetDescriptor())) {
  const std::string prefix = absl::StrCat("modelreg_", kind.table, "_");
  statement_insert_ = prefix + "insert";
  statement_insert_many_ = prefix + "insert_many";
  statement_update_ = prefix + "update";
  statement_rewrite_ = prefix + "rewrite";
  statement_reassess_ = prefix + "reassess";
  statement_purge_ = prefix + "purge";
  statement_get_many_ = prefix + "get_many";
  statement_get_many_shared_ = prefix + "get_many_shared";
  statement_lock_ = prefix + "lock";
  statement_scan_ = prefix + "scan";
  statement_stale_ = prefix + "stale";
  statement_any_stale_ = prefix + "any_stale";
}

std::vector<storage_internal::PreparedStatement> ResourceTable::Statements() const {
  return {{statement_insert_, sql_.insert},     {statement_insert_many_, sql_.insert_many},
          {statement_update_, sql_.update},     {statement_rewrite_, sql_.rewrite},
          {statement_reassess_, sql_.reassess}, {statement_purge_, sql_.purge},
          {statement_get_many_, sql_.get_many}, {statement_get_many_shared_, sql_.get_many_shared},
          {statement_lock_, sql_.lock},         {statement_scan_, sql_.scan},
          {statement_stale_, sql_.stale},       {statement_any_stale_, sql_.any_stale}};
}

std::string ResourceTable::StoredBytes(const Message& record) const {
  std::unique_ptr<Message> stored(record.New());
  stored->CopyFrom(record);
  const auto* reflection = stored->GetReflection();
  for (const FieldDescriptor* field :
       {output_.create_time, output_.update_time, output_.delete_time, output_.etag, output_.revision}) {
    if (field != nullptr) reflection->ClearField(stored.get(), field);
  }
  return SerializeDeterministic(*stored);
}

std::vector<std::optional<std::string>> ResourceTable::DerivedValues(const Message& record) const {
  std::vector<std::optional<std::string>> values;
  values.reserve(kind_.columns.size());
  for (const DerivedColumn& column : kind_.columns) {
    values.push_back(storage_internal::EncodeColumn(column.compute(record)));
  }
  return values;
}

pqxx::result ResourceTable::Write(Transaction& tx, const std::string& statement, const std::string& key,
                                  const Message& record, std::string* record_bytes, const std::optional<bool>& deleted,
                                  bool recorded) const {
  *record_bytes = StoredBytes(record);
  const std::vector<std::optional<std::string>> values = DerivedValues(record);
  const std::vector<const char*> params = ParamPointers(values);
  const pqxx::binarystring bytes(*record_bytes);
  const auto derived = pqxx::prepare::make_dynamic_params(params);
  if (!recorded) return tx.sql().exec_prepared(statement, key, bytes, derived, derived_version_);
  NoteLocalChange();
  const ChangeAuthor& author = CurrentChangeAuthor();
  if (deleted.has_value()) {
    return tx.sql().exec_prepared(statement, key, bytes, derived, derived_version_, *deleted, author.principal,
                                  author.request_id);
  }
  return tx.sql().exec_prepared(statement, key, bytes, derived, derived_version_, author.principal, author.request_id);
}

void ResourceTable::FillOutputFields(const pqxx::row& row, int first, const std::string& record_bytes,
                                     Message& record) const {
  const OutputFields& f = output_;
  const auto* reflection = record.GetReflection();
  const auto revision = row[first].as<int64_t>();
  if (f.revision != nullptr) reflection->SetInt64(&record, f.revision, revision);
  SetTime(record, f.create_time, row[first + 1]);
  SetTime(record, f.update_time, row[first + 2]);
  SetTime(record, f.delete_time, row[first + 3]);
  reflection->SetString(&record, f.etag, ComputeEtag(record_bytes, revision));
}

absl::StatusOr<bool> ResourceTable::Insert(Transaction& tx, const std::string& key, Message& record) const {
  std::string bytes;
  const pqxx::result rows = Write(tx, statement_insert_, key, record, &bytes, std::nullopt, /*recorded=*/true);
  if (rows.empty()) return false;
  FillOutputFields(rows[0], 0, bytes, record);
  return true;
}

absl::StatusOr<std::vector<bool>> ResourceTable::InsertMany(Transaction& tx, const std::vector<std::string>& keys,
                                                            const std::vector<Message*>& records) const {
  if (keys.size() != records.size()) return absl::InternalError("internal storage error");
  std::vector<bool> inserted(records.size(), false);
  if (records.empty()) return inserted;
  std::vector<std::string> bytes;
  bytes.reserve(records.size());
  std::vector<std::vector<std::optional<std::string>>> columns(kind_.columns.size());
  for (auto& column : columns) column.reserve(records.size());
  for (const Message* record : records) {
    bytes.push_back(StoredBytes(*record));
    std::vector<std::optional<std::string>> values = DerivedValues(*record);
    for (size_t c = 0; c < values.size(); ++c) columns[c].push_back(std::move(values[c]));
  }
  std::vector<std::string> arrays;
  arrays.reserve(columns.size());
  for (const auto& column : columns) arrays.push_back(storage_internal::NullableTextArrayLiteral(column));
  std::vector<const char*> params;
  params.reserve(arrays.size());
  for (const std::string& array : arrays) params.push_back(array.c_str());
  NoteLocalChange();
  const ChangeAuthor& author = CurrentChangeAuthor();
  const pqxx::result rows = tx.sql().exec_prepared(
      statement_insert_many_, TextArray(keys), pqxx::binarystring(storage_internal::ByteaArrayBinary(bytes)),
      pqxx::prepare::make_dynamic_params(params), derived_version_, author.principal, author.request_id);
  std::map<std::string, pqxx::result::size_type> row_of;
  for (pqxx::result::size_type r = 0; r < rows.size(); ++r) row_of.emplace(rows[r][0].as<std::string>(), r);
  for (size_t i = 0; i < records.size(); ++i) {
    const auto it = row_of.find(keys[i]);
    if (it == row_of.end()) continue;
    FillOutputFields(rows[it->second], 1, bytes[i], *records[i]);
    inserted[i] = true;
    row_of.erase(it);  // a key given twice is inserted once
  }
  return inserted;
}

absl::StatusOr<bool> ResourceTable::Update(Transaction& tx, const std::string& key, Message& record,
                                           bool deleted) const {
  std::string bytes;
  const pqxx::result rows = Write(tx, statement_update_, key, record, &bytes, deleted, /*recorded=*/true);
  if (rows.empty()) return false;
  FillOutputFields(rows[0], 0, bytes, record);
  return true;
}

void ResourceTable::Rewrite(Transaction& tx, const std::string& key, const Message& record) const {
  std::string bytes;
  Write(tx, statement_rewrite_, key, record, &bytes, std::nullopt, /*recorded=*/false);
}

void ResourceTable::Reassess(Transaction& tx, const std::string& key, const Message& record) const {
  std::string bytes;
  Write(tx, statement_reassess_, key, record, &bytes, std::nullopt, /*recorded=*/true);
}

absl::StatusOr<std::optional<v1::Revision>> ResourceTable::Purge(Transaction& tx, const std::string& key) const {
  NoteLocalChange();  // a recorded write: this process's reads avoid a standby until it has replayed the purge
  const ChangeAuthor& author = CurrentChangeAuthor();
  const pqxx::result rows = tx.sql().exec_prepared(statement_purge_, key, author.principal, author.request_id);
  if (rows.empty()) return std::optional<v1::Revision>();
  v1::Revision tombstone;
  tombstone.set_resource(kind_.key_prefix + key);
  tombstone.set_sequence(rows[0][0].as<int64_t>());
  tombstone.set_resource_revision(rows[0][1].as<int64_t>());
  tombstone.set_change(v1::CHANGE_KIND_PURGE);
  tombstone.set_principal(author.principal);
  tombstone.set_request_id(author.request_id);
  *tombstone.mutable_commit_time() = MicrosToTimestamp(rows[0][2].as<int64_t>());
  return std::optional<v1::Revision>(std::move(tombstone));
}

absl::Status ResourceTable::Restore(Transaction& tx, const std::string& key, const pqxx::row& row) const {
  std::unique_ptr<Message> record(kind_.prototype->New());
  MODELREG_RETURN_IF_ERROR(Decode(row, *record));
  std::vector<std::optional<std::string>> values = DerivedValues(*record);
  values.emplace_back(absl::StrCat(derived_version_));
  for (pqxx::row::size_type i = 1; i <= 4; ++i) {  // revision, then the three times
    values.push_back(row[i].is_null() ? std::nullopt : std::optional<std::string>(row[i].c_str()));
  }
  const std::vector<const char*> params = ParamPointers(values);
  tx.sql().exec_params(sql_.restore, key, pqxx::binarystring(row[0]), pqxx::prepare::make_dynamic_params(params));
  return absl::OkStatus();
}

absl::StatusOr<bool> ResourceTable::Lock(Transaction& tx, const std::string& key, Message& out) const {
  const pqxx::result rows = tx.sql().exec_prepared(statement_lock_, key);
  if (rows.empty()) return false;
  MODELREG_RETURN_IF_ERROR(Decode(rows[0], out));
  return true;
}

absl::Status ResourceTable::Decode(const pqxx::row& row, Message& out) const {
  const std::string bytes = RecordBytes(row[0]);
  if (!out.ParseFromString(bytes)) {
    MODELREG_LOG(ERROR) << "storage: unparsable " << kind_.table << " record";
    return absl::InternalError("internal storage error");
  }
  FillOutputFields(row, 1, bytes, out);
  return absl::OkStatus();
}

std::string ResourceTable::SerializedRecord(const pqxx::row& row, Message& output) const {
  const std::string stored = RecordBytes(row[0]);
  output.Clear();
  FillOutputFields(row, 1, stored, output);
  // Sized exactly: appending to `stored` would double its capacity, and the model cache keeps these strings.
  std::string bytes;
  bytes.reserve(stored.size() + output.ByteSizeLong());
  bytes.append(stored);
  output.AppendToString(&bytes);
  return bytes;
}

std::vector<std::string> ResourceTable::Serialized(const pqxx::result& rows, size_t limit) const {
  std::vector<std::string> out;
  out.reserve(std::min<size_t>(rows.size(), limit));
  const std::unique_ptr<Message> output(kind_.prototype->New());
  for (size_t i = 0; i < rows.size() && i < limit; ++i) {
    out.push_back(SerializedRecord(rows[static_cast<pqxx::result::size_type>(i)], *output));
  }
  return out;
}

std::vector<ResourceTable::VersionedRecord> ResourceTable::Versioned(const pqxx::result& rows) const {
  std::vector<std::string> records = Serialized(rows);
  std::vector<VersionedRecord> out;
  out.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    out.push_back(
        {std::move(records[i]), rows[static_cast<pqxx::result::size_type>(i)][kRecordColumnCount].as<int64_t>()});
  }
  return out;
}

absl::StatusOr<Page<std::string>> ResourceTable::ListSerialized(Transaction& tx, const ListQuery& query) const {
  if (query.limit < 1) return absl::InvalidArgumentError("page size must be positive");
  Page<std::string> page;
  size_t count = 0;
  const pqxx::result rows = ListRows(tx, query, sql_.record_columns, kRecordColumnCount, &count, &page.next_key);
  page.items = Serialized(rows, count);
  return page;
}

absl::StatusOr<Page<ResourceTable::KeyVersion>> ResourceTable::ListVersions(Transaction& tx,
                                                                            const ListQuery& query) const {
  if (query.limit < 1) return absl::InvalidArgumentError("page size must be positive");
  Page<KeyVersion> page;
  size_t count = 0;
  const pqxx::result rows =
      ListRows(tx, query, sql_.key_version_columns, kKeyVersionColumnCount, &count, &page.next_key);
  page.items.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const pqxx::row row = rows[static_cast<pqxx::result::size_type>(i)];
    page.items.push_back({row[0].as<std::string>(), row[1].as<int64_t>()});
  }
  return page;
}

pqxx::result ResourceTable::ListRows(Transaction& tx, const ListQuery& query, const std::string& columns,
                                     int column_count, size_t* count,
                                     std::optional<std::vector<std::optional<std::string>>>* next_key) const {
  const sql::ListSql list = sql::BuildListSql(query);
  pqxx::result rows = ExecDynamic(tx, sql::SelectSql(columns, kind_, list),
                                  pqxx::prepare::make_dynamic_params(list.params), list.limit + 1);
  auto page_rows = std::min(rows.size(), static_cast<pqxx::result::size_type>(list.limit));
  if (list.max_bytes > 0) {
    // The first row always; then each row whose running byte total fits the budget.
    const int bytes_column = sql::PageBytesColumn(column_count, list);
    pqxx::result::size_type fitting = 0;
    while (fitting < page_rows && (fitting == 0 || rows[fitting][bytes_column].as<int64_t>() <= list.max_bytes)) {
      ++fitting;
    }
    page_rows = fitting;
  }
  *count = static_cast<size_t>(page_rows);
  if (rows.size() > page_rows) {
    const pqxx::row last = rows[page_rows - 1];
    std::vector<std::optional<std::string>> key;
    for (size_t i = 0; i < list.key_columns.size(); ++i) {
      const pqxx::field field = last[static_cast<pqxx::row::size_type>(column_count + i)];
      key.push_back(field.is_null() ? std::nullopt : std::optional<std::string>(field.c_str()));
    }
    *next_key = std::move(key);
  }
  return rows;
}

absl::StatusOr<int64_t> ResourceTable::Backfill(
    ConnectionPool& pool, const std::function<void(Transaction&, const std::string& key)>& on_rewrite,
    const std::function<void(Transaction&)>& lock_first) const {
  int64_t rewritten = 0;
  int lock_timeouts = 0;
  while (true) {
    size_t batch = 0;
    const absl::Status status = RunTransaction(pool, [&](Transaction& tx) -> absl::Status {
      batch = 0;  // a retried transaction starts again
      if (lock_first) {
        if (tx.sql().exec_prepared(statement_any_stale_, derived_version_).empty()) return absl::OkStatus();
        lock_first(tx);
      }
      const pqxx::result rows = tx.sql().exec_prepared(statement_stale_, derived_version_, kBackfillBatchSize);
      batch = rows.size();
      for (const pqxx::row& row : rows) {
        std::unique_ptr<Message> record(kind_.prototype->New());
        MODELREG_RETURN_IF_ERROR(Decode(row, *record));
        const auto key = row[5].as<std::string>();
        Rewrite(tx, key, *record);
        if (on_rewrite) on_rewrite(tx, key);
      }
      return absl::OkStatus();
    });
    if (lock_first && ErrorReason(status) == "LOCK_TIMEOUT" && ++lock_timeouts < kBackfillLockAttempts) {
      absl::SleepFor(kBackfillLockPause);  // let the model writes queued behind the lock through
      continue;
    }
    MODELREG_RETURN_IF_ERROR(status);
    rewritten += static_cast<int64_t>(batch);
    if (batch < static_cast<size_t>(kBackfillBatchSize)) break;
  }
  return rewritten;
}

std::string ResourceTable::TextArray(const std::vector<std::string>& values) {
  return storage_internal::TextArrayLiteral(values);
}

}  // namespace modelreg

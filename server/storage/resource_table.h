// Row access for one resource kind's table, generated from the kind's description (domain/resource/) by
// storage/sql/table_sql.h: encoding a record and its derived columns into a row, decoding rows, the output-only
// fields (revision, etag, times), List pages and the derived-column backfill. The stores build on it and add only
// what is particular to their kind. Internal to the storage layer (includes libpqxx).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "modelreg/v1/history.pb.h"
#include "server/common/status_macros.h"
#include "server/domain/query/list_query.h"
#include "server/domain/resource/resource_kind.h"
#include "server/storage/connection_pool.h"
#include "server/storage/page.h"
#include "server/storage/sql/table_sql.h"
#include "server/storage/statements.h"
#include "server/storage/transaction.h"

namespace modelreg {

class ResourceTable {
 public:
  // `kind` must outlive the table (kinds are static).
  explicit ResourceTable(const ResourceKind& kind);

  const ResourceKind& kind() const { return kind_; }
  // The statements to prepare on every pooled connection.
  std::vector<storage_internal::PreparedStatement> Statements() const;
  // The columns every read selects (for a store's own statements), decoded by Decode.
  const std::string& record_columns() const { return sql_.record_columns; }

  // Inserts `record` under `key` (its output-only fields are ignored) and fills its output-only fields. Returns
  // false, changing nothing, when the key exists (soft-deleted rows included).
  absl::StatusOr<bool> Insert(Transaction& tx, const std::string& key, google::protobuf::Message& record) const;
  // Inserts each of `records` under the key of the same index in `keys`, as Insert does each, in one statement (one
  // round trip for the rows and their history). Returns, for each, whether it was inserted: false when its key
  // existed (or came earlier in `keys`), that record unchanged. Fills the output fields of those inserted.
  absl::StatusOr<std::vector<bool>> InsertMany(Transaction& tx, const std::vector<std::string>& keys,
                                               const std::vector<google::protobuf::Message*>& records) const;
  // Locks the row of `key` FOR UPDATE and decodes it into `out`. False when there is none.
  absl::StatusOr<bool> Lock(Transaction& tx, const std::string& key, google::protobuf::Message& out) const;
  // Writes `record` over the row of `key` with revision + 1 and a new update_time; soft-deletes it at the
  // transaction time when `deleted` (a deleted row keeps its delete_time), restores it otherwise. Fills the output
  // fields. False when the row is gone.
  absl::StatusOr<bool> Update(Transaction& tx, const std::string& key, google::protobuf::Message& record,
                              bool deleted) const;
  // Rewrites the record and its derived columns without a new revision or history (derived-column backfill,
  // bookkeeping such as a token's last use).
  void Rewrite(Transaction& tx, const std::string& key, const google::protobuf::Message& record) const;
  // As Rewrite, for a new computed assessment: appends a REASSESS revision to the history.
  void Reassess(Transaction& tx, const std::string& key, const google::protobuf::Message& record) const;

  // Deletes the row of `key` for good, clears the records of its earlier revisions and appends a PURGE revision
  // (with the thread's change author), in one statement. Returns that revision (no record); nullopt when the row is
  // gone.
  absl::StatusOr<std::optional<v1::Revision>> Purge(Transaction& tx, const std::string& key) const;

  // Inserts the record of `row` (a history row whose first columns are as record_columns()) under `key` with its
  // revision and times, computing its derived columns as a write does, without a history row: fills the as-of tables
  // (storage/as_of_tables.h). Runs unprepared, so that the table's name reaches a temporary table of that name.
  absl::Status Restore(Transaction& tx, const std::string& key, const pqxx::row& row) const;

  // Decodes a row whose first columns are record_columns(). INTERNAL when the record does not parse.
  absl::Status Decode(const pqxx::row& row, google::protobuf::Message& out) const;

  template <typename Message>
  absl::StatusOr<std::vector<Message>> Decode(const pqxx::result& rows, size_t limit = SIZE_MAX) const;

  // The rows of `keys` that exist, in key order.
  template <typename Message>
  absl::StatusOr<std::vector<Message>> GetMany(Transaction& tx, const std::vector<std::string>& keys) const {
    return Decode<Message>(tx.sql().exec_prepared(statement_get_many_, TextArray(keys)));
  }
  // As GetMany, the rows locked FOR SHARE until `tx` ends: none can change before it does. A row being written by
  // another transaction is waited for, then read as that transaction left it.
  template <typename Message>
  absl::StatusOr<std::vector<Message>> GetManyShared(Transaction& tx, const std::vector<std::string>& keys) const {
    return Decode<Message>(tx.sql().exec_prepared(statement_get_many_shared_, TextArray(keys)));
  }
  // Up to `limit` rows whose keys sort after `after`, in key order.
  template <typename Message>
  absl::StatusOr<std::vector<Message>> Scan(Transaction& tx, const std::string& after, int limit) const {
    return Decode<Message>(tx.sql().exec_prepared(statement_scan_, after, limit));
  }
  // One page of a List.
  template <typename Message>
  absl::StatusOr<Page<Message>> List(Transaction& tx, const ListQuery& query) const {
    if (query.limit < 1) return absl::InvalidArgumentError("page size must be positive");
    Page<Message> page;
    size_t count = 0;
    const pqxx::result rows = ListRows(tx, query, sql_.record_columns, kRecordColumnCount, &count, &page.next_key);
    MODELREG_ASSIGN_OR_RETURN(page.items, Decode<Message>(rows, count));
    return page;
  }

  // One page of a List with each record in wire form (SerializedRecord), never parsed.
  absl::StatusOr<Page<std::string>> ListSerialized(Transaction& tx, const ListQuery& query) const;
  // A key with its row's version (sql::TableSql::row_version).
  struct KeyVersion {
    std::string key;
    int64_t version;
  };
  // The same page as ListSerialized, as the keys and row versions of its records (PostgreSQL reads the rows but
  // sends no record), for a caller that holds records by version.
  absl::StatusOr<Page<KeyVersion>> ListVersions(Transaction& tx, const ListQuery& query) const;
  // A record in wire form with its row's version.
  struct VersionedRecord {
    std::string bytes;
    int64_t version;
  };
  // GetMany and Scan with each record in wire form and its row's version.
  std::vector<VersionedRecord> GetManySerialized(Transaction& tx, const std::vector<std::string>& keys) const {
    return Versioned(tx.sql().exec_prepared(statement_get_many_, TextArray(keys)));
  }
  std::vector<VersionedRecord> ScanSerialized(Transaction& tx, const std::string& after, int limit) const {
    return Versioned(tx.sql().exec_prepared(statement_scan_, after, limit));
  }

  // Recomputes the derived columns of every row derived by another version of the description, in batches of one
  // transaction each (resumable: a row is done once rewritten). `on_rewrite` runs in the transaction for each row
  // (cache invalidation). `lock_first`, when set, runs at the start of each batch's transaction once a row is known to
  // need it (the license table lock: LicenseStore); a batch whose lock is not granted within the lock timeout is tried
  // again a second later, until the fifth lock timeout (each wait holds back the writes queued behind the lock for at
  // most the lock timeout). Returns how many rows were rewritten.
  absl::StatusOr<int64_t> Backfill(ConnectionPool& pool,
                                   const std::function<void(Transaction&, const std::string& key)>& on_rewrite,
                                   const std::function<void(Transaction&)>& lock_first = nullptr) const;

  // A PostgreSQL array literal of text values, for a `$n::text[]` parameter.
  static std::string TextArray(const std::vector<std::string>& values);

 private:
  // The derived columns' values for `record`, as bound parameters (nullopt for NULL).
  std::vector<std::optional<std::string>> DerivedValues(const google::protobuf::Message& record) const;
  // Serializes the stored form of `record` and computes its derived columns, then runs `statement` with
  // ($1 key, $2 record, derived columns..., derived_version[, deleted][, principal, request id when `recorded`]).
  pqxx::result Write(Transaction& tx, const std::string& statement, const std::string& key,
                     const google::protobuf::Message& record, std::string* record_bytes,
                     const std::optional<bool>& deleted, bool recorded) const;
  // Runs the List query selecting `columns` (`column_count` of them) first: up to limit + 1 rows, of which the first
  // `*count` are the page (fewer than limit when the page byte budget, query.max_bytes, cuts it short); the key values
  // of the page's last row when another follows.
  pqxx::result ListRows(Transaction& tx, const ListQuery& query, const std::string& columns, int column_count,
                        size_t* count, std::optional<std::vector<std::optional<std::string>>>* next_key) const;
  // The record of a row whose first columns are record_columns(), in wire form with its output-only fields: the stored
  // bytes followed by the encoding of `output` (cleared, then filled with those fields). Protobuf reads concatenated
  // encodings as one merged message, and the stored record has those fields cleared, so this is the record's encoding
  // without parsing it. `output` is any message of the kind, reused across rows.
  std::string SerializedRecord(const pqxx::row& row, google::protobuf::Message& output) const;
  // SerializedRecord of the first `limit` rows.
  std::vector<std::string> Serialized(const pqxx::result& rows, size_t limit = SIZE_MAX) const;
  // SerializedRecord of each row, with the row version that follows its record columns.
  std::vector<VersionedRecord> Versioned(const pqxx::result& rows) const;
  // Sets revision, times and etag from a RETURNING row (revision, create, update, delete micros).
  void FillOutputFields(const pqxx::row& row, int first, const std::string& record_bytes,
                        google::protobuf::Message& record) const;

  // The output-only fields every resource has (revision is optional: licenses have none).
  struct OutputFields {
    const google::protobuf::FieldDescriptor* create_time;
    const google::protobuf::FieldDescriptor* update_time;
    const google::protobuf::FieldDescriptor* delete_time;
    const google::protobuf::FieldDescriptor* etag;
    const google::protobuf::FieldDescriptor* revision;
    static OutputFields Of(const google::protobuf::Descriptor& descriptor);
  };

  // The record as stored: output-only fields cleared (a computed assessment is kept).
  std::string StoredBytes(const google::protobuf::Message& record) const;

  // How many columns sql::TableSql's record_columns and key_version_columns have.
  static constexpr int kRecordColumnCount = 5;
  static constexpr int kKeyVersionColumnCount = 2;

  const ResourceKind& kind_;
  sql::TableSql sql_;
  int32_t derived_version_;
  OutputFields output_;
  std::string statement_insert_, statement_insert_many_, statement_update_, statement_rewrite_, statement_reassess_,
      statement_purge_, statement_get_many_, statement_get_many_shared_, statement_lock_, statement_scan_,
      statement_stale_, statement_any_stale_;
};

template <typename Message>
absl::StatusOr<std::vector<Message>> ResourceTable::Decode(const pqxx::result& rows, size_t limit) const {
  std::vector<Message> out;
  out.reserve(std::min<size_t>(rows.size(), limit));
  for (size_t i = 0; i < rows.size() && i < limit; ++i) {
    Message message;
    MODELREG_RETURN_IF_ERROR(Decode(rows[static_cast<pqxx::result::size_type>(i)], message));
    out.push_back(std::move(message));
  }
  return out;
}

}  // namespace modelreg

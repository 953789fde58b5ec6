// PostgreSQL reads of the history (table `revisions`, schema/0011_revisions.sql). The rows are written by
// ResourceTable with every change; this store reads them, decoding each record by its kind's table, and removes
// what a purge or the revision retention removes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/storage/connection_pool.h"
#include "server/storage/model_cache.h"
#include "server/storage/repositories.h"

namespace pqxx {
class row;
}  // namespace pqxx

namespace modelreg {

namespace storage_internal {
// The select list of a revision row: a kind table's record columns (`record` as given: the column, or an expression
// such as NULL to skip it), so that ResourceTable::Decode reads them, then the history's own.
std::string RevisionColumns(absl::string_view record);
// Reads a row selected with RevisionColumns; a NULL record leaves the revision without one.
absl::StatusOr<v1::Revision> RevisionFromRow(const std::string& resource, const pqxx::row& row);
}  // namespace storage_internal

class HistoryStore : public HistoryRepository {
 public:
  // `model_cache` (may be null) is invalidated when a model is purged.
  explicit HistoryStore(ConnectionPool* pool, ModelCache* model_cache = nullptr)
      : pool_(pool), model_cache_(model_cache) {}

  absl::StatusOr<std::vector<v1::Revision>> ListRevisions(const std::string& resource, int64_t after_sequence,
                                                          int limit) override;
  absl::StatusOr<std::optional<v1::Revision>> GetRevision(const std::string& resource, int64_t sequence) override;
  absl::StatusOr<std::optional<v1::Revision>> RevisionAt(const std::string& resource,
                                                         const google::protobuf::Timestamp& time) override;
  absl::StatusOr<v1::Revision> Purge(const std::string& name, const PurgeCheck& check) override;
  absl::StatusOr<int64_t> DeleteRevisionsBefore(absl::Time cutoff, int batch) override;

 private:
  ConnectionPool* pool_;
  ModelCache* model_cache_;
};

}  // namespace modelreg

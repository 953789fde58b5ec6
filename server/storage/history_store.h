// PostgreSQL reads of the history (table `revisions`, schema/0011_revisions.sql). The rows are written by
// ResourceTable with every change; this store only reads them, decoding each record by its kind's table.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/storage/connection_pool.h"
#include "server/storage/repositories.h"

namespace modelreg {

class HistoryStore : public HistoryRepository {
 public:
  explicit HistoryStore(ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::Revision>> ListRevisions(const std::string& resource, int64_t after_sequence,
                                                          int limit) override;
  absl::StatusOr<std::optional<v1::Revision>> GetRevision(const std::string& resource, int64_t sequence) override;
  absl::StatusOr<std::optional<v1::Revision>> RevisionAt(const std::string& resource,
                                                         const google::protobuf::Timestamp& time) override;

 private:
  ConnectionPool* pool_;
};

}  // namespace modelreg

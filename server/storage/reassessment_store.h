// PostgreSQL storage of the background reassessment queue (schema/0013_license_reassessments.sql).
//
// Claims use a transaction-level advisory lock per license rather than a row lock on the queue entry: a worker holds
// its claim for a whole batch (up to a second or so), and a row lock would make an UpdateLicense of the same license
// (which rewrites the entry) wait for the batch. With the advisory lock the update never waits on a batch; the batch
// then finds its entry's generation moved on and leaves it alone, so the newer pass starts over from the first model.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/storage/connection_pool.h"
#include "server/storage/repositories.h"

namespace modelreg {

class ReassessmentStore : public ReassessmentQueue {
 public:
  explicit ReassessmentStore(ConnectionPool* pool) : pool_(pool) {}

  absl::Status Enqueue(Transaction& tx, const std::string& license_id, const ChangeAuthor& author) override;
  absl::StatusOr<bool> RunBatch(const BatchBody& body) override;
  absl::StatusOr<std::map<std::string, std::optional<int64_t>>> Pending(
      const std::vector<std::string>& license_ids) override;

 private:
  ConnectionPool* pool_;
};

}  // namespace modelreg

// PostgreSQL storage of request ids (table `request_ids`, schema/0007_request_ids.sql): the claim, the record and the
// pruning behind idempotent mutations (service/idempotent_calls.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "server/storage/connection_pool.h"
#include "server/storage/repositories.h"

namespace modelreg {

class RequestIdStore : public RequestIdRepository {
 public:
  explicit RequestIdStore(ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<std::optional<Record>> RunOnce(const Key& key, const std::string& method,
                                                const std::string& request_hash, const Body& body) override;
  absl::StatusOr<int64_t> DeleteOlderThan(absl::Duration age, int limit) override;

 private:
  ConnectionPool* pool_;
};

}  // namespace modelreg

// PostgreSQL storage of licenses. Each public method is one transaction (or joins the caller's). Row code comes from
// ResourceTable (the license kind's description); this file adds the in-use check on delete and serializes license
// writes (so that a check that a name is free holds until the write commits).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "modelreg/v1/license.pb.h"
#include "server/storage/connection_pool.h"
#include "server/storage/read_replica.h"
#include "server/storage/repositories.h"

namespace modelreg {

class LicenseStore : public LicenseRepository {
 public:
  explicit LicenseStore(ConnectionPool* pool) : pool_(pool) {}

  // From now on List (not as of a time) read through `replica` (read_replica.h).
  void set_read_replica(ReadReplica* replica) { replica_ = replica; }

  absl::StatusOr<v1::License> Create(const v1::License& license,
                                     const std::function<absl::Status(Transaction& tx)>& check) override;
  absl::StatusOr<v1::License> Get(const std::string& name) override;
  absl::StatusOr<std::vector<v1::License>> GetMany(const std::vector<std::string>& names, Transaction* tx) override;
  absl::StatusOr<std::vector<v1::License>> FindByKeys(const std::vector<std::string>& keys, Transaction* tx) override;
  absl::StatusOr<v1::License> Update(const std::string& name, const Mutation& mutate) override;
  absl::StatusOr<Page<v1::License>> List(const ListQuery& query) override;

  // Recomputes the derived columns of licenses stored by another version of the license kind's description.
  absl::StatusOr<int64_t> Backfill();

 private:
  ConnectionPool* pool_;
  ReadReplica* replica_ = nullptr;
};

}  // namespace modelreg

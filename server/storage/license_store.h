// PostgreSQL storage of licenses. Each public method is one transaction.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "modelreg/v1/license.pb.h"
#include "server/domain/query/sql_query.h"
#include "server/storage/connection_pool.h"
#include "server/storage/page.h"

namespace modelreg {

class LicenseStore {
 public:
  using Mutation = std::function<absl::Status(v1::License& license)>;

  explicit LicenseStore(ConnectionPool* pool) : pool_(pool) {}

  // Inserts `license` (name `licenses/{id}` set); returns it with its output-only fields. ALREADY_EXISTS;
  // INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<v1::License> Create(const v1::License& license);

  // Returns a license, soft-deleted or not. NOT_FOUND.
  absl::StatusOr<v1::License> Get(const std::string& name);

  // Returns the licenses among `names` (resource names) that exist, soft-deleted included; missing ones are absent.
  absl::StatusOr<std::vector<v1::License>> GetMany(const std::vector<std::string>& names);

  // Locks the license, passes it to `mutate`, writes the result. When the mutation sets delete_time on a live license
  // and a live model references it: FAILED_PRECONDITION naming one such model. delete_time works as in
  // ModelStore::Update (soft-deleted at the transaction time). NOT_FOUND; INVALID_ARGUMENT if the name changes;
  // errors from `mutate`.
  absl::StatusOr<v1::License> Update(const std::string& name, const Mutation& mutate);

  // Runs a compiled List query (table alias `l`). INVALID_ARGUMENT if query.limit < 1.
  absl::StatusOr<Page<v1::License>> List(const SqlQuery& query);

 private:
  ConnectionPool* pool_;
};

}  // namespace modelreg

// PostgreSQL storage of models. Each public method is one transaction. Only this layer knows SQL.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "modelreg/v1/model.pb.h"
#include "server/domain/query/sql_query.h"
#include "server/storage/connection_pool.h"
#include "server/storage/model_cache.h"
#include "server/storage/page.h"

namespace modelreg {

class ModelStore {
 public:
  // Changes a stored model in place; an error aborts the transaction and is returned as is.
  using Mutation = std::function<absl::Status(v1::Model& model)>;

  // With a `cache`, Get and GetMany read through it, and every change invalidates the model in it once its
  // transaction has ended.
  explicit ModelStore(ConnectionPool* pool, ModelCache* cache = nullptr) : pool_(pool), cache_(cache) {}

  // Inserts `model` (name and openness set by the caller). Sets revision 1 and create/update time; returns the stored
  // model with its output-only fields. ALREADY_EXISTS if the name is taken (soft-deleted models included);
  // INVALID_ARGUMENT if a license it references is missing or soft-deleted.
  absl::StatusOr<v1::Model> Create(const v1::Model& model);

  // Inserts all models in one transaction: all or none. Same errors as Create.
  absl::StatusOr<std::vector<v1::Model>> CreateBatch(const std::vector<v1::Model>& models);

  // Returns a model, soft-deleted or not. NOT_FOUND.
  absl::StatusOr<v1::Model> Get(const std::string& name);

  // Returns the models of `names` that exist, soft-deleted or not, in no particular order: those in the cache, and
  // the others from one query.
  absl::StatusOr<std::vector<v1::Model>> GetMany(const std::vector<std::string>& names);

  // Reads the models of `names` that exist from PostgreSQL, without looking in the cache, and caches them. One query.
  // For callers that have just missed the cache (GetCached).
  absl::StatusOr<std::vector<v1::Model>> Fetch(const std::vector<std::string>& names);

  // Copies the model named `name` into `out` if the cache has it. Never touches the database.
  bool GetCached(const std::string& name, v1::Model* out);

  // Up to `limit` models, soft-deleted included, whose names sort after `after`, in name order.
  absl::StatusOr<std::vector<v1::Model>> Scan(const std::string& after, int limit);

  // Locks the model, passes it (output-only fields filled) to `mutate`, and writes the result with revision + 1 and a
  // new update_time. `mutate` may set or clear delete_time: any value set on a live model soft-deletes it at the
  // transaction time (a deleted model keeps its original delete_time); clearing it restores the model. The other
  // output-only fields `mutate` sets are ignored. NOT_FOUND; INVALID_ARGUMENT if `mutate` changes the name or the
  // result is live and references a missing or soft-deleted license; errors from `mutate`.
  absl::StatusOr<v1::Model> Update(const std::string& name, const Mutation& mutate);

  // Runs a compiled List query. INVALID_ARGUMENT if query.limit < 1.
  absl::StatusOr<Page<v1::Model>> List(const SqlQuery& query);

  // Recomputes the stored assessment of every model whose rules_version differs from `rules_version` (or, when
  // `license_id` is set, of every model referencing that license), in batches of one transaction each, without
  // changing revision or update_time. `recompute` sets model.openness; only the openness it sets is kept. Soft-deleted
  // models are included. `license_id` is the id (`apache-2.0`) or the resource name (`licenses/apache-2.0`). Returns
  // how many models were rewritten; on an error, batches already committed stay.
  absl::StatusOr<int64_t> Reassess(int rules_version, const std::string& license_id, const Mutation& recompute);

 private:
  // Inside a transaction: invalidates `name` in the cache once the transaction has ended.
  void InvalidateAfterTransaction(const std::string& name);

  ConnectionPool* pool_;
  ModelCache* cache_;
};

}  // namespace modelreg

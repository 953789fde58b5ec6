// PostgreSQL storage of models. Each public method is one transaction. Row code comes from ResourceTable
// (the model kind's description); this file adds the license references, the model cache and reassessment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "modelreg/v1/model.pb.h"
#include "server/common/change_author.h"
#include "server/storage/connection_pool.h"
#include "server/storage/group_commit.h"
#include "server/storage/model_cache.h"
#include "server/storage/read_replica.h"
#include "server/storage/repositories.h"

namespace modelreg {

class ModelStore : public ModelRepository {
 public:
  // With a `cache`, Get reads through it, a List (not as of a time) takes from it the records of the row versions it
  // lists (ListFromCache), and every change invalidates the model in it once its transaction has ended.
  explicit ModelStore(ConnectionPool* pool, ModelCache* cache = nullptr);

  // Outside a transaction, concurrent Creates are group-committed (group_commit.h): up to kCreateFlushes
  // transactions at once, each inserting the creates queued meanwhile with one statement. Each call keeps its own
  // outcome (ALREADY_EXISTS, a deleted license: INVALID_ARGUMENT, a changed one: ABORTED, its deadline) and its own
  // author in the history.
  // Inside a transaction (a call with a request id), the create joins it.
  absl::StatusOr<v1::Model> Create(const v1::Model& model, const LicenseEtags& assessed_with) override;
  absl::StatusOr<std::vector<v1::Model>> CreateBatch(const std::vector<v1::Model>& models,
                                                     const LicenseEtags& assessed_with) override;
  using ModelRepository::Create;  // and CreateBatch: the overloads with no assessment to check
  using ModelRepository::CreateBatch;
  absl::StatusOr<v1::Model> Get(const std::string& name) override;
  absl::StatusOr<v1::Model> Update(const std::string& name, const Mutation& mutate) override;
  absl::StatusOr<Page<std::string>> ListSerialized(const ListQuery& query) override;
  absl::StatusOr<int64_t> Reassess(int rules_version, const std::string& license_id,
                                   const Mutation& recompute) override;
  absl::StatusOr<ReassessBatch> ReassessLicenseBatch(Transaction& tx, const std::string& license_id,
                                                     const std::string& after, int limit,
                                                     const Mutation& recompute) override;

  // Reads the models of `names` that exist from PostgreSQL, without looking in the cache, and caches them, in wire
  // form (never parsed or serialized here). One query. For callers that have just missed the cache (GetCached).
  absl::StatusOr<std::vector<SerializedModel>> Fetch(const std::vector<std::string>& names);

  // From now on List (not as of a time) and Fetch read through `replica` (read_replica.h): on the standby while it is
  // within its max lag, else on the primary. Fetch caches a standby's result under ReadReplica's fence rule.
  void set_read_replica(ReadReplica* replica) { replica_ = replica; }

  // The group commit of Creates so far (modelregd's metrics).
  GroupCommitStats CreateGroupStats() const { return creates_.stats(); }

  // A model in wire form (as GetCached, Fetch and Scan hand them out), parsed; INTERNAL when it does not parse.
  static absl::StatusOr<v1::Model> ParseModel(const std::string& bytes);

  // The model named `name` in wire form if the cache has it, else null. Never touches the database.
  std::shared_ptr<const std::string> GetCached(const std::string& name);

  // Up to `limit` models, soft-deleted included, whose names sort after `after`, in name order, in wire form.
  absl::StatusOr<std::vector<SerializedModel>> Scan(const std::string& after, int limit);

  // Recomputes the derived columns of models stored by another version of the model kind's description (a new
  // column, a changed rule), in batches. Returns how many rows were rewritten.
  absl::StatusOr<int64_t> Backfill();

 private:
  // A Create waiting for its group's commit.
  struct PendingCreate {
    PendingCreate(const v1::Model* m, const LicenseEtags* assessed, ChangeAuthor author, absl::Time d)
        : model(m), assessed_with(assessed), key(std::move(author)), deadline(d) {}
    const v1::Model* model;
    const LicenseEtags* assessed_with;
    ChangeAuthor key;  // the change author: a group has one, as the history records one per row
    absl::Time deadline;
    absl::StatusOr<v1::Model> result = absl::InternalError("create not flushed");
    bool alone = false;  // the flush left it to be created in a transaction of its own
  };
  static constexpr int kCreateFlushes = 2;
  static constexpr size_t kCreateGroup = 256;

  // Creates `model` in a transaction of its own (or the current one).
  absl::StatusOr<v1::Model> CreateAlone(const v1::Model& model, const LicenseEtags& assessed_with);
  // The group commit's flush: inserts the group in one transaction; see the .cc for which calls go alone.
  void FlushCreates(const std::vector<PendingCreate*>& group);
  // A List page (not as of a time) with its records from the cache: PostgreSQL lists the page's names and row
  // versions, and each record comes from the cache when it holds that version, else from Fetch. nullopt when a
  // fetched model is no longer the version listed (changed or purged meanwhile): the caller lists again in full.
  absl::StatusOr<std::optional<Page<std::string>>> ListFromCache(const ListQuery& query);
  // Recomputes the models of `rows` (record columns, locked) with `recompute` and rewrites the changed ones.
  absl::StatusOr<ReassessBatch> ReassessRows(Transaction& tx, const pqxx::result& rows, const Mutation& recompute);
  // Invalidates `name` in the cache once `tx` has ended.
  void InvalidateOnEnd(Transaction& tx, const std::string& name);

  ConnectionPool* pool_;
  ModelCache* cache_;
  ReadReplica* replica_ = nullptr;
  GroupCommit<PendingCreate> creates_;
};

}  // namespace modelreg

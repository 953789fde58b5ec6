// What the service layer needs from storage, as interfaces: the PostgreSQL stores (model_store.h,
// license_store.h) implement them, and the service layer's unit tests replace them with in-memory fakes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "modelreg/v1/admin.pb.h"
#include "modelreg/v1/deployment.pb.h"
#include "modelreg/v1/history.pb.h"
#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "modelreg/v1/organization.pb.h"
#include "modelreg/v1/policy.pb.h"
#include "server/common/change_author.h"
#include "server/domain/query/filter_check.h"
#include "server/domain/query/list_query.h"
#include "server/storage/page.h"
#include "server/storage/transaction.h"

namespace modelreg {

// The licenses a model's assessment was made with: license name -> the etag of the version it read. A model write
// locks its licenses FOR SHARE and compares: if one has another etag (an update of it committed between the read and
// the lock), the write fails with ABORTED, reason kLicenseChanged, writing nothing, and the caller assesses again.
// Licenses it does not name are not compared.
using LicenseEtags = std::map<std::string, std::string>;
inline constexpr char kLicenseChanged[] = "LICENSE_CHANGED";  // NOLINT(modernize-avoid-c-arrays)

class ModelRepository {
 public:
  // Changes a stored model in place, inside the store's transaction `tx` (pass it to store calls that must see or
  // join the same transaction); an error aborts the transaction and is returned as is.
  using Mutation = std::function<absl::Status(Transaction& tx, v1::Model& model)>;

  virtual ~ModelRepository() = default;

  // Inserts `model` (name and openness set by the caller, the openness assessed with the licenses `assessed_with`).
  // Sets revision 1 and create/update time; returns the stored model with its output-only fields. ALREADY_EXISTS if
  // the name is taken (soft-deleted models included); INVALID_ARGUMENT if a license it references is missing or
  // soft-deleted; ABORTED kLicenseChanged.
  virtual absl::StatusOr<v1::Model> Create(const v1::Model& model, const LicenseEtags& assessed_with) = 0;
  // Inserts all models in one transaction: all or none. Same errors as Create.
  virtual absl::StatusOr<std::vector<v1::Model>> CreateBatch(const std::vector<v1::Model>& models,
                                                             const LicenseEtags& assessed_with) = 0;
  // Create and CreateBatch of models whose openness was not assessed from the stored licenses (tests, tools): no
  // license etag is compared.
  absl::StatusOr<v1::Model> Create(const v1::Model& model) { return Create(model, {}); }
  absl::StatusOr<std::vector<v1::Model>> CreateBatch(const std::vector<v1::Model>& models) {
    return CreateBatch(models, {});
  }
  // Returns a model, soft-deleted or not. NOT_FOUND.
  virtual absl::StatusOr<v1::Model> Get(const std::string& name) = 0;
  // A model in wire form: its serialized v1::Model, output-only fields filled, as GetModel returns it.
  struct SerializedModel {
    std::string name;
    std::shared_ptr<const std::string> bytes;
    int64_t row_version = 0;  // of the row it was read from (ModelCache::Insert)
  };
  // Locks the model, passes it (output-only fields filled) to `mutate`, and writes the result with revision + 1 and a
  // new update_time. `mutate` may set or clear delete_time: any value set on a live model soft-deletes it at the
  // transaction time (a deleted model keeps its original delete_time); clearing it restores the model. The other
  // output-only fields `mutate` sets are ignored. NOT_FOUND; INVALID_ARGUMENT if `mutate` changes the name or the
  // result is live and references a missing or soft-deleted license; errors from `mutate`.
  virtual absl::StatusOr<v1::Model> Update(const std::string& name, const Mutation& mutate) = 0;
  // One page of a checked List query. INVALID_ARGUMENT if query.limit < 1. With query.read_time, the page of the
  // models as they were then (their last revision at or before it; purged ones left out), `license.*` fields
  // reading the licenses of then. Each model in wire form: a serialized v1::Model with its output-only fields filled
  // (ListModels copies it into its response without parsing it).
  virtual absl::StatusOr<Page<std::string>> ListSerialized(const ListQuery& query) = 0;
  // Recomputes the stored assessment of every model whose rules_version differs from `rules_version` (or, when
  // `license_id` is set, of every model referencing that license), in batches of one transaction each, without
  // changing revision or update_time. `recompute` sets model.openness; only the openness it sets is kept.
  // Soft-deleted models are included. `license_id` is the id (`apache-2.0`) or the resource name. Returns how many
  // models were rewritten; on an error, batches already committed stay.
  virtual absl::StatusOr<int64_t> Reassess(int rules_version, const std::string& license_id,
                                           const Mutation& recompute) = 0;
  // One batch of Reassess by license, inside the caller's transaction `tx`: locks up to `limit` models referencing
  // `license_id` whose names sort after `after`, in name order, and rewrites those whose assessment `recompute`
  // changes (a REASSESS revision each, as Reassess). `read` < `limit` means no model was left after this batch.
  struct ReassessBatch {
    int64_t read = 0;       // models locked and recomputed
    int64_t rewritten = 0;  // of them, those whose assessment changed
    std::string last;       // the name of the last one read ("" when none)
  };
  virtual absl::StatusOr<ReassessBatch> ReassessLicenseBatch(Transaction& tx, const std::string& license_id,
                                                             const std::string& after, int limit,
                                                             const Mutation& recompute) = 0;
};

// The queue of background reassessments after license updates (schema/0013_license_reassessments.sql): one entry
// per license, read and advanced by any number of workers (server/service/license_reassessor.h).
class ReassessmentQueue {
 public:
  // One claimed entry: the batch to do is the models of `license_id` after `after_name`.
  struct Claim {
    std::string license_id;
    std::string after_name;
    ChangeAuthor author;
  };
  // Reassesses one batch of a claimed entry inside `tx`; returns what ReassessLicenseBatch returned.
  using BatchBody = std::function<absl::StatusOr<ModelRepository::ReassessBatch>(Transaction& tx, const Claim& claim)>;

  virtual ~ReassessmentQueue() = default;

  // Queues (or restarts from the first model) the reassessment of the models using `license_id`, inside `tx` (the
  // transaction updating the license), by `author`. Does not count the models (its cost must not grow with their
  // number): the first batch of the pass does.
  virtual absl::Status Enqueue(Transaction& tx, const std::string& license_id, const ChangeAuthor& author) = 0;
  // In one transaction: claims an entry no other worker holds, runs `body` on it, and advances the entry by what the
  // body did (removing it after the last batch) unless the license was updated again meanwhile. Returns false when
  // no entry was free (nothing done); true otherwise, also when the claimed entry turned out finished by another
  // worker (then `body` did not run: look again).
  virtual absl::StatusOr<bool> RunBatch(const BatchBody& body) = 0;
  // The pending counts of the licenses among `license_ids` with a queued reassessment (the others have none):
  // nullopt until the first batch of the pass counted the models.
  virtual absl::StatusOr<std::map<std::string, std::optional<int64_t>>> Pending(
      const std::vector<std::string>& license_ids) = 0;
};

class LicenseRepository {
 public:
  using Mutation = std::function<absl::Status(Transaction& tx, v1::License& license)>;

  virtual ~LicenseRepository() = default;

  // Inserts `license` (name `licenses/{id}` set) if `check` passes in the same transaction; returns it with its
  // output-only fields. License writes (Create, Update) are serialized, so `check` sees every license committed before
  // and none can commit until this one has: two licenses cannot both take a free alias. ALREADY_EXISTS;
  // INVALID_ARGUMENT for a malformed name; errors from `check`.
  virtual absl::StatusOr<v1::License> Create(const v1::License& license,
                                             const std::function<absl::Status(Transaction& tx)>& check) = 0;
  // Returns a license, soft-deleted or not. NOT_FOUND.
  virtual absl::StatusOr<v1::License> Get(const std::string& name) = 0;
  // Returns the licenses among `names` (resource names) that exist, soft-deleted included, in name order. With a
  // non-null `tx`, reads inside that transaction (from a Mutation) instead of taking another connection, and locks
  // the licenses read FOR SHARE until it ends: what the mutation computes from them (a model's assessment) cannot be
  // overtaken by a license update committing before it does.
  virtual absl::StatusOr<std::vector<v1::License>> GetMany(const std::vector<std::string>& names, Transaction* tx) = 0;
  // Returns the licenses (soft-deleted included) answering to any of `keys` (LicenseNameKey values of
  // domain/licenses/license_names.h) by id, spdx_id or alias, in name order. `tx` as for GetMany.
  virtual absl::StatusOr<std::vector<v1::License>> FindByKeys(const std::vector<std::string>& keys,
                                                              Transaction* tx) = 0;
  // Locks the license (license writes are serialized, as for Create), passes it to `mutate`, writes the result. When
  // the mutation sets delete_time on a live license and a live model references it: FAILED_PRECONDITION naming one such
  // model. delete_time works as in ModelRepository::Update. NOT_FOUND; INVALID_ARGUMENT if the name changes; errors
  // from `mutate`.
  virtual absl::StatusOr<v1::License> Update(const std::string& name, const Mutation& mutate) = 0;
  // One page of a checked List query. INVALID_ARGUMENT if query.limit < 1.
  virtual absl::StatusOr<Page<v1::License>> List(const ListQuery& query) = 0;
};

// Organizations and their children, deployments and policies. Every write to a child locks its organization's row
// first (FOR UPDATE; the organization must exist and be live), so the writes within one organization are serialized:
// a deployment's policy check never interleaves with a policy change, and an organization cannot be deleted while a
// child is being written.
class GovernanceRepository {
 public:
  // Changes or checks a record inside the store's transaction `tx`; an error aborts it and is returned as is.
  template <typename Message>
  using Mutation = std::function<absl::Status(Transaction& tx, Message& record)>;

  virtual ~GovernanceRepository() = default;

  // Inserts `organization` (name set); returns it with its output-only fields. ALREADY_EXISTS.
  virtual absl::StatusOr<v1::Organization> CreateOrganization(const v1::Organization& organization) = 0;
  // Soft-deleted or not. NOT_FOUND. With a non-null `tx`, inside it.
  virtual absl::StatusOr<v1::Organization> GetOrganization(const std::string& name, Transaction* tx) = 0;
  // As ModelRepository::Update. Soft-deleting an organization that has a live deployment or policy is
  // FAILED_PRECONDITION (ORGANIZATION_IN_USE, PreconditionFailure REFERENCED_BY naming one).
  virtual absl::StatusOr<v1::Organization> UpdateOrganization(const std::string& name,
                                                              const Mutation<v1::Organization>& mutate) = 0;
  virtual absl::StatusOr<Page<v1::Organization>> ListOrganizations(const ListQuery& query) = 0;

  // Locks the deployment's organization, runs `check` on the deployment (name set) and inserts it, in one
  // transaction. NOT_FOUND when the organization is missing or soft-deleted (RESOURCE_DELETED), ALREADY_EXISTS,
  // INVALID_ARGUMENT (REFERENCE_NOT_FOUND) when its model is missing, errors from `check`.
  virtual absl::StatusOr<v1::Deployment> CreateDeployment(const v1::Deployment& deployment,
                                                          const Mutation<v1::Deployment>& check) = 0;
  virtual absl::StatusOr<v1::Deployment> GetDeployment(const std::string& name) = 0;
  // Locks the organization (which must be live), then the deployment; otherwise as ModelRepository::Update.
  virtual absl::StatusOr<v1::Deployment> UpdateDeployment(const std::string& name,
                                                          const Mutation<v1::Deployment>& mutate) = 0;
  virtual absl::StatusOr<Page<v1::Deployment>> ListDeployments(const ListQuery& query) = 0;

  // As the deployment methods.
  virtual absl::StatusOr<v1::Policy> CreatePolicy(const v1::Policy& policy, const Mutation<v1::Policy>& check) = 0;
  virtual absl::StatusOr<v1::Policy> GetPolicy(const std::string& name) = 0;
  virtual absl::StatusOr<v1::Policy> UpdatePolicy(const std::string& name, const Mutation<v1::Policy>& mutate) = 0;
  virtual absl::StatusOr<Page<v1::Policy>> ListPolicies(const ListQuery& query) = 0;

  // The models among `names` that exist (soft-deleted included), in name order, read from PostgreSQL (not a cache).
  // With a non-null `tx`, inside it.
  virtual absl::StatusOr<std::vector<v1::Model>> GetModels(const std::vector<std::string>& names, Transaction* tx) = 0;
  // The live policies of the organization with id `organization_id`, in name order. With a non-null `tx`, inside it.
  virtual absl::StatusOr<std::vector<v1::Policy>> LivePolicies(const std::string& organization_id, Transaction* tx) = 0;
  // The names among `model_names` of the models (soft-deleted included) that satisfy `filter`, a checked model filter
  // (CheckPolicyFilter): the very SQL ListModels runs, restricted to those models. With a non-null `tx`, inside it.
  virtual absl::StatusOr<std::set<std::string>> ModelsSatisfying(const CheckedFilter& filter,
                                                                 const std::vector<std::string>& model_names,
                                                                 Transaction* tx) = 0;
  // Runs `body` in one transaction in which every read given that transaction (this store's, and the model and
  // license stores' reads given it: GetMany, FindByKeys) sees organizations, deployments, policies, models and
  // licenses as they were at `time`, from the history. `body` must not write.
  virtual absl::Status RunAsOf(const google::protobuf::Timestamp& time, const TransactionBody& body) = 0;
};

class TokenRepository {
 public:
  // A stored token with the SHA-256 of its secret (for the caller's constant-time comparison).
  struct Found {
    v1::Token token;
    std::string secret_sha256;
  };

  virtual ~TokenRepository() = default;

  // Inserts `token` (name `tokens/{id}` set) with the raw SHA-256 of its secret; returns it with create_time.
  // ALREADY_EXISTS if the id or the hash is taken.
  virtual absl::StatusOr<v1::Token> Create(const v1::Token& token, const std::string& secret_sha256) = 0;
  // The token whose secret has this raw SHA-256, or nullopt.
  virtual absl::StatusOr<std::optional<Found>> FindBySecretHash(const std::string& secret_sha256) = 0;
  // Sets revoke_time to `now` unless already revoked; returns the token. NOT_FOUND.
  virtual absl::StatusOr<v1::Token> Revoke(const std::string& name, absl::Time now) = 0;
  // Up to `limit` tokens whose ids sort after `after_id`, in id order.
  virtual absl::StatusOr<std::vector<v1::Token>> List(const std::string& after_id, int limit) = 0;
  // Records a use at `now` (no new revision). A missing token is not an error.
  virtual absl::Status TouchLastUse(const std::string& name, absl::Time now) = 0;
};

// The history of every resource (the `revisions` table): appended by the storage layer in the transaction of each
// change (ResourceTable), read here. Revisions come back with the record of their kind decoded and its output-only
// fields (revision, times, etag) as they were after the change.
class HistoryRepository {
 public:
  virtual ~HistoryRepository() = default;
  // Up to `limit` revisions of `resource` with a sequence above `after_sequence`, oldest first.
  virtual absl::StatusOr<std::vector<v1::Revision>> ListRevisions(const std::string& resource, int64_t after_sequence,
                                                                  int limit) = 0;
  // The revision of `resource` with `sequence`; nullopt when there is none.
  virtual absl::StatusOr<std::optional<v1::Revision>> GetRevision(const std::string& resource, int64_t sequence) = 0;
  // The last revision of `resource` made at or before `time`; nullopt when there is none.
  virtual absl::StatusOr<std::optional<v1::Revision>> RevisionAt(const std::string& resource,
                                                                 const google::protobuf::Timestamp& time) = 0;

  // Decides from a resource's current etag and delete_time whether it may be purged; an error stops the purge.
  using PurgeCheck =
      std::function<absl::Status(const std::string& etag, const google::protobuf::Timestamp& delete_time)>;
  // In one transaction: locks the resource `name` (a model, license, organization, deployment or policy; a valid
  // name), runs `check`, refuses while another resource refers to it, deletes its row, clears the records of its
  // revisions and appends a PURGE revision (the thread's change author) without a record, which it returns.
  // NOT_FOUND (no such resource); FAILED_PRECONDITION (RESOURCE_IN_USE, PreconditionFailure REFERENCED_BY naming
  // the referrer); errors from `check`.
  virtual absl::StatusOr<v1::Revision> Purge(const std::string& name, const PurgeCheck& check) = 0;
  // Revision retention: deletes every revision committed before `cutoff` that no read as of `cutoff` or later can
  // return, i.e. whose resource has a later revision committed at or before `cutoff` (so each resource keeps its
  // last revision at or before the cutoff). In statements of at most `batch` revisions, each its own transaction.
  // Returns how many were deleted.
  virtual absl::StatusOr<int64_t> DeleteRevisionsBefore(absl::Time cutoff, int batch) = 0;
};

// The record of mutations that carried a request id (AIP-155), keyed by (principal, request id). The service layer
// (service/idempotent_calls.h) decides what a record means; this interface only runs a call at most once per key.
class RequestIdRepository {
 public:
  struct Key {
    std::string principal;   // the caller's principal name
    std::string request_id;  // a UUID, normalized (lowercase)
  };
  // What the first call with a key recorded.
  struct Record {
    std::string method;        // the request's full message type name
    std::string request_hash;  // its fingerprint (domain/request_fingerprint.h)
    std::string response;      // the serialized response the call returned
  };
  // The call: its serialized response, or an error.
  using Body = std::function<absl::StatusOr<std::string>()>;

  virtual ~RequestIdRepository() = default;

  // Runs `body` at most once per key, atomically with its record. In one transaction: claims `key` (a concurrent call
  // with the same key waits there until the first one's transaction ends, up to the lock timeout); when the key has a
  // record already, returns it without running `body`; otherwise runs `body` (the store calls it makes join this
  // transaction: storage/transaction.h), records `method`, `request_hash` and the bytes `body` returned, commits and
  // returns nullopt. An error from `body` rolls everything back, the claim included, and is returned as is: a failed
  // call leaves no record.
  virtual absl::StatusOr<std::optional<Record>> RunOnce(const Key& key, const std::string& method,
                                                        const std::string& request_hash, const Body& body) = 0;
  // Deletes up to `limit` records created more than `age` ago (by the database's clock); returns how many.
  virtual absl::StatusOr<int64_t> DeleteOlderThan(absl::Duration age, int limit) = 0;
};

}  // namespace modelreg

// In-memory fakes of the store interfaces (server/storage/repositories.h) for the service layer's unit tests: the
// documented semantics of ModelRepository and LicenseRepository without PostgreSQL, plus call records so tests can
// assert orchestration (what the service asked the store for, and how often).
//
// Semantics kept from the interfaces: revisions (1 on create, +1 per Update, unchanged by Reassess), create/update/
// delete times from a fake clock (one tick per write), etags (a hash of the stored record and its revision), soft
// delete through delete_time set or cleared by the Mutation (a deleted record keeps its original delete_time),
// ALREADY_EXISTS (soft-deleted names included), NOT_FOUND, name immutability, live models referencing only live
// licenses, FAILED_PRECONDITION when deleting a license a live model references, a Mutation's error aborting without
// writing, Reassess by rules version or by license (soft-deleted models included, only openness kept).
//
// List is deliberately partial: it honours `limit`, `show_deleted`, the parent's `publisher = X` predicates and
// `after` (page tokens) in name order only. A query with a filter or another ordering is UNIMPLEMENTED here: filters
// and orderings are tested against PostgreSQL (tests/integration/query/).
//
// Not thread-safe; each call is its own "transaction" (a Transaction over a null connection whose OnEnd hooks run when
// the call returns).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"
#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "server/storage/repositories.h"

namespace modelreg::testing {

// A deterministic clock: every write takes the next second.
class FakeClock {
 public:
  google::protobuf::Timestamp Tick();
  google::protobuf::Timestamp Last() const;

 private:
  int64_t seconds_ = 1700000000;
};

// The output-only state the fakes keep beside a record.
struct RecordState {
  int64_t revision = 0;
  google::protobuf::Timestamp create_time;
  google::protobuf::Timestamp update_time;
  bool deleted = false;
  google::protobuf::Timestamp delete_time;
};

// A hash of the record (output-only fields cleared, deterministic serialization) and the revision, as 16 hex digits.
std::string FakeEtag(const google::protobuf::Message& stored_record, int64_t revision);

class FakeModelRepository;

class FakeLicenseRepository : public LicenseRepository {
 public:
  struct Calls {
    int create = 0;
    int get = 0;
    int get_many = 0;
    int get_many_in_tx = 0;  // GetMany calls that passed a Transaction (reads inside a Mutation)
    int find_by_keys = 0;
    int update = 0;
    int list = 0;
  };

  explicit FakeLicenseRepository(FakeClock* clock) : clock_(clock) {}

  absl::StatusOr<v1::License> Create(const v1::License& license,
                                     const std::function<absl::Status(Transaction& tx)>& check) override;
  // Seeds a license, as Create with no check.
  absl::StatusOr<v1::License> Create(const v1::License& license);
  absl::StatusOr<v1::License> Get(const std::string& name) override;
  absl::StatusOr<std::vector<v1::License>> GetMany(const std::vector<std::string>& names, Transaction* tx) override;
  absl::StatusOr<std::vector<v1::License>> FindByKeys(const std::vector<std::string>& keys, Transaction* tx) override;
  absl::StatusOr<v1::License> Update(const std::string& name, const Mutation& mutate) override;
  absl::StatusOr<Page<v1::License>> List(const ListQuery& query) override;

  // Models consulted when a license is soft-deleted (FAILED_PRECONDITION while a live model references it).
  void set_models(const FakeModelRepository* models) { models_ = models; }
  // True when `name` (`licenses/{id}`) exists and is not soft-deleted.
  bool IsLive(const std::string& name) const;

  const Calls& calls() const { return calls_; }
  // The license last passed to Create, as the service built it.
  const v1::License& last_create_input() const { return last_create_input_; }
  size_t size() const { return records_.size(); }

 private:
  struct Row {
    v1::License record;  // output-only fields cleared
    RecordState state;
  };
  static v1::License Output(const Row& row);

  FakeClock* clock_;
  const FakeModelRepository* models_ = nullptr;
  std::map<std::string, Row> records_;  // by resource name
  Calls calls_;
  v1::License last_create_input_;
};

class FakeModelRepository : public ModelRepository {
 public:
  struct ReassessCall {
    int rules_version = 0;
    std::string license_id;
  };
  struct Calls {
    int create = 0;
    int create_batch = 0;
    int get = 0;
    int update = 0;
    int list = 0;
    std::vector<ReassessCall> reassess;
  };

  // Registers itself with `licenses` for reference checks in both directions.
  FakeModelRepository(FakeLicenseRepository* licenses, FakeClock* clock);

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

  // The names of the models (soft-deleted included), in name order, that reference license `license_id` (id or name).
  std::vector<std::string> ModelsReferencing(const std::string& license_id) const;
  // The first live model, in name order, that references license `name`; empty if none.
  std::string LiveModelReferencing(const std::string& license_name) const;

  // Reassess processes models in batches of this size, each committed on its own (as the store does).
  void set_reassess_batch_size(int size) { reassess_batch_size_ = size; }
  // When not OK, the next Reassess call is recorded and then fails with this status without changing anything.
  void FailNextReassess(absl::Status status) { reassess_error_ = std::move(status); }

  const Calls& calls() const { return calls_; }
  // The models last passed to Create / CreateBatch, as the service built them.
  const std::vector<v1::Model>& last_create_input() const { return last_create_input_; }
  size_t size() const { return records_.size(); }

 private:
  struct Row {
    v1::Model record;  // output-only fields cleared, openness kept
    RecordState state;
  };
  static v1::Model Output(const Row& row);
  // INVALID_ARGUMENT for a malformed name, or a license reference that is malformed, missing or soft-deleted.
  absl::Status CheckNameAndLicenses(const v1::Model& model, bool live) const;
  // ABORTED kLicenseChanged when a license of `assessed_with` now has another etag.
  absl::Status CheckAssessedWith(const LicenseEtags& assessed_with) const;
  absl::StatusOr<Row> NewRow(const v1::Model& model) const;

  FakeLicenseRepository* licenses_;
  FakeClock* clock_;
  std::map<std::string, Row> records_;  // by resource name
  Calls calls_;
  std::vector<v1::Model> last_create_input_;
  int reassess_batch_size_ = 500;
  absl::Status reassess_error_;
};

// ReassessmentQueue in memory: one entry per license (generation, cursor, pending count from `models`, unknown until
// the first batch as in ReassessmentStore), claimed in license id order. Single-threaded, so a claim is never
// contended.
class FakeReassessmentQueue : public ReassessmentQueue {
 public:
  struct Entry {
    int64_t generation = 0;
    std::string after_name;
    std::optional<int64_t> pending;
    ChangeAuthor author;
  };

  explicit FakeReassessmentQueue(const FakeModelRepository* models) : models_(models) {}

  absl::Status Enqueue(Transaction& tx, const std::string& license_id, const ChangeAuthor& author) override;
  absl::StatusOr<bool> RunBatch(const BatchBody& body) override;
  absl::StatusOr<std::map<std::string, std::optional<int64_t>>> Pending(
      const std::vector<std::string>& license_ids) override;

  const std::map<std::string, Entry>& entries() const { return entries_; }

 private:
  const FakeModelRepository* models_;
  std::map<std::string, Entry> entries_;  // by license id
};

// RequestIdRepository in memory: RunOnce runs the body unless its key has a record, and records the body's bytes
// when it succeeds. Single-threaded (a concurrent duplicate waiting for the first is tested against PostgreSQL); the
// fake stores do not roll back a body that fails after writing (the real transaction does).
class FakeRequestIdRepository : public RequestIdRepository {
 public:
  absl::StatusOr<std::optional<Record>> RunOnce(const Key& key, const std::string& method,
                                                const std::string& request_hash, const Body& body) override;
  absl::StatusOr<int64_t> DeleteOlderThan(absl::Duration age, int limit) override;

  // Makes every record `by` older.
  void Age(absl::Duration by) { now_ += by; }
  // By (principal, request id).
  const std::map<std::pair<std::string, std::string>, Record>& records() const { return records_; }
  int bodies_run() const { return bodies_run_; }

 private:
  absl::Time now_ = absl::UnixEpoch();
  std::map<std::pair<std::string, std::string>, Record> records_;
  std::map<std::pair<std::string, std::string>, absl::Time> created_;
  int bodies_run_ = 0;
};

// Both fakes over one clock, wired together.
struct FakeStores {
  FakeClock clock;
  FakeLicenseRepository licenses{&clock};
  FakeModelRepository models{&licenses, &clock};
};

}  // namespace modelreg::testing

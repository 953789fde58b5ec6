// Domain logic of the ModelRegistry API: validation, license resolution, openness assessment, etag and soft-delete
// rules, over the stores. Transport-agnostic: absl::Status in and out.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "modelreg/v1/model_registry.pb.h"
#include "server/domain/auth/auth.h"
#include "server/domain/licenses/license_names.h"
#include "server/domain/openness/assessment.h"
#include "server/service/idempotent_calls.h"
#include "server/storage/repositories.h"

namespace modelreg {

// Every RPC method takes the acting principal (authorized by the caller, the gRPC adapter); ListModels narrows a
// List across publishers to the publishers the principal may read. In-process callers act as Principal::System().
// Mutations honour `request_id` through `calls` (idempotent_calls.h; without one, a request_id is refused).
class ModelService {
 public:
  ModelService(ModelRepository* models, LicenseRepository* licenses, IdempotentCalls* calls = nullptr)
      : models_(models), licenses_(licenses), calls_(calls != nullptr ? calls : &IdempotentCalls::Unrecorded()) {}

  // modelregd --revision-retention (zero: unlimited): a List or report as of an earlier time is OUT_OF_RANGE.
  void set_revision_retention(absl::Duration retention) { revision_retention_ = retention; }

  // INVALID_ARGUMENT (bad field, unknown or deleted license), ALREADY_EXISTS. A license updated while the model is
  // written: the create is assessed again with the update (ABORTED kLicenseChanged only when that keeps happening).
  absl::StatusOr<v1::Model> CreateModel(const v1::CreateModelRequest& request,
                                        const Principal& actor = Principal::System());
  // All or nothing; at most kMaxBatch requests. Same errors as CreateModel, with the request index in the field path.
  absl::StatusOr<v1::BatchCreateModelsResponse> BatchCreateModels(const v1::BatchCreateModelsRequest& request,
                                                                  const Principal& actor = Principal::System());
  // INVALID_ARGUMENT, NOT_FOUND.
  absl::StatusOr<v1::Model> GetModel(const v1::GetModelRequest& request, const Principal& actor = Principal::System());
  // INVALID_ARGUMENT, NOT_FOUND (missing or soft-deleted), ABORTED (stale etag).
  absl::StatusOr<v1::Model> UpdateModel(const v1::UpdateModelRequest& request,
                                        const Principal& actor = Principal::System());
  // INVALID_ARGUMENT, NOT_FOUND (missing or already deleted), ABORTED.
  absl::StatusOr<v1::Model> DeleteModel(const v1::DeleteModelRequest& request,
                                        const Principal& actor = Principal::System());
  // INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION (not deleted), ABORTED.
  absl::StatusOr<v1::Model> UndeleteModel(const v1::UndeleteModelRequest& request,
                                          const Principal& actor = Principal::System());
  // A page of ListModels: the models in wire form (serialized v1::Model, as the store returns them) and the token of
  // the next page (empty on the last).
  struct SerializedModelPage {
    std::vector<std::string> models;
    std::string next_page_token;
  };
  // INVALID_ARGUMENT (parent, filter, order_by, page_token, page_size, read_time in the future). With read_time, the
  // list as of then, from the history (ModelRepository::ListSerialized).
  absl::StatusOr<SerializedModelPage> ListModels(const v1::ListModelsRequest& request,
                                                 const Principal& actor = Principal::System());
  // INVALID_ARGUMENT (bad field, unknown license).
  absl::StatusOr<v1::Openness> ClassifyModel(const v1::ClassifyModelRequest& request,
                                             const Principal& actor = Principal::System());

  // Recomputes stored assessments made by other rules versions (or, with `license_id`, every model using that
  // license). Returns how many models were rewritten (whether or not their assessment changed).
  absl::StatusOr<int64_t> Reassess(const std::string& license_id = "");
  // One batch of the background reassessment after `license_id` changed (license_reassessor.h), inside `tx`: the up
  // to `limit` models using it whose names sort after `after`, assessed against the licenses as `tx` reads them.
  absl::StatusOr<ModelRepository::ReassessBatch> ReassessLicenseBatch(Transaction& tx, const std::string& license_id,
                                                                      const std::string& after, int limit);

 private:
  // Resolves the license references of `model` to canonical names (aliases included; field paths under `prefix`),
  // validates it and computes its openness; returns the etags of the licenses the assessment used, for the store to
  // check (ModelRepository::Create). Inside a store Mutation, `tx` is its transaction (licenses are read in it, and
  // locked); null outside one. `resolver`, when given, holds licenses already read and keeps the ones read here (a
  // batch).
  absl::StatusOr<LicenseEtags> Prepare(const std::string& prefix, v1::Model* model, Transaction* tx = nullptr,
                                       LicenseResolver* resolver = nullptr);
  // A Reassess `recompute`: sets model.openness from the licenses it references, read in `tx` unless in `cache`
  // (licenses are few: a batch keeps those it read).
  absl::Status Recompute(Transaction& tx, std::map<std::string, v1::License>& cache, v1::Model& model);
  // The mutations' work, run once per request id by the public methods.
  absl::StatusOr<v1::Model> Create(const v1::CreateModelRequest& request);
  absl::StatusOr<v1::BatchCreateModelsResponse> CreateBatch(const v1::BatchCreateModelsRequest& request);
  absl::StatusOr<v1::Model> Update(const v1::UpdateModelRequest& request);
  absl::StatusOr<v1::Model> Delete(const v1::DeleteModelRequest& request);
  absl::StatusOr<v1::Model> Undelete(const v1::UndeleteModelRequest& request);

  ModelRepository* models_;
  LicenseRepository* licenses_;
  IdempotentCalls* calls_;
  absl::Duration revision_retention_ = absl::ZeroDuration();
};

}  // namespace modelreg

// Domain logic of the ModelRegistry API: validation, license resolution, openness assessment, etag and soft-delete
// rules, over the stores. Transport-agnostic: absl::Status in and out.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "modelreg/v1/model_registry.pb.h"
#include "server/domain/auth/auth.h"
#include "server/domain/licenses/license_names.h"
#include "server/domain/openness/assessment.h"
#include "server/storage/repositories.h"

namespace modelreg {

// Every RPC method takes the acting principal (authorized by the caller, the gRPC adapter); ListModels narrows a
// List across publishers to the publishers the principal may read. In-process callers act as Principal::System().
class ModelService {
 public:
  ModelService(ModelRepository* models, LicenseRepository* licenses) : models_(models), licenses_(licenses) {}

  // INVALID_ARGUMENT (bad field, unknown or deleted license), ALREADY_EXISTS.
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
  // INVALID_ARGUMENT (parent, filter, order_by, page_token, page_size).
  absl::StatusOr<v1::ListModelsResponse> ListModels(const v1::ListModelsRequest& request,
                                                    const Principal& actor = Principal::System());
  // INVALID_ARGUMENT (bad field, unknown license).
  absl::StatusOr<v1::Openness> ClassifyModel(const v1::ClassifyModelRequest& request,
                                             const Principal& actor = Principal::System());

  // Recomputes stored assessments made by other rules versions (or, with `license_id`, every model using that
  // license). Returns how many models were rewritten (whether or not their assessment changed).
  absl::StatusOr<int64_t> Reassess(const std::string& license_id = "");

  static constexpr int kMaxBatch = 1000;

 private:
  // Resolves the license references of `model` to canonical names (aliases included; field paths under `prefix`),
  // validates it and computes its openness. Inside a store Mutation, `tx` is its transaction (licenses are read in
  // it); null outside one. `resolver`, when given, holds licenses already read and keeps the ones read here (a batch).
  absl::Status Prepare(const std::string& prefix, v1::Model* model, Transaction* tx = nullptr,
                       LicenseResolver* resolver = nullptr);

  ModelRepository* models_;
  LicenseRepository* licenses_;
};

}  // namespace modelreg

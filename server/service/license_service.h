// Domain logic of the LicenseCatalog API over the license store. Transport-agnostic.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "modelreg/v1/license_catalog.pb.h"
#include "server/domain/auth/auth.h"
#include "server/service/idempotent_calls.h"
#include "server/service/model_service.h"
#include "server/storage/repositories.h"

namespace modelreg {

// Mutations honour `request_id` through `calls` (idempotent_calls.h; without one, a request_id is refused).
class LicenseService {
 public:
  // `models` reassesses the models using a license after it changes.
  LicenseService(LicenseRepository* licenses, ModelService* models, IdempotentCalls* calls = nullptr)
      : licenses_(licenses), models_(models), calls_(calls != nullptr ? calls : &IdempotentCalls::Unrecorded()) {}

  // INVALID_ARGUMENT (bad field; LICENSE_ALIAS_TAKEN: its id, spdx_id or an alias already names another license),
  // ALREADY_EXISTS.
  absl::StatusOr<v1::License> CreateLicense(const v1::CreateLicenseRequest& request,
                                            const Principal& actor = Principal::System());
  // `name` is `licenses/{id}` or `licenses/{alias}` (AIP-122 alias: the license returned has its canonical name).
  // INVALID_ARGUMENT (INVALID_NAME, LICENSE_ALIAS_AMBIGUOUS), NOT_FOUND.
  absl::StatusOr<v1::License> GetLicense(const v1::GetLicenseRequest& request,
                                         const Principal& actor = Principal::System());
  // Background reassessment: UpdateLicense queues the reassessment of the license's models in `queue`, in the
  // update's transaction, then calls `wake` (LicenseReassessor::Wake); the license's responses carry
  // `reassessment_state` (QUEUED until the first batch counted the models) and `reassessment_pending_models`. Without a
  // queue (the default), UpdateLicense reassesses the models itself before returning.
  void set_reassessment(ReassessmentQueue* queue, std::function<void()> wake) {
    queue_ = queue;
    wake_ = std::move(wake);
  }

  // INVALID_ARGUMENT (as CreateLicense), NOT_FOUND (missing or soft-deleted), ABORTED (stale etag).
  absl::StatusOr<v1::License> UpdateLicense(const v1::UpdateLicenseRequest& request,
                                            const Principal& actor = Principal::System());
  // INVALID_ARGUMENT, NOT_FOUND, ABORTED, FAILED_PRECONDITION (a live model uses it).
  absl::StatusOr<v1::License> DeleteLicense(const v1::DeleteLicenseRequest& request,
                                            const Principal& actor = Principal::System());
  // INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION (not deleted), ABORTED.
  absl::StatusOr<v1::License> UndeleteLicense(const v1::UndeleteLicenseRequest& request,
                                              const Principal& actor = Principal::System());
  // INVALID_ARGUMENT.
  absl::StatusOr<v1::ListLicensesResponse> ListLicenses(const v1::ListLicensesRequest& request,
                                                        const Principal& actor = Principal::System());

 private:
  // The mutations' work, run once per request id by the public methods.
  absl::StatusOr<v1::License> Create(const v1::CreateLicenseRequest& request);
  absl::StatusOr<v1::License> Update(const v1::UpdateLicenseRequest& request);
  absl::StatusOr<v1::License> Delete(const v1::DeleteLicenseRequest& request);
  absl::StatusOr<v1::License> Undelete(const v1::UndeleteLicenseRequest& request);
  // LICENSE_ALIAS_TAKEN when a name of `license` (its id as `id_field` when not empty) names another license.
  absl::Status CheckNamesFree(const v1::License& license, const std::string& id_field, Transaction* tx);

  // Sets `reassessment_state` and `reassessment_pending_models` on `licenses` from the queue.
  absl::Status FillPending(const std::vector<v1::License*>& licenses);

  LicenseRepository* licenses_;
  ModelService* models_;
  IdempotentCalls* calls_;
  ReassessmentQueue* queue_ = nullptr;
  std::function<void()> wake_;
};

}  // namespace modelreg

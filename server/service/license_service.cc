#include "server/service/license_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "server/common/change_author.h"
#include "server/common/errors.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/domain/field_mask.h"
#include "server/domain/licenses/license_names.h"
#include "server/domain/names.h"
#include "server/domain/query/model_query.h"
#include "server/domain/validation.h"
#include "server/service/license_resolution.h"
#include "server/service/resource_state.h"

namespace modelreg {
namespace {

const std::set<std::string>& ImmutableLicenseFields() {
  static const auto* fields = new std::set<std::string>{
      "name", "create_time", "update_time", "delete_time", "etag", "reassessment_state", "reassessment_pending_models"};
  return *fields;
}

void ClearOutputOnly(v1::License* license) {
  license->clear_create_time();
  license->clear_update_time();
  license->clear_delete_time();
  license->clear_etag();
  license->clear_reassessment_state();
  license->clear_reassessment_pending_models();
}

}  // namespace

absl::Status LicenseService::CheckNamesFree(const v1::License& license, const std::string& id_field, Transaction* tx) {
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::License> others, licenses_->FindByKeys(LicenseKeys(license), tx));
  return CheckLicenseKeysFree(license, others, "license", id_field);
}

absl::StatusOr<v1::License> LicenseService::CreateLicense(const v1::CreateLicenseRequest& request,
                                                          const Principal& actor) {
  return calls_->Run<v1::License>(actor, request, [&] { return Create(request); });
}

absl::StatusOr<v1::License> LicenseService::Create(const v1::CreateLicenseRequest& request) {
  if (!IsValidLicenseId(request.license_id())) {
    return InvalidFieldError("license_id",
                             absl::StrCat("`", request.license_id().substr(0, 80),
                                          "` must be 1-63 lowercase letters, digits, '-', '.', '_', '+'"),
                             "INVALID_ID");
  }
  v1::License license = request.license();
  ClearOutputOnly(&license);
  license.set_name(LicenseName(request.license_id()));
  MODELREG_RETURN_IF_ERROR(ValidateLicense(license, "license"));
  return licenses_->Create(license, [&](Transaction& tx) { return CheckNamesFree(license, "license_id", &tx); });
}

absl::Status LicenseService::FillPending(const std::vector<v1::License*>& licenses) {
  if (queue_ == nullptr || licenses.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  ids.reserve(licenses.size());
  for (const v1::License* license : licenses) ids.push_back(LicenseIdOf(license->name()));
  MODELREG_ASSIGN_OR_RETURN(const auto pending, queue_->Pending(ids));
  for (v1::License* license : licenses) {
    const auto it = pending.find(LicenseIdOf(license->name()));
    if (it == pending.end()) continue;
    if (it->second.has_value()) {
      license->set_reassessment_state(v1::License::REASSESSMENT_STATE_RUNNING);
      license->set_reassessment_pending_models(*it->second);
    } else {
      license->set_reassessment_state(v1::License::REASSESSMENT_STATE_QUEUED);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::License> LicenseService::GetLicense(const v1::GetLicenseRequest& request,
                                                       const Principal& /*actor*/) {
  // An alias (`licenses/MIT License`, `licenses/Apache-2.0`) returns the license it names, with its canonical name.
  MODELREG_ASSIGN_OR_RETURN(v1::License license, FindLicense(*licenses_, request.name()));
  MODELREG_RETURN_IF_ERROR(FillPending({&license}));
  return license;
}

absl::StatusOr<v1::License> LicenseService::UpdateLicense(const v1::UpdateLicenseRequest& request,
                                                          const Principal& actor) {
  bool replayed = false;
  // The reassessment state is filled in inside the recorded call, so that a retry with the same request id returns
  // exactly the first answer (QUEUED), whatever the worker has done since.
  const auto update = [&]() -> absl::StatusOr<v1::License> {
    MODELREG_ASSIGN_OR_RETURN(v1::License license, Update(request));
    MODELREG_RETURN_IF_ERROR(FillPending({&license}));
    return license;
  };
  MODELREG_ASSIGN_OR_RETURN(v1::License updated, calls_->Run<v1::License>(actor, request, update, {}, &replayed));
  if (queue_ != nullptr) {
    // Queued in the update's transaction (Update); a replay finds it queued, or done, already.
    if (!replayed && wake_) wake_();
    return updated;
  }
  if (replayed) return updated;  // the first call reassessed
  // The license is committed; its models' assessments follow. A failure here leaves them stale until the license is
  // updated again or `modelregd reassess --license=ID` runs, so it is logged, not returned: the update succeeded.
  auto reassessed = models_->Reassess(LicenseIdOf(updated.name()));
  if (!reassessed.ok()) {
    MODELREG_LOG(WARNING) << "reassessing models of " << updated.name() << " failed: " << reassessed.status();
  }
  return updated;
}

absl::StatusOr<v1::License> LicenseService::Update(const v1::UpdateLicenseRequest& request) {
  const v1::License& patch = request.license();
  MODELREG_RETURN_IF_ERROR(WithReason(ParseLicenseName(patch.name(), "license.name").status(), "INVALID_NAME"));
  return licenses_->Update(patch.name(), [&](Transaction& tx, v1::License& stored) -> absl::Status {
    MODELREG_RETURN_IF_ERROR(CheckEtag(patch.etag(), stored.etag(), patch.name()));
    MODELREG_RETURN_IF_ERROR(CheckLive(stored.delete_time(), patch.name()));
    MODELREG_RETURN_IF_ERROR(ApplyFieldMask(request.update_mask(), patch, ImmutableLicenseFields(), &stored));
    ClearOutputOnly(&stored);
    MODELREG_RETURN_IF_ERROR(ValidateLicense(stored, "license"));
    MODELREG_RETURN_IF_ERROR(CheckNamesFree(stored, "", &tx));
    if (queue_ != nullptr) {
      MODELREG_RETURN_IF_ERROR(queue_->Enqueue(tx, LicenseIdOf(stored.name()), CurrentChangeAuthor()));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::License> LicenseService::DeleteLicense(const v1::DeleteLicenseRequest& request,
                                                          const Principal& actor) {
  return calls_->Run<v1::License>(actor, request, [&] { return Delete(request); });
}

absl::StatusOr<v1::License> LicenseService::Delete(const v1::DeleteLicenseRequest& request) {
  MODELREG_RETURN_IF_ERROR(WithReason(ParseLicenseName(request.name()).status(), "INVALID_NAME"));
  return licenses_->Update(request.name(), [&](Transaction&, v1::License& stored) -> absl::Status {
    MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), stored.etag(), request.name()));
    MODELREG_RETURN_IF_ERROR(CheckLive(stored.delete_time(), request.name()));
    *stored.mutable_delete_time() = Now();
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::License> LicenseService::UndeleteLicense(const v1::UndeleteLicenseRequest& request,
                                                            const Principal& actor) {
  return calls_->Run<v1::License>(actor, request, [&] { return Undelete(request); });
}

absl::StatusOr<v1::License> LicenseService::Undelete(const v1::UndeleteLicenseRequest& request) {
  MODELREG_RETURN_IF_ERROR(WithReason(ParseLicenseName(request.name()).status(), "INVALID_NAME"));
  return licenses_->Update(request.name(), [&](Transaction&, v1::License& stored) -> absl::Status {
    MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), stored.etag(), request.name()));
    MODELREG_RETURN_IF_ERROR(CheckDeleted(stored.delete_time(), request.name()));
    stored.clear_delete_time();
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ListLicensesResponse> LicenseService::ListLicenses(const v1::ListLicensesRequest& request,
                                                                      const Principal& /*actor*/) {
  MODELREG_ASSIGN_OR_RETURN(ListQuery query, CompileListLicenses(request));
  MODELREG_ASSIGN_OR_RETURN(Page<v1::License> page, licenses_->List(query));
  v1::ListLicensesResponse response;
  for (auto& license : page.items) *response.add_licenses() = std::move(license);
  std::vector<v1::License*> listed;
  for (v1::License& license : *response.mutable_licenses()) listed.push_back(&license);
  MODELREG_RETURN_IF_ERROR(FillPending(listed));
  if (page.next_key) response.set_next_page_token(MakeNextPageToken(request, *page.next_key));
  return response;
}

}  // namespace modelreg

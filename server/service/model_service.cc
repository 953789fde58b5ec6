#include "server/service/model_service.h"

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/limits.h"
#include "server/common/status_macros.h"
#include "server/domain/field_mask.h"
#include "server/domain/names.h"
#include "server/domain/query/model_query.h"
#include "server/domain/validation.h"
#include "server/service/license_resolution.h"
#include "server/service/resource_state.h"

namespace modelreg {
namespace {

// Fields the client never sets: the name is fixed at creation, the rest is computed.
const std::set<std::string>& ImmutableModelFields() {
  static const auto* fields =
      new std::set<std::string>{"name", "create_time", "update_time", "delete_time", "etag", "revision", "openness"};
  return *fields;
}

// A create whose assessment read a license that an update then changed before the create's transaction locked it
// fails with ABORTED kLicenseChanged, having written nothing; it runs again, reading the licenses anew. Each retry
// needs another update of one of its licenses to commit in those milliseconds, so a few attempts suffice. Around the
// idempotent call (its transaction, when it has one, cannot go on after the failure).
constexpr int kLicenseChangedAttempts = 3;

template <typename Response>
absl::StatusOr<Response> RetryIfLicenseChanged(const std::function<absl::StatusOr<Response>()>& call) {
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<Response> result = call();
    if (result.ok() || attempt == kLicenseChangedAttempts || ErrorReason(result.status()) != kLicenseChanged) {
      return result;
    }
  }
}

// The etags of the licenses an assessment used, by name.
LicenseEtags EtagsOf(const LicenseMap& licenses) {
  LicenseEtags etags;
  for (const auto& [name, license] : licenses) etags.emplace(name, license.etag());
  return etags;
}

void ClearOutputOnly(v1::Model* model) {
  model->clear_create_time();
  model->clear_update_time();
  model->clear_delete_time();
  model->clear_etag();
  model->clear_revision();
  model->clear_openness();
}

}  // namespace

// The mutations: each runs once per request id (idempotent_calls.h), the work in the private method of the same verb.

absl::StatusOr<v1::Model> ModelService::CreateModel(const v1::CreateModelRequest& request, const Principal& actor) {
  return RetryIfLicenseChanged<v1::Model>(
      [&] { return calls_->Run<v1::Model>(actor, request, [&] { return Create(request); }); });
}

absl::StatusOr<v1::BatchCreateModelsResponse> ModelService::BatchCreateModels(
    const v1::BatchCreateModelsRequest& request, const Principal& actor) {
  return RetryIfLicenseChanged<v1::BatchCreateModelsResponse>(
      [&] { return calls_->Run<v1::BatchCreateModelsResponse>(actor, request, [&] { return CreateBatch(request); }); });
}

absl::StatusOr<v1::Model> ModelService::UpdateModel(const v1::UpdateModelRequest& request, const Principal& actor) {
  return calls_->Run<v1::Model>(actor, request, [&] { return Update(request); });
}

absl::StatusOr<v1::Model> ModelService::DeleteModel(const v1::DeleteModelRequest& request, const Principal& actor) {
  return calls_->Run<v1::Model>(actor, request, [&] { return Delete(request); });
}

absl::StatusOr<v1::Model> ModelService::UndeleteModel(const v1::UndeleteModelRequest& request, const Principal& actor) {
  return calls_->Run<v1::Model>(actor, request, [&] { return Undelete(request); });
}

absl::StatusOr<LicenseEtags> ModelService::Prepare(const std::string& prefix, v1::Model* model, Transaction* tx,
                                                   LicenseResolver* resolver) {
  ClearOutputOnly(model);
  LicenseResolver own;
  // License aliases first: `licenses/Apache License 2.0` becomes `licenses/apache-2.0` before validation.
  MODELREG_ASSIGN_OR_RETURN(LicenseMap licenses,
                            ResolveModelLicenses(*licenses_, model, prefix, tx, resolver != nullptr ? resolver : &own));
  MODELREG_RETURN_IF_ERROR(ValidateModel(*model, prefix));
  *model->mutable_openness() = AssessOpenness(*model, licenses);
  MODELREG_RETURN_IF_ERROR(CheckRecordSize(*model, prefix));
  return EtagsOf(licenses);
}

absl::StatusOr<v1::Model> ModelService::Create(const v1::CreateModelRequest& request) {
  MODELREG_ASSIGN_OR_RETURN(std::string publisher,
                            WithReason(ParsePublisherName(request.parent(), /*allow_wildcard=*/false), "INVALID_NAME"));
  if (!IsValidResourceId(request.model_id())) {
    return InvalidFieldError(
        "model_id",
        absl::StrCat("`", request.model_id().substr(0, 80), "` must be 1-63 lowercase letters, digits, '-', '.', '_'"),
        "INVALID_ID");
  }
  v1::Model model = request.model();
  model.set_name(ModelName{publisher, request.model_id()}.name());
  MODELREG_ASSIGN_OR_RETURN(const LicenseEtags assessed_with, Prepare("model", &model));
  return models_->Create(model, assessed_with);
}

absl::StatusOr<v1::BatchCreateModelsResponse> ModelService::CreateBatch(const v1::BatchCreateModelsRequest& request) {
  if (request.requests_size() == 0 || request.requests_size() > kMaxBatch) {
    return InvalidFieldError("requests", absl::StrCat("must hold 1 to ", kMaxBatch, " requests"), "INVALID_BATCH_SIZE");
  }
  MODELREG_ASSIGN_OR_RETURN(std::string batch_publisher,
                            WithReason(ParsePublisherName(request.parent(), /*allow_wildcard=*/true), "INVALID_NAME"));
  std::vector<v1::Model> prepared;
  prepared.reserve(request.requests_size());
  // License lookups are shared across the batch: synthetic loads reuse a handful of licenses.
  LicenseResolver licenses;
  LicenseEtags assessed_with;
  int64_t batch_bytes = 0;
  for (int i = 0; i < request.requests_size(); ++i) {
    const v1::CreateModelRequest& item = request.requests(i);
    const std::string at = absl::StrCat("requests[", i, "]");
    const std::string parent = item.parent().empty() ? request.parent() : item.parent();
    MODELREG_ASSIGN_OR_RETURN(std::string publisher,
                              WithReason(ParsePublisherName(parent, false, at + ".parent"), "INVALID_NAME"));
    if (!item.request_id().empty()) {
      return InvalidFieldError(at + ".request_id", "must be empty: the batch's request_id covers every item");
    }
    if (batch_publisher != "-" && publisher != batch_publisher) {
      return InvalidFieldError(at + ".parent", absl::StrCat("`", parent, "` differs from the batch's parent"),
                               "PARENT_MISMATCH");
    }
    if (!IsValidResourceId(item.model_id())) {
      return InvalidFieldError(
          at + ".model_id",
          absl::StrCat("`", item.model_id().substr(0, 80), "` must be 1-63 lowercase letters, digits, '-', '.', '_'"),
          "INVALID_ID");
    }
    v1::Model model = item.model();
    model.set_name(ModelName{publisher, item.model_id()}.name());
    MODELREG_ASSIGN_OR_RETURN(LicenseEtags etags, Prepare(at + ".model", &model, nullptr, &licenses));
    assessed_with.merge(etags);
    batch_bytes += static_cast<int64_t>(model.ByteSizeLong()) + kResponseBytesPerRecord;
    prepared.push_back(std::move(model));
  }
  // The response returns every created model: keep it under the message size.
  MODELREG_RETURN_IF_ERROR(CheckResponseBudget("requests", batch_bytes));
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Model> created, models_->CreateBatch(prepared, assessed_with));
  v1::BatchCreateModelsResponse response;
  for (auto& model : created) *response.add_models() = std::move(model);
  return response;
}

absl::StatusOr<v1::Model> ModelService::GetModel(const v1::GetModelRequest& request, const Principal& /*actor*/) {
  MODELREG_RETURN_IF_ERROR(WithReason(ParseModelName(request.name()).status(), "INVALID_NAME"));
  return models_->Get(request.name());
}

absl::StatusOr<v1::Model> ModelService::Update(const v1::UpdateModelRequest& request) {
  const v1::Model& patch = request.model();
  MODELREG_RETURN_IF_ERROR(WithReason(ParseModelName(patch.name(), "model.name").status(), "INVALID_NAME"));
  return models_->Update(patch.name(), [&](Transaction& tx, v1::Model& stored) -> absl::Status {
    MODELREG_RETURN_IF_ERROR(CheckEtag(patch.etag(), stored.etag(), patch.name()));
    MODELREG_RETURN_IF_ERROR(CheckLive(stored.delete_time(), patch.name()));
    MODELREG_RETURN_IF_ERROR(ApplyFieldMask(request.update_mask(), patch, ImmutableModelFields(), &stored));
    return Prepare("model", &stored, &tx).status();  // its licenses read locked: they stay as assessed
  });
}

absl::StatusOr<v1::Model> ModelService::Delete(const v1::DeleteModelRequest& request) {
  MODELREG_RETURN_IF_ERROR(WithReason(ParseModelName(request.name()).status(), "INVALID_NAME"));
  return models_->Update(request.name(), [&](Transaction&, v1::Model& stored) -> absl::Status {
    MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), stored.etag(), request.name()));
    MODELREG_RETURN_IF_ERROR(CheckLive(stored.delete_time(), request.name()));
    *stored.mutable_delete_time() = Now();
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Model> ModelService::Undelete(const v1::UndeleteModelRequest& request) {
  MODELREG_RETURN_IF_ERROR(WithReason(ParseModelName(request.name()).status(), "INVALID_NAME"));
  return models_->Update(request.name(), [&](Transaction& tx, v1::Model& stored) -> absl::Status {
    MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), stored.etag(), request.name()));
    MODELREG_RETURN_IF_ERROR(CheckDeleted(stored.delete_time(), request.name()));
    stored.clear_delete_time();
    // Its licenses may have been deleted meanwhile: a live model must only reference live licenses. The request names
    // no license field, so this is the model's state, not a bad argument.
    v1::Model check = stored;
    LicenseResolver resolver;
    absl::Status licenses = ResolveModelLicenses(*licenses_, &check, "model", &tx, &resolver).status();
    if (absl::IsInvalidArgument(licenses)) {
      return PreconditionError("LICENSE_DELETED", "RESOURCE_STATE", request.name(),
                               absl::StrCat("cannot undelete `", request.name(), "`: its ", licenses.message(),
                                            "; undelete that license first"));
    }
    return licenses;
  });
}

absl::StatusOr<ModelService::SerializedModelPage> ModelService::ListModels(const v1::ListModelsRequest& request,
                                                                           const Principal& actor) {
  MODELREG_ASSIGN_OR_RETURN(ListQuery query, CompileListModels(request));
  if (request.has_read_time()) {
    MODELREG_RETURN_IF_ERROR(CheckPastReadTime(request.read_time(), Now()));
    MODELREG_RETURN_IF_ERROR(CheckReadTimeRetained(request.read_time(), absl::Now(), revision_retention_));
    query.read_time = request.read_time();
  }
  if (const auto readable = ReadablePublishers(actor); readable.has_value()) {
    if (readable->empty()) return Authorize(actor, Action::kRead, request.parent());
    RestrictToPublishers(*readable, query);
  }
  MODELREG_ASSIGN_OR_RETURN(Page<std::string> page, models_->ListSerialized(query));
  SerializedModelPage response;
  response.models = std::move(page.items);
  if (page.next_key) response.next_page_token = MakeNextPageToken(request, *page.next_key);
  return response;
}

absl::StatusOr<v1::Openness> ModelService::ClassifyModel(const v1::ClassifyModelRequest& request,
                                                         const Principal& /*actor*/) {
  v1::Model model = request.model();
  MODELREG_RETURN_IF_ERROR(Prepare("model", &model).status());
  return model.openness();
}

absl::Status ModelService::Recompute(Transaction& tx, std::map<std::string, v1::License>& cache, v1::Model& model) {
  LicenseMap licenses;
  std::vector<std::string> missing;
  for (const auto& ref : LicenseReferences(model, "")) {
    auto it = cache.find(ref.second);
    if (it != cache.end()) {
      licenses.insert(*it);
    } else {
      missing.push_back(ref.second);
    }
  }
  if (!missing.empty()) {
    MODELREG_ASSIGN_OR_RETURN(std::vector<v1::License> found, licenses_->GetMany(missing, &tx));
    for (auto& license : found) {
      cache[license.name()] = license;
      licenses[license.name()] = std::move(license);
    }
  }
  *model.mutable_openness() = AssessOpenness(model, licenses);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ModelService::Reassess(const std::string& license_id) {
  // Licenses are kept for one batch: read (and locked) in its transaction and forgotten when it ends, so that each
  // batch assesses with the licenses as committed when it runs, not as an earlier batch read them.
  std::map<std::string, v1::License> cache;
  return models_->Reassess(kRulesVersion, license_id, [&](Transaction& tx, v1::Model& model) {
    if (cache.empty()) tx.OnEnd([&cache] { cache.clear(); });  // the first model of a batch: nothing kept yet
    return Recompute(tx, cache, model);
  });
}

absl::StatusOr<ModelRepository::ReassessBatch> ModelService::ReassessLicenseBatch(Transaction& tx,
                                                                                  const std::string& license_id,
                                                                                  const std::string& after, int limit) {
  // Licenses read once per batch, in its transaction: the batch sees the license as last committed.
  std::map<std::string, v1::License> cache;
  return models_->ReassessLicenseBatch(tx, license_id, after, limit,
                                       [&](Transaction& t, v1::Model& model) { return Recompute(t, cache, model); });
}

}  // namespace modelreg

#include "server/service/history_service.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/errors.h"
#include "server/common/limits.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"
#include "server/domain/validation.h"
#include "server/service/resource_state.h"

namespace modelreg {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

// OK when `name` names a resource of a kind that has history: a model, license, token, organization, deployment or
// policy. INVALID_ARGUMENT (INVALID_NAME) naming `field` otherwise.
absl::Status CheckResourceName(const std::string& name, const std::string& field) {
  absl::Status status;
  if (absl::StartsWith(name, "publishers/")) {
    status = ParseModelName(name, field).status();
  } else if (absl::StartsWith(name, "licenses/")) {
    status = ParseLicenseName(name, field).status();
  } else if (absl::StartsWith(name, "tokens/")) {
    status =
        IsTokenName(name) ? absl::OkStatus() : absl::InvalidArgumentError(absl::StrCat(field, ": invalid token name"));
  } else if (absl::StartsWith(name, "organizations/")) {
    // organizations/{org}, or a child: organizations/{org}/{deployments|policies}/{id}.
    const std::vector<std::string> parts = absl::StrSplit(name, '/');
    status = parts.size() == 4 ? ParseOrganizationChildName(name, parts[2], field).status()
                               : ParseOrganizationName(name, /*allow_wildcard=*/false, field).status();
  } else {
    status = absl::InvalidArgumentError(
        absl::StrCat(field, ": `", name.substr(0, 80),
                     "` is not a resource name; expected a model, license, token, organization, deployment or "
                     "policy name"));
  }
  return WithReason(status, "INVALID_NAME");
}

// Tokens' history is the admins'; every other resource's history is readable by whoever may read the resource (the
// adapter checked that).
absl::Status AuthorizeHistory(const Principal& actor, const std::string& name) {
  if (!absl::StartsWith(name, "tokens/")) return absl::OkStatus();
  return Authorize(actor, Action::kAdmin, name);
}

absl::Status NoHistory(const std::string& name) {
  return absl::NotFoundError(absl::StrCat("`", name, "` has no history"));
}

}  // namespace

absl::StatusOr<v1::ListRevisionsResponse> HistoryService::ListRevisions(const v1::ListRevisionsRequest& request,
                                                                        const Principal& actor) {
  MODELREG_RETURN_IF_ERROR(CheckResourceName(request.name(), "name"));
  MODELREG_RETURN_IF_ERROR(AuthorizeHistory(actor, request.name()));
  if (request.page_size() < 0) return InvalidFieldError("page_size", "must not be negative");
  const int limit = request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  int64_t after = 0;
  if (!request.page_token().empty() &&
      (!absl::SimpleAtoi(request.page_token(), &after) || after < 1 || absl::StrCat(after) != request.page_token())) {
    return InvalidFieldError("page_token", "not a page token of this method; expected the previous next_page_token");
  }
  // One more than the page, to know whether another follows.
  MODELREG_ASSIGN_OR_RETURN(std::vector<v1::Revision> revisions,
                            history_->ListRevisions(request.name(), after, limit + 1));
  if (revisions.empty() && after == 0) return NoHistory(request.name());
  // A page ends at `limit` revisions, or earlier, with a next_page_token, before its records would pass the response
  // byte budget (server/common/limits.h); it always holds at least one.
  v1::ListRevisionsResponse response;
  int64_t bytes = 0;
  for (v1::Revision& revision : revisions) {
    const int64_t size = static_cast<int64_t>(revision.ByteSizeLong()) + kResponseBytesPerRecord;
    if (response.revisions_size() == limit ||
        (response.revisions_size() > 0 && bytes + size > ResponseRecordBudget())) {
      response.set_next_page_token(absl::StrCat(response.revisions(response.revisions_size() - 1).sequence()));
      break;
    }
    bytes += size;
    *response.add_revisions() = std::move(revision);
  }
  return response;
}

absl::StatusOr<v1::Revision> HistoryService::GetRevision(const v1::GetRevisionRequest& request,
                                                         const Principal& actor) {
  MODELREG_RETURN_IF_ERROR(CheckResourceName(request.name(), "name"));
  MODELREG_RETURN_IF_ERROR(AuthorizeHistory(actor, request.name()));
  if (request.sequence() <= 0) return InvalidFieldError("sequence", "must be positive: a revision's `sequence`");
  MODELREG_ASSIGN_OR_RETURN(std::optional<v1::Revision> revision,
                            history_->GetRevision(request.name(), request.sequence()));
  if (!revision.has_value()) {
    return absl::NotFoundError(absl::StrCat("`", request.name(), "` has no revision ", request.sequence()));
  }
  return *std::move(revision);
}

absl::StatusOr<v1::Revision> HistoryService::Purge(const v1::PurgeRequest& request, const Principal& actor) {
  MODELREG_RETURN_IF_ERROR(CheckResourceName(request.name(), "name"));
  if (absl::StartsWith(request.name(), "tokens/")) {
    return InvalidFieldError("name", "a token cannot be purged: tokens are revoked, never soft-deleted");
  }
  return calls_->Run<v1::Revision>(actor, request, [&] {
    return history_->Purge(request.name(), [&](const std::string& etag, const google::protobuf::Timestamp& deleted) {
      MODELREG_RETURN_IF_ERROR(CheckEtag(request.etag(), etag, request.name()));
      return CheckDeleted(deleted, request.name());
    });
  });
}

absl::StatusOr<v1::Revision> HistoryService::RevisionAt(const std::string& name,
                                                        const google::protobuf::Timestamp& read_time) {
  MODELREG_RETURN_IF_ERROR(CheckReadTime(read_time));
  MODELREG_RETURN_IF_ERROR(CheckReadTimeRetained(read_time, absl::Now(), retention_));
  MODELREG_ASSIGN_OR_RETURN(std::optional<v1::Revision> revision, history_->RevisionAt(name, read_time));
  // A purge clears the records of every revision before it: the resource cannot be read as of any time before.
  if (!revision.has_value() || revision->record_case() == v1::Revision::RECORD_NOT_SET) {
    return absl::NotFoundError(
        absl::StrCat("`", name, "` did not exist at ", google::protobuf::util::TimeUtil::ToString(read_time)));
  }
  return *std::move(revision);
}

absl::StatusOr<v1::Model> HistoryService::ModelAt(const std::string& name,
                                                  const google::protobuf::Timestamp& read_time) {
  MODELREG_RETURN_IF_ERROR(WithReason(ParseModelName(name, "name").status(), "INVALID_NAME"));
  MODELREG_ASSIGN_OR_RETURN(v1::Revision revision, RevisionAt(name, read_time));
  return std::move(*revision.mutable_model());
}

absl::StatusOr<v1::License> HistoryService::LicenseAt(const std::string& name,
                                                      const google::protobuf::Timestamp& read_time) {
  MODELREG_RETURN_IF_ERROR(WithReason(ParseLicenseName(name, "name").status(), "INVALID_NAME"));
  MODELREG_ASSIGN_OR_RETURN(v1::Revision revision, RevisionAt(name, read_time));
  return std::move(*revision.mutable_license());
}

absl::StatusOr<v1::Deployment> HistoryService::DeploymentAt(const std::string& name,
                                                            const google::protobuf::Timestamp& read_time) {
  MODELREG_RETURN_IF_ERROR(
      WithReason(ParseOrganizationChildName(name, "deployments", "name").status(), "INVALID_NAME"));
  MODELREG_ASSIGN_OR_RETURN(v1::Revision revision, RevisionAt(name, read_time));
  return std::move(*revision.mutable_deployment());
}

}  // namespace modelreg

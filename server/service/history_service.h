// Domain logic of the History API and of reads as of a time (`read_time` on GetModel, GetLicense, GetDeployment):
// resource names checked, pages of revisions, the record of a resource as it stood at a time, purges. The history
// itself is written by the storage layer with every change (storage/resource_table.h). Transport-agnostic.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "modelreg/v1/history.pb.h"
#include "server/domain/auth/auth.h"
#include "server/service/idempotent_calls.h"
#include "server/storage/repositories.h"

namespace modelreg {

class HistoryService {
 public:
  // `retention` (modelregd --revision-retention; zero: unlimited) is how far back reads as of a time are answered.
  explicit HistoryService(HistoryRepository* history, IdempotentCalls* calls = &IdempotentCalls::Unrecorded(),
                          absl::Duration retention = absl::ZeroDuration())
      : history_(history), calls_(calls), retention_(retention) {}

  // INVALID_ARGUMENT (`name` not a resource name, `page_size`, `page_token`), PERMISSION_DENIED (a token's history
  // needs the admin role), NOT_FOUND (no history for `name`).
  absl::StatusOr<v1::ListRevisionsResponse> ListRevisions(const v1::ListRevisionsRequest& request,
                                                          const Principal& actor = Principal::System());
  // As ListRevisions; NOT_FOUND when `name` has no revision `sequence`.
  absl::StatusOr<v1::Revision> GetRevision(const v1::GetRevisionRequest& request,
                                           const Principal& actor = Principal::System());

  // Removes the soft-deleted resource `request.name` for good (HistoryRepository::Purge); returns the PURGE revision.
  // INVALID_ARGUMENT (`name` not a resource name, or a token's: tokens have no soft delete), NOT_FOUND, ABORTED
  // (STALE_ETAG), FAILED_PRECONDITION (NOT_DELETED; RESOURCE_IN_USE). Idempotent by `request_id`. The caller's admin
  // role on the resource is checked by the adapter's rule.
  absl::StatusOr<v1::Revision> Purge(const v1::PurgeRequest& request, const Principal& actor = Principal::System());

  // The resource `name` as it stood at `read_time`: the record of its last revision made at or before then (a
  // soft-deleted record carries its delete_time). NOT_FOUND when it did not exist then, or was purged since.
  // OUT_OF_RANGE (HISTORY_NOT_RETAINED) when `read_time` is older than the retention. INVALID_ARGUMENT naming
  // `field` for a name of another kind, `read_time` for an invalid time (a future one reads the current record).
  absl::StatusOr<v1::Model> ModelAt(const std::string& name, const google::protobuf::Timestamp& read_time);
  absl::StatusOr<v1::License> LicenseAt(const std::string& name, const google::protobuf::Timestamp& read_time);
  absl::StatusOr<v1::Deployment> DeploymentAt(const std::string& name, const google::protobuf::Timestamp& read_time);

 private:
  // The revision `name` had at `read_time`; NOT_FOUND when none (or a purge, or a record cleared by one).
  absl::StatusOr<v1::Revision> RevisionAt(const std::string& name, const google::protobuf::Timestamp& read_time);

  HistoryRepository* history_;
  IdempotentCalls* calls_;
  absl::Duration retention_;
};

}  // namespace modelreg

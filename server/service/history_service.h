// Domain logic of the History API and of reads as of a time (`read_time` on GetModel, GetLicense, GetDeployment):
// resource names checked, pages of revisions, the record of a resource as it stood at a time. The history itself is
// written by the storage layer with every change (storage/resource_table.h). Transport-agnostic.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"
#include "modelreg/v1/history.pb.h"
#include "server/domain/auth/auth.h"
#include "server/storage/repositories.h"

namespace modelreg {

class HistoryService {
 public:
  explicit HistoryService(HistoryRepository* history) : history_(history) {}

  // INVALID_ARGUMENT (`name` not a resource name, `page_size`, `page_token`), PERMISSION_DENIED (a token's history
  // needs the admin role), NOT_FOUND (no history for `name`).
  absl::StatusOr<v1::ListRevisionsResponse> ListRevisions(const v1::ListRevisionsRequest& request,
                                                          const Principal& actor = Principal::System());
  // As ListRevisions; NOT_FOUND when `name` has no revision `sequence`.
  absl::StatusOr<v1::Revision> GetRevision(const v1::GetRevisionRequest& request,
                                           const Principal& actor = Principal::System());

  // The resource `name` as it stood at `read_time`: the record of its last revision made at or before then (a
  // soft-deleted record carries its delete_time). NOT_FOUND when it did not exist then. INVALID_ARGUMENT naming
  // `field` for a name of another kind, `read_time` for an invalid time (a future one reads the current record).
  absl::StatusOr<v1::Model> ModelAt(const std::string& name, const google::protobuf::Timestamp& read_time);
  absl::StatusOr<v1::License> LicenseAt(const std::string& name, const google::protobuf::Timestamp& read_time);
  absl::StatusOr<v1::Deployment> DeploymentAt(const std::string& name, const google::protobuf::Timestamp& read_time);

 private:
  // The revision `name` had at `read_time`; NOT_FOUND when none (or a purge).
  absl::StatusOr<v1::Revision> RevisionAt(const std::string& name, const google::protobuf::Timestamp& read_time);

  HistoryRepository* history_;
};

}  // namespace modelreg

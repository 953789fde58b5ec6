// Rules shared by every resource's mutations: etag checks and soft-delete state transitions (AIP-154, AIP-164).
#pragma once

#include <set>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace modelreg {

// ABORTED (reason STALE_ETAG) when `requested` is set and differs from `stored`.
absl::Status CheckEtag(const std::string& requested, const std::string& stored, const std::string& name);

// NOT_FOUND (reason RESOURCE_DELETED) when the resource is soft-deleted (for updates and deletes of a deleted
// resource).
absl::Status CheckLive(const google::protobuf::Timestamp& delete_time, const std::string& name);

// FAILED_PRECONDITION (reason NOT_DELETED, PreconditionFailure RESOURCE_STATE on the resource) when the resource is
// not soft-deleted (for undelete).
absl::Status CheckDeleted(const google::protobuf::Timestamp& delete_time, const std::string& name);

// The fields a client never sets on a resource with only the standard output fields (organizations, deployments,
// policies): `name` (fixed at creation), create/update/delete time, etag, revision. For update masks.
const std::set<std::string>& StandardImmutableFields();

// Clears the standard output-only fields of `record` (create/update/delete time, etag, revision) where it has them.
void ClearStandardOutputFields(google::protobuf::Message& record);

// The current time as a Timestamp.
google::protobuf::Timestamp Now();

}  // namespace modelreg

#include "server/service/resource_state.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/errors.h"

namespace modelreg {

absl::Status CheckEtag(const std::string& requested, const std::string& stored, const std::string& name) {
  if (!requested.empty() && requested != stored) {
    return ErrorWithReason(absl::StatusCode::kAborted, "STALE_ETAG",
                           absl::StrCat("etag: `", requested.substr(0, 80), "` is stale; ", name,
                                        " has changed (current etag `", stored, "`): read it again and retry"),
                           {{"resource", name}, {"current_etag", stored}});
  }
  return absl::OkStatus();
}

absl::Status CheckLive(const google::protobuf::Timestamp& delete_time, const std::string& name) {
  if (delete_time.seconds() != 0 || delete_time.nanos() != 0) {
    return ErrorWithReason(absl::StatusCode::kNotFound, "RESOURCE_DELETED",
                           absl::StrCat(name, " is deleted; undelete it first"), {{"resource", name}});
  }
  return absl::OkStatus();
}

absl::Status CheckDeleted(const google::protobuf::Timestamp& delete_time, const std::string& name) {
  if (delete_time.seconds() == 0 && delete_time.nanos() == 0) {
    return PreconditionError("NOT_DELETED", "RESOURCE_STATE", name, absl::StrCat(name, " is not deleted"));
  }
  return absl::OkStatus();
}

const std::set<std::string>& StandardImmutableFields() {
  static const auto* fields =
      new std::set<std::string>{"name", "create_time", "update_time", "delete_time", "etag", "revision"};
  return *fields;
}

void ClearStandardOutputFields(google::protobuf::Message& record) {
  const google::protobuf::Descriptor* descriptor = record.GetDescriptor();
  for (const char* name : {"create_time", "update_time", "delete_time", "etag", "revision"}) {
    if (const auto* field = descriptor->FindFieldByName(name); field != nullptr) {
      record.GetReflection()->ClearField(&record, field);
    }
  }
}

// absl::Now, not TimeUtil::GetCurrentTime, which has whole seconds only here: a `read_time` checked against it must
// not be refused as in the future for lacking the fraction of the current second.
google::protobuf::Timestamp Now() {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
}

}  // namespace modelreg

#include "server/domain/field_mask.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/field_mask_util.h"
#include "server/common/errors.h"

namespace modelreg {

namespace pb = ::google::protobuf;

absl::Status ApplyFieldMask(const pb::FieldMask& mask, const pb::Message& from, const std::set<std::string>& immutable,
                            pb::Message* to) {
  if (mask.paths_size() == 0) {
    return InvalidFieldError("update_mask", "must name the fields to update (or `*` for all)", "UPDATE_MASK_REQUIRED");
  }
  const pb::Descriptor* descriptor = from.GetDescriptor();
  pb::FieldMask effective;
  for (const std::string& path : mask.paths()) {
    if (path == "*") {
      for (int i = 0; i < descriptor->field_count(); ++i) {
        if (immutable.count(descriptor->field(i)->name()) == 0) effective.add_paths(descriptor->field(i)->name());
      }
      continue;
    }
    const std::string top = std::string(*absl::StrSplit(path, '.').begin());
    if (immutable.count(top) > 0) {
      return InvalidFieldError("update_mask", absl::StrCat("`", path, "` cannot be updated"), "IMMUTABLE_FIELD");
    }
    if (!pb::util::FieldMaskUtil::GetFieldDescriptors(descriptor, path, nullptr)) {
      return InvalidFieldError("update_mask",
                               absl::StrCat("`", path.substr(0, 200), "` is not a field of ", descriptor->name()),
                               "UNKNOWN_FIELD");
    }
    effective.add_paths(path);
  }
  pb::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  pb::util::FieldMaskUtil::MergeMessageTo(from, effective, options, to);
  return absl::OkStatus();
}

}  // namespace modelreg

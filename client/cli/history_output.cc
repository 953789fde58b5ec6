#include "client/cli/history_output.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/cli/output.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace modelreg::cli {
namespace {

using google::protobuf::Message;

// Flattens a JSON value into path -> scalar text. Objects give `a.b`, arrays `a[0]`.
void Flatten(const YAML::Node& node, const std::string& path, std::map<std::string, std::string>& out) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>();
      Flatten(entry.second, path.empty() ? key : absl::StrCat(path, ".", key), out);
    }
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) Flatten(node[i], absl::StrCat(path, "[", i, "]"), out);
  } else if (node.IsScalar()) {
    out[path] = node.Scalar();
  }
}

std::map<std::string, std::string> Fields(const Message* record) {
  std::map<std::string, std::string> fields;
  if (record == nullptr) return fields;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*record, &json, options).ok()) return fields;
  try {
    Flatten(YAML::Load(json), "", fields);
  } catch (const YAML::Exception&) {
    fields.clear();
  }
  for (const char* noise : {"update_time", "etag", "revision"}) fields.erase(noise);
  return fields;
}

std::string ChangeLabel(v1::ChangeKind change) { return EnumLabel(v1::ChangeKind_Name(change), "CHANGE_KIND_"); }

std::string Shown(const std::string& value) { return value.empty() ? "(unset)" : value; }

}  // namespace

std::vector<FieldChange> DiffRecords(const Message* before, const Message* after) {
  const std::map<std::string, std::string> old_fields = Fields(before);
  const std::map<std::string, std::string> new_fields = Fields(after);
  std::set<std::string> paths;
  for (const auto& [path, value] : old_fields) paths.insert(path);
  for (const auto& [path, value] : new_fields) paths.insert(path);
  std::vector<FieldChange> changes;
  for (const std::string& path : paths) {
    const auto old_it = old_fields.find(path);
    const auto new_it = new_fields.find(path);
    const std::string old_value = old_it == old_fields.end() ? "" : old_it->second;
    const std::string new_value = new_it == new_fields.end() ? "" : new_it->second;
    if (old_it != old_fields.end() && new_it != new_fields.end() && old_value == new_value) continue;
    changes.push_back({path, old_value, new_value});
  }
  return changes;
}

const Message* RevisionRecord(const v1::Revision& revision) {
  const auto* oneof = v1::Revision::descriptor()->FindOneofByName("record");
  const auto* field = revision.GetReflection()->GetOneofFieldDescriptor(revision, oneof);
  if (field == nullptr) return nullptr;
  return &revision.GetReflection()->GetMessage(revision, field);
}

std::string HistoryDetail(const std::vector<v1::Revision>& revisions, const v1::Revision* previous) {
  std::string out;
  const Message* before = previous == nullptr ? nullptr : RevisionRecord(*previous);
  for (const v1::Revision& revision : revisions) {
    absl::StrAppend(&out, "#", revision.sequence(), "  ", ChangeLabel(revision.change()), "  revision ",
                    revision.resource_revision(), "  ", Timestamp(revision.commit_time()), "  by ",
                    revision.principal());
    if (!revision.request_id().empty()) absl::StrAppend(&out, "  request ", revision.request_id());
    absl::StrAppend(&out, "\n");
    const Message* after = RevisionRecord(revision);
    if (after == nullptr) {  // a purge, or a revision whose record a purge cleared
      absl::StrAppend(&out, "    (record purged)\n");
      before = nullptr;
      continue;
    }
    const std::vector<FieldChange> changes = DiffRecords(before, after);
    for (const FieldChange& c : changes) {
      absl::StrAppend(&out, "    ", c.path, ": ", Shown(c.before), " -> ", Shown(c.after), "\n");
    }
    if (changes.empty()) absl::StrAppend(&out, "    (no field changed)\n");
    before = after;
  }
  return out;
}

std::string ChangeLine(const v1::ChangeEvent& event) {
  const v1::Revision& r = event.revision();
  std::string line = absl::StrCat(r.sequence(), "  ", Timestamp(r.commit_time()), "  ",
                                  EnumLabel(v1::ChangeKind_Name(r.change()), "CHANGE_KIND_", "-"), "  ", r.resource(),
                                  "  ", r.principal());
  if (!r.request_id().empty()) absl::StrAppend(&line, "  ", r.request_id());
  return line + "\n";
}

std::string ChangeJsonLine(const v1::ChangeEvent& event) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  // Serializing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(event, &json, options);
  return json + "\n";
}

}  // namespace modelreg::cli

// Output formatting for `modelreg history` and `modelreg watch`: each revision with what changed since the one before
// it, as field paths with their old and new values. Pure functions of the messages; nothing here does I/O.
#pragma once

#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "modelreg/v1/history.pb.h"

namespace modelreg::cli {

// One field that differs between two records: its path (`weights.license`, `components[2].status`,
// `labels.team`) and its values as proto3 JSON text, "" when absent on that side.
struct FieldChange {
  std::string path;
  std::string before;
  std::string after;
};

// The fields that differ between `before` and `after` (records of one type), in path order. The bookkeeping fields
// every change moves (`update_time`, `etag`, `revision`) are left out. Either may be null (absent): every field of
// the other is then a change.
std::vector<FieldChange> DiffRecords(const google::protobuf::Message* before, const google::protobuf::Message* after);

// The record a revision carries (its `record` oneof), or null for a purge.
const google::protobuf::Message* RevisionRecord(const v1::Revision& revision);

// `history NAME`: per revision a header line (sequence, change, commit time, principal, request id), then one
// indented `path: old -> new` line per field changed since the previous revision of the list (for the first, since
// `previous`, which may be null: the whole record); `(record purged)` for a revision without a record.
std::string HistoryDetail(const std::vector<v1::Revision>& revisions, const v1::Revision* previous = nullptr);

// `watch`: one line per change, ending in a newline: sequence, commit time, change, resource, principal and request
// id (when set), separated by two spaces.
std::string ChangeLine(const v1::ChangeEvent& event);
// `watch -o json`: the change as one line of compact proto3 JSON (JSON Lines), ending in a newline.
std::string ChangeJsonLine(const v1::ChangeEvent& event);

}  // namespace modelreg::cli

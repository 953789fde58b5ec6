// The one description of a resource kind (models, licenses, ...): the columns derived from its record, each with the
// pure function that computes it, and the fields a List filters and sorts on, mapped onto those columns. Pure: no
// SQL here. The storage layer turns a ResourceKind into its SQL (insert, update and select lists, filter and sort
// expressions, keyset conditions); the query engine (domain/query/) checks filters and orderings against it.
//
// Adding a filterable field to a kind: a DerivedColumn (name, type, compute function), a FieldSpec naming it, a
// migration adding the column (and an index when sortable). Existing rows are backfilled at start-up because the
// kind's DerivedVersion() changes. See server/README.md, "Adding a field".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace modelreg {

// How a derived column is stored.
enum class ColumnType {
  kText,           // text
  kDate,           // date (YYYY-MM-DD)
  kBigint,         // bigint
  kInteger,        // integer
  kSmallint,       // smallint (enum numbers, small counts)
  kBoolean,        // boolean
  kSmallintArray,  // smallint[] (repeated enum)
  kTextArray,      // text[]
  kJsonbMap,       // jsonb object of string values (labels)
};

// A computed column value. std::monostate is SQL NULL (an unknown value).
using ColumnValue = std::variant<std::monostate, std::string, int64_t, bool, std::vector<int>, std::vector<std::string>,
                                 std::map<std::string, std::string>>;

struct DerivedColumn {
  std::string name;  // column name in the kind's table
  ColumnType type = ColumnType::kText;
  // Text compares in byte order: expressions over this column add COLLATE "C" (columns declared COLLATE "C" in the
  // schema do not need it).
  bool byte_order = false;
  // Computes the value from the record (the kind's message type). Pure and deterministic.
  std::function<ColumnValue(const google::protobuf::Message&)> compute;
  // Bump when `compute` changes meaning: rows are then recomputed (see ResourceKind::DerivedVersion).
  int rule_version = 1;
};

// How a filter field behaves (which comparisons and values it takes).
enum class FieldType {
  kText,       // text column; `strip_prefix` removed from values (`publishers/`, `licenses/`)
  kDate,       // date column; values YYYY-MM-DD
  kTimestamp,  // timestamptz output column (create_time, ...); values RFC 3339 or YYYY-MM-DD (midnight UTC)
  kInt,        // bigint / smallint column
  kBool,       // boolean column
  kEnum,       // smallint column holding the proto enum number
  kEnumSet,    // smallint[] column (repeated enum); `:` only
  kTextSet,    // text[] column; `:` only (`territorial_restrictions:EU`, `territorial_restrictions:*`)
  kLabels,     // jsonb map: `labels:KEY`, `labels.KEY op value`
  kPresence,   // `field:*` only; true when the boolean `column` is true (e.g. `usage_thresholds:*`)
  kLineage,    // base_model_chain: `column` holds the parent's name; matches every descendant
};

// How an ordering key is encoded in a page token.
enum class KeyType {
  kText,       // text
  kInt,        // integer text
  kDate,       // date text (ISO, or -infinity for an unknown date)
  kTimestamp,  // microseconds since the Unix epoch
};

struct ResourceKind;

struct FieldSpec {
  std::string name;  // as written in filters and order_by
  FieldType type = FieldType::kText;
  // The column the field reads: a DerivedColumn's name, an output column (`create_time`, `update_time`,
  // `delete_time`) or the kind's key column. For `via` fields, a column of the referenced kind.
  std::string column;
  bool nullable = false;
  // kInt on a smallint column: values outside -32768..32767 are rejected.
  bool smallint = false;
  const google::protobuf::EnumDescriptor* enum_type = nullptr;
  std::string strip_prefix;
  // The field belongs to another resource referenced by `via_column` (e.g. a model's `license.category` is the
  // category of the license named by its `weights_license` column). A NULL reference matches no comparison.
  const ResourceKind* via = nullptr;
  std::string via_column;
  // For a `via` field copied from the referenced kind's own fields (a deployment's `model.*` are the model kind's
  // fields): that field. Its predicate is then built by the referenced kind's rules, so a field that is itself `via`
  // a third kind (`model.license.category`) follows both references, and lineage works as on the referenced kind.
  const FieldSpec* via_field = nullptr;
  // Sortable fields can appear in order_by; a nullable one sorts unknown values first ascending.
  bool sortable = false;
  KeyType key_type = KeyType::kText;
};

struct ResourceKind {
  std::string table;       // "models"
  std::string alias;       // "m": the table alias in every query over the kind
  std::string key_column;  // "name", or "id" for licenses
  // Prefix of resource names stripped to get the key (`licenses/`); empty when the key is the full name.
  std::string key_prefix;
  // The record's message type (`&v1::Model::default_instance()`).
  const google::protobuf::Message* prototype = nullptr;
  std::vector<DerivedColumn> columns;
  std::vector<FieldSpec> fields;
  // The field of the primary key, always the last ordering key.
  const FieldSpec* primary_key = nullptr;

  // Exact lookup; `labels.KEY` resolves to the labels field (kLabels).
  const FieldSpec* Find(absl::string_view name) const;
  // The closest field name by edit distance (also against the dot-separated parts), or "" if none is close.
  std::string Suggest(absl::string_view name, bool sortable_only) const;
  // Comma-separated names, for error messages.
  std::string Names(bool sortable_only) const;
  const DerivedColumn* Column(absl::string_view name) const;
  // A number that changes whenever a column is added, removed, retyped or its rule_version bumped. Stored on each
  // row; rows with another value are recomputed from their record (backfill).
  int32_t DerivedVersion() const;
  // The key of the resource named `name` (the name without key_prefix).
  std::string KeyOf(const std::string& name) const;
};

// Helpers for building kinds: `Column<v1::Model>("family", ColumnType::kText, [](const v1::Model& m) {...})`.
template <typename Message, typename Fn>
DerivedColumn MakeColumn(std::string name, ColumnType type, Fn fn, bool byte_order = false) {
  DerivedColumn c;
  c.name = std::move(name);
  c.type = type;
  c.byte_order = byte_order;
  c.compute = [fn](const google::protobuf::Message& m) -> ColumnValue { return fn(static_cast<const Message&>(m)); };
  return c;
}

// Sets `primary_key` to the field named `name`. Call once the fields are final.
void FinishKind(ResourceKind& kind, absl::string_view primary_key_field);

}  // namespace modelreg

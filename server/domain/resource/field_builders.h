// Small builders that keep the field tables of model_kind.cc and license_kind.cc one line per field.
#pragma once

#include <string>
#include <utility>

#include "server/domain/resource/resource_kind.h"

namespace modelreg::resource_internal {

inline FieldSpec Field(std::string name, FieldType type, std::string column) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  f.column = std::move(column);
  return f;
}
inline FieldSpec Text(std::string name, std::string column, std::string strip_prefix = "") {
  FieldSpec f = Field(std::move(name), FieldType::kText, std::move(column));
  f.strip_prefix = std::move(strip_prefix);
  return f;
}
inline FieldSpec Enum(std::string name, std::string column, const google::protobuf::EnumDescriptor* type) {
  FieldSpec f = Field(std::move(name), FieldType::kEnum, std::move(column));
  f.enum_type = type;
  return f;
}
inline FieldSpec Sortable(FieldSpec f, KeyType key_type) {
  f.sortable = true;
  f.key_type = key_type;
  return f;
}
inline FieldSpec Nullable(FieldSpec f) {
  f.nullable = true;
  return f;
}
inline FieldSpec SmallInt(FieldSpec f) {
  f.smallint = true;
  return f;
}
// A field of the resource of kind `via` that the reference column `via_column` names.
inline FieldSpec Via(const ResourceKind& via, std::string via_column, FieldSpec f) {
  f.via = &via;
  f.via_column = std::move(via_column);
  return f;
}
// Every field of `via` (labels excepted) as `<prefix>.<field>`, read through the reference column `via_column`: a
// deployment's `model.openness.level`, `model.license.category`, `model.base_model_chain`. Not sortable.
inline void AddViaFields(ResourceKind& kind, const ResourceKind& via, const std::string& via_column,
                         const std::string& prefix) {
  for (const FieldSpec& field : via.fields) {
    if (field.type == FieldType::kLabels) continue;
    FieldSpec f = field;
    f.name = prefix + "." + field.name;
    f.sortable = false;
    f.via = &via;
    f.via_column = via_column;
    f.via_field = &field;
    kind.fields.push_back(std::move(f));
  }
}
// create_time and update_time (sortable), delete_time (nullable): the output columns every kind has.
inline void AddTimeFields(ResourceKind& kind) {
  kind.fields.push_back(Sortable(Field("create_time", FieldType::kTimestamp, "create_time"), KeyType::kTimestamp));
  kind.fields.push_back(Sortable(Field("update_time", FieldType::kTimestamp, "update_time"), KeyType::kTimestamp));
  kind.fields.push_back(Nullable(Field("delete_time", FieldType::kTimestamp, "delete_time")));
}

}  // namespace modelreg::resource_internal

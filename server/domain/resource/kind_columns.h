// Column values shared by the kinds' descriptions: unknown (unset) values as SQL NULL, the organization id of a
// child's name.
#pragma once

#include <string>

#include "server/domain/names.h"
#include "server/domain/resource/resource_kind.h"

namespace modelreg::resource_internal {

// NULL for an unset optional field (unknown), else its value.
template <typename T>
ColumnValue Optional(bool has, T value) {
  if (!has) return std::monostate();
  return value;
}

// The organization id of `organizations/{organization}/{collection}/{id}`; "" when the name is not one.
inline std::string OrganizationOf(const std::string& name, absl::string_view collection) {
  absl::StatusOr<OrganizationChild> parsed = ParseOrganizationChildName(name, collection);
  return parsed.ok() ? parsed->organization : std::string();
}

}  // namespace modelreg::resource_internal

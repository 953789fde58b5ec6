// Helpers shared by the files implementing GovernanceService (organization_methods.cc, policy_methods.cc,
// deployment_methods.cc, compliance_methods.cc). Internal to the service layer.
#pragma once

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/field_mask.pb.h"
#include "server/common/errors.h"
#include "server/domain/names.h"

namespace modelreg::governance_internal {

// INVALID_ARGUMENT (INVALID_ID) naming `field` unless `id` is a valid resource id.
inline absl::Status CheckId(const std::string& field, const std::string& id) {
  if (IsValidResourceId(id)) return absl::OkStatus();
  return InvalidFieldError(
      field, absl::StrCat("`", id.substr(0, 80), "` must be 1-63 lowercase letters, digits, '-', '.', '_'"),
      "INVALID_ID");
}

// Whether `mask` names `field` or a path inside it (or `*`).
inline bool MaskCovers(const google::protobuf::FieldMask& mask, const std::string& field) {
  for (const std::string& path : mask.paths()) {
    if (path == "*" || path == field || path.rfind(field + ".", 0) == 0) return true;
  }
  return false;
}

// The name of a child of an organization, checked: INVALID_ARGUMENT (INVALID_NAME) naming `field`.
inline absl::StatusOr<OrganizationChild> ParseChild(const std::string& name, const char* collection,
                                                    const std::string& field) {
  return WithReason(ParseOrganizationChildName(name, collection, field), "INVALID_NAME");
}

}  // namespace modelreg::governance_internal

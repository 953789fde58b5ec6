// Domain logic of the UsageChecker API: settles the usage profile (given explicitly, or built from an organization
// and a planned use or a recorded deployment), loads the model, walks its base_model chain (bounded, cycles
// stopped), reads every license named on the chain in one batch, and applies the usage rules
// (server/domain/usage/RULES.md). Transport-agnostic: absl::Status in and out.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "modelreg/v1/usage_checker.pb.h"
#include "server/domain/auth/auth.h"
#include "server/storage/repositories.h"

namespace modelreg {

class UsageService {
 public:
  UsageService(ModelRepository* models, LicenseRepository* licenses, GovernanceRepository* governance)
      : models_(models), licenses_(licenses), governance_(governance) {}

  // INVALID_ARGUMENT (`model`, a `profile` field, not exactly one of `profile`, `organization` and `deployment`,
  // `planned_use` without `organization`), NOT_FOUND (the model, organization or deployment), PERMISSION_DENIED
  // (the model a deployment names is not readable by `actor`). A soft-deleted model, ancestor, organization or
  // deployment is checked like a live one: its terms and figures still stand.
  absl::StatusOr<v1::CheckUsageResponse> CheckUsage(const v1::CheckUsageRequest& request,
                                                    const Principal& actor = Principal::System());

  // Checks `profile` (validated) against the terms of `model` and of its base_model chain. With a non-null `tx`,
  // reads inside it (checks made by a governance write). NOT_FOUND when the model does not exist.
  absl::StatusOr<v1::CheckUsageResponse> Check(const std::string& model, v1::UsageProfile profile, Transaction* tx);

 private:
  // The model named `name`, or nullopt when there is none: from the model store (its cache), or inside `tx`.
  absl::StatusOr<std::optional<v1::Model>> FindModel(const std::string& name, Transaction* tx);

  ModelRepository* models_;
  LicenseRepository* licenses_;
  GovernanceRepository* governance_;
};

}  // namespace modelreg

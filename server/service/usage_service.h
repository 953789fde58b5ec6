// Domain logic of the UsageChecker API: loads the model, walks its base_model chain (bounded, cycles stopped), reads
// every license named on the chain in one batch, and applies the usage rules (server/domain/usage/RULES.md).
// Transport-agnostic: absl::Status in and out.
#pragma once

#include "absl/status/statusor.h"
#include "modelreg/v1/usage_checker.pb.h"
#include "server/domain/auth/auth.h"
#include "server/storage/repositories.h"

namespace modelreg {

class UsageService {
 public:
  UsageService(ModelRepository* models, LicenseRepository* licenses) : models_(models), licenses_(licenses) {}

  // INVALID_ARGUMENT (`model`, a `profile` field, neither or both of `profile` and an organization or deployment),
  // NOT_FOUND (the model), UNIMPLEMENTED (`organization`, `deployment`, `planned_use`: organizations are not served
  // yet). A soft-deleted model or ancestor is checked like a live one: its terms still bind.
  absl::StatusOr<v1::CheckUsageResponse> CheckUsage(const v1::CheckUsageRequest& request,
                                                    const Principal& actor = Principal::System());

 private:
  ModelRepository* models_;
  LicenseRepository* licenses_;
};

}  // namespace modelreg

#include "client/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace modelreg {

bool IsRetryableMutationError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable || status.code() == absl::StatusCode::kDeadlineExceeded;
}

absl::Duration RetryBackoff(const RetryPolicy& policy, int retry, double unit) {
  const double factor = std::pow(std::max(1.0, policy.multiplier), std::max(0, retry - 1));
  const absl::Duration step = std::min(policy.max_backoff, policy.initial_backoff * factor);
  return step * (0.5 + 0.5 * std::clamp(unit, 0.0, 1.0));
}

}  // namespace modelreg

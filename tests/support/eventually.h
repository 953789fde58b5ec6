// Waiting in tests for what happens asynchronously (a notification arriving, a standby catching up).
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace modelreg::testing {

// Polls `condition` every 10 ms until it holds or `patience` passes; returns its last answer.
template <typename Condition>
bool Eventually(Condition condition, absl::Duration patience = absl::Seconds(20)) {
  const absl::Time deadline = absl::Now() + patience;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return condition();
}

}  // namespace modelreg::testing

// How the client library retries a mutation whose outcome it could not learn (UNAVAILABLE: the server was
// unreachable or the connection broke; DEADLINE_EXCEEDED: no answer in time). Every attempt carries the same
// request_id (AIP-155), so the server applies the mutation at most once and a retry of one that did happen returns
// its first result.
#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace modelreg {

struct RetryPolicy {
  // Attempts in all, the first included; 1 = never retry. Each attempt has the client's full per-call deadline.
  int max_attempts = 4;
  // The wait before the first retry; each further retry waits `multiplier` times longer, up to max_backoff.
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  double multiplier = 2.0;
};

// Whether a mutation that failed with `status` is retried: UNAVAILABLE and DEADLINE_EXCEEDED.
bool IsRetryableMutationError(const absl::Status& status);

// The wait before retry number `retry` (1 = the first retry) with jitter: the step's backoff b =
// min(max_backoff, initial_backoff * multiplier^(retry-1)), scaled to b * (0.5 + 0.5 * unit) for `unit` in [0, 1),
// so that clients that failed together do not retry in lockstep.
absl::Duration RetryBackoff(const RetryPolicy& policy, int retry, double unit);

}  // namespace modelreg

// The deadline of the RPC the current thread is serving, so that the storage layer can bound its database work by
// it without every service and store method taking a deadline parameter.
//
// Set by the gRPC adapter wrapper (server/api/unary_call.h, RunUnary) from ServerContext::deadline() for the whole
// synchronous handler, and read by RunTransaction / RunSingleStatement (server/storage/transaction.h), which derive
// each transaction's `statement_timeout` from it and roll back a write whose deadline passed before COMMIT.
// Threads serving no call (start-up, backfill, reassessment, the model cache's warm-up, GetModel's batched reader
// threads, which answer many calls at once) see absl::InfiniteFuture(): the server's maximum statement timeout only.
//
// Thread-local by design: a handler runs on one thread from start to end. Work handed to another thread does not
// carry the deadline unless that thread sets its own ScopedCallDeadline.
#pragma once

#include "absl/time/time.h"

namespace modelreg {

// The current thread's call deadline; absl::InfiniteFuture() when none is set.
absl::Time CallDeadline();

// The deadline given to a call whose client set none (`--default-deadline`, default 60 s), so that no call's work
// is unbounded; process-wide, set at start-up. Zero or less: such calls keep no deadline.
inline constexpr absl::Duration kDefaultCallTimeout = absl::Seconds(60);
void SetDefaultCallTimeout(absl::Duration timeout);
absl::Duration DefaultCallTimeout();

// Sets the current thread's call deadline for its lifetime, restoring the previous one when destroyed.
class ScopedCallDeadline {
 public:
  explicit ScopedCallDeadline(absl::Time deadline);
  ScopedCallDeadline(const ScopedCallDeadline&) = delete;
  ScopedCallDeadline& operator=(const ScopedCallDeadline&) = delete;
  ~ScopedCallDeadline();

 private:
  absl::Time previous_;
};

}  // namespace modelreg

#include "server/common/call_deadline.h"

#include <atomic>
#include <cstdint>

namespace modelreg {
namespace {

absl::Time& Slot() {
  thread_local absl::Time deadline = absl::InfiniteFuture();
  return deadline;
}

std::atomic<int64_t> g_default_timeout_ns{absl::ToInt64Nanoseconds(kDefaultCallTimeout)};

}  // namespace

void SetDefaultCallTimeout(absl::Duration timeout) { g_default_timeout_ns.store(absl::ToInt64Nanoseconds(timeout)); }

absl::Duration DefaultCallTimeout() { return absl::Nanoseconds(g_default_timeout_ns.load()); }

absl::Time CallDeadline() { return Slot(); }

ScopedCallDeadline::ScopedCallDeadline(absl::Time deadline) : previous_(Slot()) { Slot() = deadline; }

ScopedCallDeadline::~ScopedCallDeadline() { Slot() = previous_; }

}  // namespace modelreg

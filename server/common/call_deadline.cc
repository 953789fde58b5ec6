#include "server/common/call_deadline.h"

namespace modelreg {
namespace {

absl::Time& Slot() {
  thread_local absl::Time deadline = absl::InfiniteFuture();
  return deadline;
}

}  // namespace

absl::Time CallDeadline() { return Slot(); }

ScopedCallDeadline::ScopedCallDeadline(absl::Time deadline) : previous_(Slot()) { Slot() = deadline; }

ScopedCallDeadline::~ScopedCallDeadline() { Slot() = previous_; }

}  // namespace modelreg

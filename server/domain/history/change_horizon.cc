#include "server/domain/history/change_horizon.h"

namespace modelreg {

void ChangeHorizon::Observe(int64_t allocated, int64_t fence) {
  const int64_t latest = pending_.empty() ? horizon_ : pending_.back().allocated;
  if (allocated <= latest) return;
  pending_.push_back({allocated, fence});
}

int64_t ChangeHorizon::Release(int64_t oldest_running) {
  while (!pending_.empty() && pending_.front().fence < oldest_running) {
    horizon_ = pending_.front().allocated;
    pending_.pop_front();
  }
  return horizon_;
}

}  // namespace modelreg

#include "server/common/memory_trim.h"

#include <malloc.h>

#include <chrono>

#include "server/common/logging.h"

namespace modelreg {

bool LimitMallocArenas(int arenas) { return mallopt(M_ARENA_MAX, arenas) == 1; }

MemoryTrimmer::MemoryTrimmer(size_t free_threshold, absl::Duration interval)
    : free_threshold_(free_threshold), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

MemoryTrimmer::~MemoryTrimmer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool MemoryTrimmer::TrimIfAbove(size_t free_threshold) {
  const struct mallinfo2 before = mallinfo2();
  if (before.fordblks <= free_threshold) return false;
  malloc_trim(0);
  const struct mallinfo2 after = mallinfo2();
  MODELREG_LOG(DEBUG) << "malloc_trim: " << (before.fordblks >> 20) << " MiB freed in malloc's arenas; "
                      << (after.arena >> 20) << " MiB of heap in use by them";
  return true;
}

void MemoryTrimmer::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, absl::ToChronoMilliseconds(interval_));
    if (stopping_) break;
    lock.unlock();
    TrimIfAbove(free_threshold_);
    lock.lock();
  }
}

}  // namespace modelreg

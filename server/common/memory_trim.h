// Gives memory back to the system after bursts of load.
//
// glibc's malloc keeps what a burst freed (e.g. 500 connections listing pages of 1,000 models: every handler thread
// held a page) in its arenas: the process stays at its peak size although nothing uses that memory. MemoryTrimmer
// checks once a second how much freed memory malloc holds (mallinfo2) and, past a threshold, calls malloc_trim(0),
// which returns every free page of every arena to the system (madvise). LimitMallocArenas caps the number of arenas
// (glibc makes up to 8 per core, each growing on its own), which lowers the peak. Measured with modelreg_bench
// --rss-load (README.md, Performance).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include "absl/time/time.h"

namespace modelreg {

// mallopt(M_ARENA_MAX, arenas); false when malloc refused it.
bool LimitMallocArenas(int arenas);

class MemoryTrimmer {
 public:
  // Trims when malloc holds more than `free_threshold` bytes freed, checking every `interval`.
  MemoryTrimmer(size_t free_threshold, absl::Duration interval);
  MemoryTrimmer(const MemoryTrimmer&) = delete;
  MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;
  ~MemoryTrimmer();

  // Trims now when malloc holds more than `free_threshold` freed bytes; returns whether it did.
  static bool TrimIfAbove(size_t free_threshold);

 private:
  void Run();

  const size_t free_threshold_;
  const absl::Duration interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace modelreg

// A process-wide count of the writes that appended history, bumped by every recorded write (storage/
// resource_table.cc; one atomic add, no allocation): the change feed reads it to learn, without waiting for a database
// notification, that this process is writing (service/change_feed.h). It may look before the write commits: the feed
// then waits for the transaction to end like any other, and keeps looking while it waits.
#pragma once

#include <atomic>
#include <cstdint>

namespace modelreg {

inline std::atomic<uint64_t>& LocalChangeCounter() {
  static std::atomic<uint64_t> counter{0};
  return counter;
}
inline void NoteLocalChange() { LocalChangeCounter().fetch_add(1, std::memory_order_relaxed); }
inline uint64_t LocalChangeCount() { return LocalChangeCounter().load(std::memory_order_relaxed); }

}  // namespace modelreg

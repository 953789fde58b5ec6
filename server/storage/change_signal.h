// A process-wide count of the transactions that wrote history, bumped when each has ended (storage/resource_table.cc
// attaches it to every recorded write): the change feed reads it to learn, without waiting for a database
// notification, that this process committed changes (service/change_feed.h).
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

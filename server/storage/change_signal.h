// A process-wide count of the writes that appended history, bumped by every recorded write (storage/
// resource_table.cc; one atomic add, no allocation): the change feed reads it to learn, without waiting for a database
// notification, that this process is writing (service/change_feed.h). It may look before the write commits: the feed
// then waits for the transaction to end like any other, and keeps looking while it waits.
#pragma once

#include <atomic>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace modelreg {

inline std::atomic<uint64_t>& LocalChangeCounter() {
  static std::atomic<uint64_t> counter{0};
  return counter;
}
inline void NoteLocalChange() { LocalChangeCounter().fetch_add(1, std::memory_order_relaxed); }
inline uint64_t LocalChangeCount() { return LocalChangeCounter().load(std::memory_order_relaxed); }

// When (absl::Now(), in Unix nanoseconds) the last database run of this process during which the count above moved
// ended: every write this process acknowledged had committed by then. Read replicas (read_replica.h) serve this
// process's reads only from a standby that has replayed the primary's WAL as of a later time (read-your-writes).
inline std::atomic<int64_t>& LastLocalWriteEndNanos() {
  static std::atomic<int64_t> nanos{0};
  return nanos;
}

// Declared in each RunTransaction attempt before its transaction: when destroyed (the transaction has ended), sets
// LastLocalWriteEndNanos to now if any recorded write happened meanwhile (here or, conservatively, on another thread).
class LocalWriteEndMark {
 public:
  LocalWriteEndMark() : changes_(LocalChangeCount()) {}
  LocalWriteEndMark(const LocalWriteEndMark&) = delete;
  LocalWriteEndMark& operator=(const LocalWriteEndMark&) = delete;
  ~LocalWriteEndMark() {
    if (LocalChangeCount() != changes_) {
      LastLocalWriteEndNanos().store(absl::ToUnixNanos(absl::Now()), std::memory_order_release);
    }
  }

 private:
  uint64_t changes_;
};

}  // namespace modelreg

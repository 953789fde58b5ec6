// Which committed changes the change stream may deliver, when sequence numbers are allocated before commit.
//
// Transactions take their sequence numbers before they commit, and commit in any order: a reader that delivered
// sequence 105 as soon as it was visible could later see 103 commit, and a consumer resuming "after 105" would never
// get it. So the stream delivers a sequence only below the horizon: the highest sequence that no running transaction
// can still commit. The change feed learns it from the database in rounds (schema/0012_change_stream.sql):
//   1. reads the last allocated sequence L (handed out to committed, aborted or running transactions alike),
//   2. then takes a fresh transaction id W, above the id of every transaction that had allocated up to L (each has
//      its id before it allocates: see the migration),
//   3. and in any later round reads the oldest running transaction id X: once X > W, every transaction that could
//      commit a sequence up to L has ended, and L is the horizon.
// This class keeps the pending (L, W) observations and releases them. Pure logic: no database.
#pragma once

#include <cstdint>
#include <deque>

namespace modelreg {

class ChangeHorizon {
 public:
  // Starts with every sequence up to `initial` final (e.g. 0 on a fresh start, before any observation).
  explicit ChangeHorizon(int64_t initial = 0) : horizon_(initial) {}

  // Records that sequences up to `allocated` were handed out before transaction id `fence` was assigned. Ignored
  // when it adds nothing (allocated not above the last observation or the horizon).
  void Observe(int64_t allocated, int64_t fence);
  // The oldest running transaction id is now `oldest_running`: releases every observation whose fence is below it.
  // Returns the horizon.
  int64_t Release(int64_t oldest_running);

  int64_t horizon() const { return horizon_; }
  // Whether an observation waits for running transactions to end.
  bool pending() const { return !pending_.empty(); }

 private:
  struct Observation {
    int64_t allocated;
    int64_t fence;
  };
  int64_t horizon_;
  std::deque<Observation> pending_;  // allocated and fence both increasing
};

}  // namespace modelreg

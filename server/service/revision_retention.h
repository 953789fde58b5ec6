// Revision retention (modelregd --revision-retention): the history older than the retention is deleted, except what a
// read as of a time within the retention still needs (each resource's last revision at or before the cutoff), by a
// background thread, hourly and once at start-up (HistoryRepository::DeleteRevisionsBefore, in bounded batches).
// Reads as of a time before the cutoff are refused by HistoryService (OUT_OF_RANGE). Unset (zero): unlimited.
#pragma once

#include <cstdint>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/storage/repositories.h"

namespace modelreg {

class RevisionRetention {
 public:
  struct Options {
    // How long revisions are kept; must be positive.
    absl::Duration retention = absl::Hours(24 * 365);
    // How often the background thread prunes.
    absl::Duration interval = absl::Hours(1);
    // Revisions examined per statement (each its own short transaction).
    int batch = 10000;
  };

  RevisionRetention(HistoryRepository* history, Options options) : history_(history), options_(options) {}
  RevisionRetention(const RevisionRetention&) = delete;
  RevisionRetention& operator=(const RevisionRetention&) = delete;
  // Stops the background thread (after the batch it is running).
  ~RevisionRetention();

  // Deletes the revisions no read as of now - retention or later needs; returns how many.
  absl::StatusOr<int64_t> Prune();
  // Prunes now, then every interval, on a background thread until this object is destroyed. Failures are logged and
  // retried at the next interval.
  void Start();

 private:
  void Loop();

  HistoryRepository* history_;
  Options options_;
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace modelreg

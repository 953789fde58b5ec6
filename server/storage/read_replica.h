// Read replicas (`--read-database-url`): a second connection pool on a streaming standby, which serves the reads that
// may lag a little (List calls, GetModel cache misses) while its replay lag, checked every `check_interval`, is under
// `max_lag`; otherwise, or when the standby does not answer, those reads go to the primary.
//
// How the lag is measured: each check reads the primary's `pg_current_wal_lsn()` and then the standby's
// `pg_last_wal_replay_lsn()`, and keeps the primary's samples the standby has not replayed yet (plus the newest one it
// has). Every write committed before that newest replayed sample was taken is on the standby, so a read routed at time
// t sees every write older than t - (its time): that age is what is compared with max_lag, at each read, so a read
// served by the standby never misses a write older than max_lag, even when the checks themselves stall. An idle
// primary (whose LSN does not move) shows no lag, unlike `now() - pg_last_xact_replay_timestamp()`; a stopped or
// paused replay shows a lag growing with the clock. A standby that is not in recovery (the read URL reached a primary)
// is not used.
//
// Read-your-writes within this process: a read goes to the standby only if that newest replayed sample was taken after
// the last transaction of this process that wrote had ended (change_signal.h), so a modelregd never answers from the
// standby without its own acknowledged writes. The price: while this process keeps writing, its reads stay on the
// primary until the standby has caught up past its latest write (one check interval at least).
//
// The fence: the newest replayed sample, with the cache's Epoch() read before the primary's LSN. A read on the standby
// first asks its own connection whether it has replayed the fence's LSN (a connection may have reached another
// standby than the check's, with several hosts in the URL); if not, the read goes to the primary. Then it reads (a new
// snapshot, holding all that was replayed before it).
//
// Cache fills: a model read on the standby may be older than a change whose invalidation the model cache has already
// seen, so the Epoch() the caller took before the query does not protect it. Every invalidation counted in the fence's
// epoch followed a commit at or before the fence's LSN, which the read contains; so its rows are cached under the
// fence's epoch, and ModelCache::Insert drops them if anything was invalidated since.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/storage/connection_pool.h"
#include "server/storage/model_cache.h"
#include "server/storage/transaction.h"

namespace modelreg {

class ReadReplica {
 public:
  struct Options {
    std::string url;  // libpq URI of the standby(s), e.g. with target_session_attrs=prefer-standby
    int pool_size = 4;
    absl::Duration max_lag = absl::Seconds(1);
    absl::Duration check_interval = absl::Milliseconds(200);
    ModelCache* cache = nullptr;  // the cache that replica reads may fill (ModelStore::Fetch); may be null
  };

  // Thread-safe snapshot for metrics and logs.
  struct Stats {
    bool reachable = false;                         // the last check reached a standby in recovery
    absl::Duration lag = absl::InfiniteDuration();  // replay lag found by the last check: 0 when the standby had
                                                    // replayed all the primary had written; infinite when unknown
    int64_t replica_reads = 0;                      // reads served by the standby
    int64_t primary_reads = 0;                      // routed reads served by the primary (lag, unreachable)
    int64_t fallbacks = 0;  // reads that failed on the standby, or found its connection behind, and ran on the primary
  };

  // Which pool served a read, and the cache epoch under which its result may be cached.
  struct Served {
    bool by_replica = false;
    uint64_t cache_epoch = 0;
  };

  // Starts the checks at once; the standby's pool is opened by the first check that reaches it (so a standby down at
  // start-up only sends the reads to the primary).
  ReadReplica(ConnectionPool* primary, Options options);
  ReadReplica(const ReadReplica&) = delete;
  ReadReplica& operator=(const ReadReplica&) = delete;
  ~ReadReplica();

  // Runs `body` (one SELECT, as for RunSingleStatement) on the standby when the rules above allow it, else on the
  // primary; a read failing on the standby with UNAVAILABLE or ABORTED (a recovery conflict), or whose connection is
  // behind the fence, runs on the primary. Inside a transaction it joins that transaction (the primary).
  // `primary_epoch` is the cache epoch the caller took before the call; `served` (optional) says where the read ran
  // and under which epoch its result may be cached (`primary_epoch`, or the fence's on the standby).
  absl::Status Run(const TransactionBody& body, uint64_t primary_epoch = 0, Served* served = nullptr);

  Stats stats() const;
  absl::Duration max_lag() const { return options_.max_lag; }

 private:
  struct Sample {
    absl::Time time;
    int64_t lsn;
    uint64_t epoch;  // the cache's epoch read just before `lsn`
  };

  void Loop();
  void Check();
  // The standby's pool while it is within max_lag (and `*fence` the newest replayed sample); else null.
  ConnectionPool* Usable(Sample* fence);
  void MarkUnreachable(const absl::Status& why);

  ConnectionPool* primary_;
  const Options options_;
  std::unique_ptr<ConnectionPool> replica_;  // written by the check thread only while no reader can use it
  std::atomic<int64_t> replica_reads_{0};
  std::atomic<int64_t> primary_reads_{0};
  std::atomic<int64_t> fallbacks_{0};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool reachable_ = false;
  bool reported_down_ = false;  // the warning for the current outage (or the first failure at start) was logged
  bool replica_open_ = false;   // replica_ is set (from then on it is never reset)
  absl::Duration lag_ = absl::InfiniteDuration();  // as found by the last check (Stats::lag)
  std::optional<Sample> fence_;                    // newest sample the standby had replayed at the last check
  std::deque<Sample> unreplayed_;                  // primary samples newer than fence_, oldest first
  std::thread thread_;
};

// A one-statement read through `replica` when given, else on `primary` (RunSingleStatement).
absl::Status RunRead(ConnectionPool& primary, ReadReplica* replica, const TransactionBody& body);

}  // namespace modelreg

#include "server/storage/read_replica.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <utility>

#include "server/common/call_deadline.h"
#include "server/common/logging.h"
#include "server/storage/change_signal.h"
#include "server/storage/pg_errors.h"
#include "server/storage/statements.h"

namespace modelreg {
namespace {

constexpr char kPrimaryLsn[] = "modelreg_replica_primary_lsn";
constexpr char kReplayLsn[] = "modelreg_replica_replay_lsn";
constexpr char kReplayed[] = "modelreg_replica_replayed";

// Primary samples kept while the standby does not replay them (4096 x 200 ms: about 14 minutes); beyond it the newest
// sample replaces the last one, which keeps the lag exact (it depends on the oldest ones) and only coarsens recovery.
constexpr size_t kMaxSamples = 4096;

// How long one check may wait for a connection or a statement.
constexpr absl::Duration kCheckTimeout = absl::Seconds(1);

// Runs the one-row, one-column bigint statement `name` on `pool`; nullopt for SQL NULL.
absl::StatusOr<std::optional<int64_t>> ReadLsn(ConnectionPool& pool, const char* name) {
  std::optional<int64_t> lsn;
  const ScopedCallDeadline deadline(absl::Now() + kCheckTimeout);
  absl::Status status = RunSingleStatement(
      pool,
      [&](Transaction& tx) -> absl::Status {
        const pqxx::row row = tx.sql().exec_prepared1(name);
        if (!row[0].is_null()) lsn = row[0].as<int64_t>();
        return absl::OkStatus();
      },
      kCheckTimeout);
  if (!status.ok()) return status;
  return lsn;
}

bool FallsBackToPrimary(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable || status.code() == absl::StatusCode::kAborted;
}

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& ReadReplicaStatements() {
  static const auto* statements = new std::vector<PreparedStatement>{
      {kPrimaryLsn, "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint"},
      // NULL on a server that is not in recovery.
      {kReplayLsn, "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint"},
      {kReplayed, "SELECT coalesce(pg_last_wal_replay_lsn() >= '0/0'::pg_lsn + $1::bigint, false)"},
  };
  return *statements;
}
}  // namespace storage_internal

ReadReplica::ReadReplica(ConnectionPool* primary, Options options) : primary_(primary), options_(std::move(options)) {
  thread_ = std::thread([this] { Loop(); });
}

ReadReplica::~ReadReplica() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ReadReplica::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    Check();
    lock.lock();
    wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.check_interval), [this] { return stopping_; });
  }
}

void ReadReplica::Check() {
  // The cache's epoch first, then the primary's LSN: every invalidation counted in `epoch` followed a commit whose WAL
  // ends at or before `lsn` (notifications and this process's OnEnd hooks come after the commit).
  const uint64_t epoch = options_.cache != nullptr ? options_.cache->Epoch() : 0;
  const absl::Time time = absl::Now();
  absl::StatusOr<std::optional<int64_t>> primary_lsn = ReadLsn(*primary_, kPrimaryLsn);
  if (!primary_lsn.ok() || !primary_lsn->has_value()) {
    // Without the primary's position nothing can be measured; the fence ages, so reads soon go to the primary.
    MODELREG_LOG(DEBUG) << "read replica: no primary WAL position: " << primary_lsn.status();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const Sample sample{time, **primary_lsn, epoch};
    if (unreplayed_.size() < kMaxSamples) {
      unreplayed_.push_back(sample);
    } else {
      unreplayed_.back() = sample;
    }
  }
  if (replica_ == nullptr) {
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool =
        ConnectionPool::Create(options_.url, std::max(1, options_.pool_size));
    if (!pool.ok()) {
      MarkUnreachable(pool.status());
      return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    replica_ = *std::move(pool);
    replica_open_ = true;
  }
  absl::StatusOr<std::optional<int64_t>> replay_lsn = ReadLsn(*replica_, kReplayLsn);
  if (!replay_lsn.ok()) {
    MarkUnreachable(replay_lsn.status());
    return;
  }
  if (!replay_lsn->has_value()) {
    MarkUnreachable(absl::FailedPreconditionError("the server of --read-database-url is not a standby"));
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  while (!unreplayed_.empty() && unreplayed_.front().lsn <= **replay_lsn) {
    fence_ = unreplayed_.front();
    unreplayed_.pop_front();
  }
  if (!reachable_) MODELREG_LOG(INFO) << "read replica reachable: reads within the lag limit go to the standby";
  reachable_ = true;
  reported_down_ = false;
  lag_ = unreplayed_.empty()  ? absl::ZeroDuration()
         : fence_.has_value() ? absl::Now() - fence_->time
                              : absl::InfiniteDuration();
}

void ReadReplica::MarkUnreachable(const absl::Status& why) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reachable_ || !reported_down_) {
    MODELREG_LOG(WARNING) << "read replica unreachable, reads go to the primary: " << why;
  }
  reachable_ = false;
  reported_down_ = true;
  lag_ = absl::InfiniteDuration();
}

ConnectionPool* ReadReplica::Usable(Sample* fence) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!reachable_ || !replica_open_ || !fence_.has_value()) return nullptr;
  // The age of the newest replayed sample, now: it grows between checks and while checks stall.
  if (absl::Now() - fence_->time > options_.max_lag) return nullptr;
  // Read-your-writes: the standby must have replayed a sample taken after this process's last write ended.
  if (fence_->time <= absl::FromUnixNanos(LastLocalWriteEndNanos().load(std::memory_order_acquire))) return nullptr;
  *fence = *fence_;
  return replica_.get();
}

absl::Status ReadReplica::Run(const TransactionBody& body, uint64_t primary_epoch, Served* served) {
  Sample fence{};
  ConnectionPool* replica = InTransaction() ? nullptr : Usable(&fence);
  if (replica != nullptr) {
    bool behind = false;
    // Two statements, each with its own snapshot: the body sees all the first found replayed. The check is made on
    // this connection, which may have reached another standby than the check thread's (several hosts in the URL).
    absl::Status status = RunSingleStatement(*replica, [&](Transaction& tx) -> absl::Status {
      behind = !tx.sql().exec_prepared1(kReplayed, fence.lsn)[0].as<bool>();
      return behind ? absl::OkStatus() : body(tx);
    });
    if (!behind && !FallsBackToPrimary(status)) {
      replica_reads_.fetch_add(1, std::memory_order_relaxed);
      if (served != nullptr) *served = Served{true, fence.epoch};
      return status;
    }
    fallbacks_.fetch_add(1, std::memory_order_relaxed);
    if (status.code() == absl::StatusCode::kUnavailable) MarkUnreachable(status);
  }
  primary_reads_.fetch_add(1, std::memory_order_relaxed);
  if (served != nullptr) *served = Served{false, primary_epoch};
  return RunSingleStatement(*primary_, body);
}

ReadReplica::Stats ReadReplica::stats() const {
  Stats stats;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats.reachable = reachable_;
    stats.lag = lag_;
  }
  stats.replica_reads = replica_reads_.load(std::memory_order_relaxed);
  stats.primary_reads = primary_reads_.load(std::memory_order_relaxed);
  stats.fallbacks = fallbacks_.load(std::memory_order_relaxed);
  return stats;
}

absl::Status RunRead(ConnectionPool& primary, ReadReplica* replica, const TransactionBody& body) {
  if (replica != nullptr) return replica->Run(body);
  return RunSingleStatement(primary, body);
}

}  // namespace modelreg

#include "server/storage/connection_pool.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/storage/pg_errors.h"
#include "server/storage/pooled_connection.h"
#include "server/storage/statements.h"

namespace modelreg {

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<PooledConnection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), connection_(std::move(other.connection_)) {}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(std::move(connection_));
}

void ConnectionPool::Lease::Discard() {
  connection_->disconnect();  // Release drops a closed connection; the next Acquire opens a fresh one
  pool_->DropIdle();
}

ConnectionPool::ConnectionPool(std::string url, int size) : url_(std::move(url)), size_(size) {}

ConnectionPool::~ConnectionPool() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (outstanding_ > 0) {
    MODELREG_LOG(ERROR) << "ConnectionPool destroyed with " << outstanding_ << " connections still leased";
  }
  idle_.clear();
}

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(const std::string& url, int size) {
  if (size < 1) return absl::InvalidArgumentError("connection pool size must be at least 1");
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(url, size));
  for (int i = 0; i < size; ++i) {
    MODELREG_ASSIGN_OR_RETURN(std::unique_ptr<PooledConnection> connection, pool->Connect());
    pool->idle_.push_back(std::move(connection));
  }
  return pool;
}

absl::StatusOr<std::unique_ptr<PooledConnection>> ConnectionPool::Connect() const {
  try {
    auto connection = std::make_unique<PooledConnection>(url_);
    for (const storage_internal::PreparedStatement& statement : storage_internal::AllPreparedStatements()) {
      connection->prepare(statement.name, statement.sql);
    }
    return connection;
  } catch (...) {
    absl::Status status = StatusFromCurrentException();
    // Connection failures are broken_connection (UNAVAILABLE); anything else while connecting is too.
    if (status.code() == absl::StatusCode::kInternal) {
      return ErrorWithReason(absl::StatusCode::kUnavailable, "DATABASE_UNAVAILABLE", "cannot connect to the database");
    }
    return status;
  }
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire(absl::Duration timeout) {
  std::unique_ptr<PooledConnection> connection;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    auto can_proceed = [this] {
      return shutting_down_ || !idle_.empty() || static_cast<int>(idle_.size()) + outstanding_ < size_;
    };
    ++waiting_;
    const bool proceed = available_.wait_for(lock, absl::ToChronoMilliseconds(timeout), can_proceed);
    --waiting_;
    if (!proceed) {
      return ErrorWithReason(absl::StatusCode::kUnavailable, "DATABASE_UNAVAILABLE",
                             "timed out waiting for a database connection");
    }
    if (shutting_down_) return ShuttingDownError("no new database work starts");
    ++outstanding_;
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (connection == nullptr || !connection->is_open()) {
    // A slot freed by a broken connection, or an idle connection that broke: open a fresh one.
    connection.reset();
    absl::StatusOr<std::unique_ptr<PooledConnection>> fresh = Connect();
    if (!fresh.ok()) {
      std::lock_guard<std::mutex> lock(mutex_);
      --outstanding_;
      available_.notify_one();
      return fresh.status();
    }
    connection = *std::move(fresh);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  leased_.push_back(connection.get());
  return Lease(this, std::move(connection));
}

ConnectionPool::Usage ConnectionPool::usage() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {outstanding_, waiting_};
}

void ConnectionPool::Release(std::unique_ptr<PooledConnection> connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  --outstanding_;
  leased_.erase(std::remove(leased_.begin(), leased_.end(), connection.get()), leased_.end());
  if (connection != nullptr && connection->is_open()) {
    idle_.push_back(std::move(connection));
  }
  // A broken connection is dropped here; its slot is refilled by the next Acquire.
  available_.notify_one();
}

void ConnectionPool::DropIdle() {
  std::vector<std::unique_ptr<PooledConnection>> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dropped.swap(idle_);
    available_.notify_all();  // their slots are free: waiters may open connections of their own
  }
  if (!dropped.empty()) {
    MODELREG_LOG(WARNING) << "database server no longer accepts writes: closing " << dropped.size()
                          << " idle connections";
  }
}  // closed here, outside the mutex

absl::Status ConnectionPool::ShuttingDownError(absl::string_view what) {
  return ErrorWithReason(absl::StatusCode::kUnavailable, "SHUTTING_DOWN",
                         absl::StrCat("the server is shutting down: ", what, "; nothing was written; retry later"));
}

int ConnectionPool::CancelAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!shutting_down_) {
    shutting_down_ = true;
    available_.notify_all();
  }
  // Under the mutex, so that no leased connection is released (and destroyed) meanwhile. cancel_query only reads
  // the connection's backend key and sends the request on a new socket: safe beside the thread using it.
  int sent = 0;
  for (PooledConnection* connection : leased_) {
    try {
      connection->cancel_query();
      ++sent;
    } catch (const std::exception& e) {
      MODELREG_LOG(WARNING) << "cannot cancel a running statement: " << e.what();
    }
  }
  return sent;
}

bool ConnectionPool::shutting_down() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return shutting_down_;
}

absl::Status ConnectionPool::Ping() {
  MODELREG_ASSIGN_OR_RETURN(Lease lease, Acquire());
  try {
    bool read_only = false;
    {
      pqxx::nontransaction tx(*lease);
      read_only = tx.exec1("SELECT current_setting('transaction_read_only')::boolean")[0].as<bool>();
    }
    if (!read_only) return absl::OkStatus();
    lease.Discard();
    return ReadOnlyDatabaseError();
  } catch (...) {
    absl::Status status = StatusFromCurrentException();
    return ErrorWithReason(absl::StatusCode::kUnavailable, "DATABASE_UNAVAILABLE",
                           absl::StrCat("database ping failed: ", status.message()));
  }
}

}  // namespace modelreg

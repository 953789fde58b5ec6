// A fixed-size pool of libpqxx connections (PooledConnection) with the prepared statements of the stores.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace modelreg {

class PooledConnection;  // pooled_connection.h

class ConnectionPool {
 public:
  // A connection borrowed from the pool; returned when destroyed. A connection found broken is replaced.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<PooledConnection> connection);
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    PooledConnection& operator*() const { return *connection_; }
    PooledConnection* operator->() const { return connection_.get(); }
    // The server this connection reaches no longer accepts writes (a failover or switchover demoted it): closes the
    // connection and every idle one (opened to the same server, or before the change), so that the next Acquires
    // open fresh connections, which the URI's `target_session_attrs=read-write` leads to the current primary.
    void Discard();

   private:
    ConnectionPool* pool_;
    std::unique_ptr<PooledConnection> connection_;
  };

  // Opens `size` (>= 1) connections to `url` (a libpq URI or key=value string), each with the stores' statements
  // prepared. UNAVAILABLE if the database is unreachable; INVALID_ARGUMENT if size < 1.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(const std::string& url, int size);

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  ~ConnectionPool();

  // Waits up to `timeout` for a free connection (reconnecting a broken one). UNAVAILABLE on timeout or failure.
  absl::StatusOr<Lease> Acquire(absl::Duration timeout = absl::Seconds(5));

  // Asks a pooled connection's server whether it accepts writes: OK when it does; UNAVAILABLE when it does not
  // answer, or answers read-only (DATABASE_READ_ONLY; the connection is discarded, Lease::Discard).
  absl::Status Ping();

  // Shutdown, once the grace period is over: from now on Acquire fails at once (waiters too) with UNAVAILABLE
  // (SHUTTING_DOWN), and the statement running on each leased connection is cancelled, so PostgreSQL rolls its
  // transaction back; RunTransaction then never commits (it checks shutting_down() before COMMIT) and returns
  // UNAVAILABLE. A connection between two statements ignores a cancel: call again (each call cancels what runs now).
  // Returns how many cancel requests were sent. Thread-safe.
  int CancelAll();
  // True once CancelAll has been called.
  bool shutting_down() const;
  // UNAVAILABLE (SHUTTING_DOWN) "the server is shutting down: <what>; nothing was written ...": the error of calls
  // cut short by CancelAll.
  static absl::Status ShuttingDownError(absl::string_view what);

  const std::string& url() const { return url_; }
  int size() const { return size_; }

  // For metrics: connections leased or being opened, and callers waiting in Acquire for one. Thread-safe.
  struct Usage {
    int in_use = 0;
    int waiting = 0;
  };
  Usage usage() const;

 private:
  ConnectionPool(std::string url, int size);
  // Opens one connection and registers the prepared statements on it.
  absl::StatusOr<std::unique_ptr<PooledConnection>> Connect() const;
  void Release(std::unique_ptr<PooledConnection> connection);
  // Closes the idle connections (Lease::Discard).
  void DropIdle();

  std::string url_;
  int size_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
  std::vector<PooledConnection*> leased_;  // what CancelAll cancels; owned by their Leases
  int outstanding_ = 0;                    // leased connections plus connections being opened
  int waiting_ = 0;                        // callers blocked in Acquire
  bool shutting_down_ = false;
};

}  // namespace modelreg

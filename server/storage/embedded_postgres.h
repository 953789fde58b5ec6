// A private PostgreSQL cluster run from the system's PostgreSQL binaries, for single-machine installs and tests.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace modelreg {

// The directory of PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup): `pg_config --bindir` when it holds
// initdb and pg_ctl, else Debian's /usr/lib/postgresql/15/bin.
std::string PostgresBinDir();

class EmbeddedPostgres {
 public:
  struct Options {
    // TCP is off (listen_addresses=''); the port only names the Unix socket, so a fixed value is safe.
    int port = 5432;
    // initdb --no-sync: faster first start, for tests only.
    bool initdb_no_sync = false;
    absl::Duration start_timeout = absl::Seconds(60);
    // When another modelregd holds the data directory's lock: connect to the cluster it runs (its socket is in the
    // data directory) instead of failing, and never start or stop it. For `modelregd migrate` / `reassess`.
    bool attach_if_locked = false;
  };

  // Creates (first run: initdb into `<data_dir>/pgdata`) and starts a cluster whose only way in is a Unix socket in
  // `data_dir` (or, when that path is too long for a socket, `/tmp/modelreg-pg-<hash of data_dir>`), with local
  // trust authentication, then creates the database `modelreg` if missing. The server log is
  // `<data_dir>/postgres.log`. As root the cluster runs as the `postgres` user (else `nobody`) and `data_dir` is
  // given to that user; as another user it runs as that user. A cluster left running by a modelregd that was killed
  // (an orphaned postmaster; the lock, an flock, died with its holder and is not inherited by the cluster) is stopped
  // and started again; a stale postmaster.pid from a crash is handled. FAILED_PRECONDITION when the binaries are
  // missing or `data_dir` is unusable; UNAVAILABLE when initdb or the server fails (see the log).
  //
  // One data directory, one owner: the process holds an exclusive flock on `<data_dir>/modelregd.lock` (holding its
  // pid) until it is destroyed. When another process holds it: FAILED_PRECONDITION naming that pid, or, with
  // `attach_if_locked`, an EmbeddedPostgres attached to the running cluster (attached() true; Stop does nothing).
  // An existing non-empty directory that is not a modelreg data directory (no `pgdata/PG_VERSION`, and entries other
  // than the files modelregd creates) is refused (FAILED_PRECONDITION), never taken over; a change of owner or mode
  // made to the directory is logged as a warning.
  static constexpr char kLockFileName[] = "modelregd.lock";
  static absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> Start(const std::string& data_dir);
  static absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> Start(const std::string& data_dir, const Options& options);

  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;
  // Stops the server (fast shutdown) if still running.
  ~EmbeddedPostgres();

  // Fast shutdown (`pg_ctl stop -m fast`): rolls back open transactions, checkpoints, exits. Idempotent.
  absl::Status Stop();

  // Supervision, called when the database stops answering: if the server this process started is no longer
  // running (its postmaster died, e.g. killed), starts it again; PostgreSQL's crash recovery replays the WAL, so
  // every committed write survives. OK when the server runs, or when this process does not run it (attached, or
  // stopped). UNAVAILABLE while it cannot start yet (e.g. backends of the dead postmaster still hold its shared
  // memory); the caller tries again later.
  absl::Status RestartIfDown();

  // libpq URI of the `modelreg` database, e.g. `postgresql://postgres@/modelreg?host=%2Fdata%2Fdir&port=5432`.
  const std::string& url() const { return url_; }
  // libpq URI of the `postgres` maintenance database.
  const std::string& admin_url() const { return admin_url_; }
  const std::string& socket_dir() const { return socket_dir_; }
  const std::string& data_dir() const { return data_dir_; }
  // True when this process uses a cluster another modelregd runs (see attach_if_locked).
  bool attached() const { return attached_; }

 private:
  struct RunAs {
    bool switch_user = false;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string user;
  };

  EmbeddedPostgres() = default;

  // The steps of Start, in order.
  // The user the cluster runs as: `postgres` (else `nobody`) when running as root, else no switch.
  static absl::StatusOr<RunAs> ClusterUser();
  // Refuses a non-empty data_dir_ that is not a modelreg data directory.
  absl::Status CheckDataDirIsOurs() const;
  // Takes the flock on the lock file (lock_fd_) and writes our pid. Sets holder_pid_ (> 0) instead when another
  // process holds it.
  absl::Status LockDataDir();
  // Gives data_dir_ to run_as_ (mode 0700), creates the log owned by it, and checks that it can write there.
  absl::Status HandOverDataDir();
  // Sets socket_dir_: data_dir_, or a directory under /tmp (created, owned by run_as_) when that path is too long.
  absl::Status PrepareSocketDir();
  // First run (no `pgdata_/PG_VERSION`): initdb into pgdata_.
  absl::Status InitDbOnFirstRun();
  // Settings that may change between runs (socket directory, port, shared_buffers, WAL sizing): rewritten at every
  // start.
  absl::Status WriteModelregConf() const;
  // Sets url_ and admin_url_ from socket_dir_ and the port.
  void SetUrls();
  // Stops a server left running on pgdata_, then starts it and waits until it accepts connections.
  absl::Status StartServer();
  // Creates the database `modelreg` if missing, retrying while the server is not yet reachable.
  absl::Status CreateDatabase();

  // Runs `argv` (argv[0] an absolute path) as run_as_, output appended to the log; returns its exit code (-1 when it
  // could not be started or was killed).
  int Run(const std::vector<std::string>& argv) const;

  Options options_;
  RunAs run_as_;
  std::string bin_dir_;
  std::string data_dir_;
  std::string pgdata_;
  std::string socket_dir_;
  std::string log_path_;
  std::string url_;
  std::string admin_url_;
  std::mutex lifecycle_mutex_;  // Stop and RestartIfDown, from different threads
  bool running_ = false;
  bool attached_ = false;
  bool data_dir_given_ = false;  // it existed before Start: changes to it are logged as warnings
  int lock_fd_ = -1;
  long holder_pid_ = 0;
};

}  // namespace modelreg

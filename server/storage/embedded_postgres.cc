#include "server/storage/embedded_postgres.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"
#include "server/storage/pg_errors.h"
#include "server/storage/record_codec.h"

namespace modelreg {
namespace {

// A quarter of physical memory, between PostgreSQL's default 128 MB and 4 GB: the embedded cluster is the machine's
// only database. At 1,000,000 models a filtered page's p99 went from 13.5 ms to 5.1 ms with the table cached.
long SharedBuffersMb() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 128;
  const long quarter_mb = pages / 4 * (page_size / 1024) / 1024;
  return std::clamp(quarter_mb, 128L, 4096L);
}

// sockaddr_un.sun_path holds 108 bytes; keep a margin.
constexpr size_t kMaxSocketPath = 100;

bool IsExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string PercentEncode(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof(buffer), "%%%02X", static_cast<unsigned>(c));
      out += buffer;
    }
  }
  return out;
}

// A value for postgresql.conf: single-quoted, quotes doubled.
std::string ConfQuote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

absl::Status MakeDir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(absl::StrCat("cannot create directory ", path, ": ", std::strerror(errno)));
  }
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a directory"));
  }
  return absl::OkStatus();
}

absl::Status MakeDirs(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot create directory ", prefix, ": ", std::strerror(errno)));
    }
  }
  return MakeDir(path, 0700);
}

// The directory holding initdb, pg_ctl and postgres.
absl::StatusOr<std::string> FindBinaries() {
  std::string bin_dir = PostgresBinDir();
  for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
    if (!IsExecutable(bin_dir + "/" + tool)) {
      return absl::FailedPreconditionError(
          absl::StrCat("PostgreSQL binary ", tool, " not found in ", bin_dir, " (install postgresql)"));
    }
  }
  return bin_dir;
}

// Creates `data_dir` (and its parents) if missing; returns its absolute path with symbolic links resolved.
absl::StatusOr<std::string> CreateDataDir(const std::string& data_dir) {
  if (data_dir.empty()) return absl::InvalidArgumentError("empty data directory");
  std::string absolute = data_dir;
  if (data_dir[0] != '/') {
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof(cwd)) == nullptr)
      return absl::FailedPreconditionError("cannot read the current directory");
    absolute = absl::StrCat(cwd, "/", data_dir);
  }
  MODELREG_RETURN_IF_ERROR(MakeDirs(absolute));
  char resolved[PATH_MAX];
  if (::realpath(absolute.c_str(), resolved) == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("cannot resolve ", data_dir, ": ", std::strerror(errno)));
  }
  return std::string(resolved);
}

// postgresql.conf includes modelreg.conf (added once, after initdb).
absl::Status IncludeModelregConf(const std::string& pgdata) {
  constexpr char kInclude[] = "include_if_exists = 'modelreg.conf'";
  const std::string path = pgdata + "/postgresql.conf";
  std::ifstream in(path);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content.find(kInclude) != std::string::npos) return absl::OkStatus();
  std::ofstream conf(path, std::ios::app);
  conf << "\n# Added by modelregd: socket, port and listen addresses.\n" << kInclude << "\n";
  if (!conf.good()) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

std::string PostgresBinDir() {
  std::string dir;
  if (FILE* pipe = ::popen("pg_config --bindir 2>/dev/null", "r")) {
    char buffer[4096];
    while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) dir += buffer;
    ::pclose(pipe);
  }
  dir = std::string(absl::StripAsciiWhitespace(dir));
  if (!dir.empty() && IsExecutable(dir + "/initdb") && IsExecutable(dir + "/pg_ctl")) return dir;
  return "/usr/lib/postgresql/15/bin";
}

absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> EmbeddedPostgres::Start(const std::string& data_dir) {
  return Start(data_dir, Options());
}

absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> EmbeddedPostgres::Start(const std::string& data_dir,
                                                                          const Options& options) {
  std::unique_ptr<EmbeddedPostgres> pg(new EmbeddedPostgres());
  pg->options_ = options;
  MODELREG_ASSIGN_OR_RETURN(pg->bin_dir_, FindBinaries());
  MODELREG_ASSIGN_OR_RETURN(pg->run_as_, ClusterUser());
  struct stat existing {};
  pg->data_dir_given_ = ::stat(data_dir.c_str(), &existing) == 0;
  MODELREG_ASSIGN_OR_RETURN(pg->data_dir_, CreateDataDir(data_dir));
  pg->pgdata_ = pg->data_dir_ + "/pgdata";
  pg->log_path_ = pg->data_dir_ + "/postgres.log";
  MODELREG_RETURN_IF_ERROR(pg->CheckDataDirIsOurs());
  MODELREG_RETURN_IF_ERROR(pg->LockDataDir());
  if (pg->holder_pid_ != 0) {
    const std::string holder =
        absl::StrCat("data directory ", pg->data_dir_, " is in use by modelregd pid ",
                     pg->holder_pid_ > 0 ? absl::StrCat(pg->holder_pid_) : std::string("(not yet written)"),
                     " (it holds ", pg->data_dir_, "/", kLockFileName, ")");
    if (!options.attach_if_locked) {
      return absl::FailedPreconditionError(absl::StrCat(holder, "; stop that process or give another --data-dir"));
    }
    // Its cluster is running: use it as is, without touching its directory, settings or life.
    MODELREG_LOG(INFO) << holder << "; using the PostgreSQL it runs";
    pg->attached_ = true;
    MODELREG_RETURN_IF_ERROR(pg->PrepareSocketDir());
    pg->SetUrls();
    MODELREG_RETURN_IF_ERROR(pg->CreateDatabase());
    return pg;
  }
  MODELREG_RETURN_IF_ERROR(pg->HandOverDataDir());
  MODELREG_RETURN_IF_ERROR(pg->PrepareSocketDir());
  MODELREG_RETURN_IF_ERROR(pg->InitDbOnFirstRun());
  MODELREG_RETURN_IF_ERROR(IncludeModelregConf(pg->pgdata_));
  MODELREG_RETURN_IF_ERROR(pg->WriteModelregConf());
  pg->SetUrls();
  MODELREG_RETURN_IF_ERROR(pg->StartServer());
  MODELREG_RETURN_IF_ERROR(pg->CreateDatabase());
  return pg;
}

absl::StatusOr<EmbeddedPostgres::RunAs> EmbeddedPostgres::ClusterUser() {
  if (::geteuid() != 0) return RunAs();
  // initdb and postgres refuse to run as root.
  struct passwd* user = ::getpwnam("postgres");
  if (user == nullptr) user = ::getpwnam("nobody");
  if (user == nullptr) return absl::FailedPreconditionError("running as root, but neither user postgres nor nobody");
  return RunAs{true, user->pw_uid, user->pw_gid, user->pw_name};
}

absl::Status EmbeddedPostgres::CheckDataDirIsOurs() const {
  if (::access((pgdata_ + "/PG_VERSION").c_str(), F_OK) == 0) return absl::OkStatus();
  DIR* dir = ::opendir(data_dir_.c_str());
  if (dir == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", data_dir_, ": ", std::strerror(errno)));
  }
  std::vector<std::string> foreign;
  while (const struct dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    // What modelregd itself creates before the cluster exists (an interrupted first run), and a file system's own.
    if (name == "." || name == ".." || name == "pgdata" || name == "postgres.log" || name == kLockFileName ||
        name == "lost+found") {
      continue;
    }
    if (foreign.size() < 3) foreign.push_back(name);
  }
  ::closedir(dir);
  if (foreign.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(data_dir_, " is not empty and is not a modelreg data directory (it holds `", foreign[0],
                   "`, and no pgdata/PG_VERSION); refusing to take it over: give an empty or new --data-dir"));
}

absl::Status EmbeddedPostgres::LockDataDir() {
  const std::string path = absl::StrCat(data_dir_, "/", kLockFileName);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return absl::FailedPreconditionError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char buffer[32] = {};
    const ssize_t got = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
    ::close(fd);
    if (error != EWOULDBLOCK) {
      return absl::FailedPreconditionError(absl::StrCat("cannot lock ", path, ": ", std::strerror(error)));
    }
    holder_pid_ = got > 0 ? std::strtol(buffer, nullptr, 10) : 0;
    if (holder_pid_ <= 0) holder_pid_ = -1;  // held, pid not written yet
    return absl::OkStatus();
  }
  const std::string pid = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    MODELREG_LOG(WARNING) << "cannot write the pid to " << path << ": " << std::strerror(errno);
  }
  lock_fd_ = fd;
  return absl::OkStatus();
}

absl::Status EmbeddedPostgres::HandOverDataDir() {
  struct stat before {};
  if (::stat(data_dir_.c_str(), &before) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot stat ", data_dir_, ": ", std::strerror(errno)));
  }
  // A directory modelregd just created is no news; one the user had is.
  const LogLevel level = data_dir_given_ ? LogLevel::kWarning : LogLevel::kDebug;
  if (run_as_.switch_user && (before.st_uid != run_as_.uid || before.st_gid != run_as_.gid)) {
    LogLine(level, absl::StrCat("changing the owner of ", data_dir_, " from uid ", before.st_uid, " gid ",
                                before.st_gid, " to ", run_as_.user, " (uid ", run_as_.uid, " gid ", run_as_.gid,
                                "): the embedded PostgreSQL runs as that user"));
    if (::chown(data_dir_.c_str(), run_as_.uid, run_as_.gid) != 0) {
      return absl::FailedPreconditionError(absl::StrCat("cannot chown ", data_dir_, ": ", std::strerror(errno)));
    }
  }
  if ((before.st_mode & 07777) != 0700) {
    char mode[16];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(before.st_mode & 07777));
    LogLine(level, absl::StrCat("changing the mode of ", data_dir_, " from ", mode, " to 0700: it holds the database"));
    ::chmod(data_dir_.c_str(), 0700);
  }
  // Open (and own) the log before anything writes to it.
  const int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return absl::FailedPreconditionError(absl::StrCat("cannot open ", log_path_));
  if (run_as_.switch_user && ::fchown(fd, run_as_.uid, run_as_.gid) != 0) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat("cannot chown ", log_path_));
  }
  ::close(fd);
  if (run_as_.switch_user && Run({"/usr/bin/test", "-w", data_dir_}) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("data directory ", data_dir_, " is not writable by user ",
                                                      run_as_.user, " (check the modes of its parent directories)"));
  }
  return absl::OkStatus();
}

absl::Status EmbeddedPostgres::PrepareSocketDir() {
  // The socket lives beside the data unless that path is too long for a Unix socket.
  const std::string socket_name = absl::StrCat("/.s.PGSQL.", options_.port);
  if (data_dir_.size() + socket_name.size() <= kMaxSocketPath) {
    socket_dir_ = data_dir_;
    return absl::OkStatus();
  }
  socket_dir_ = absl::StrCat("/tmp/modelreg-pg-", storage_internal::ComputeEtag(data_dir_, 0));
  MODELREG_LOG(INFO) << "socket path under " << data_dir_ << " is too long; using " << socket_dir_;
  MODELREG_RETURN_IF_ERROR(MakeDir(socket_dir_, 0700));
  const uid_t owner = run_as_.switch_user ? run_as_.uid : ::geteuid();
  if (run_as_.switch_user) ::chown(socket_dir_.c_str(), run_as_.uid, run_as_.gid);
  struct stat info;
  if (::lstat(socket_dir_.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != owner) {
    return absl::FailedPreconditionError(absl::StrCat(socket_dir_, " exists and is not ours"));
  }
  return absl::OkStatus();
}

absl::Status EmbeddedPostgres::InitDbOnFirstRun() {
  if (::access((pgdata_ + "/PG_VERSION").c_str(), F_OK) == 0) return absl::OkStatus();
  MODELREG_LOG(INFO) << "creating PostgreSQL cluster in " << pgdata_;
  std::vector<std::string> initdb = {
      bin_dir_ + "/initdb", "-D", pgdata_, "-U", "postgres", "-E", "UTF8", "--no-locale", "--auth-local=trust",
      "--auth-host=reject"};
  if (options_.initdb_no_sync) initdb.push_back("--no-sync");
  if (Run(initdb) != 0) return absl::UnavailableError(absl::StrCat("initdb failed; see ", log_path_));
  return absl::OkStatus();
}

absl::Status EmbeddedPostgres::WriteModelregConf() const {
  const std::string path = pgdata_ + "/modelreg.conf";
  std::ofstream conf(path, std::ios::trunc);
  conf << "listen_addresses = ''\n"
       << "unix_socket_directories = " << ConfQuote(socket_dir_) << "\n"
       << "unix_socket_permissions = 0700\n"
       << "port = " << options_.port << "\n"
       << "shared_buffers = " << SharedBuffersMb() << "MB\n";
  // Writes: a model touches ~18 index leaves at random, and the first change of a page after a checkpoint writes the
  // whole page to the WAL. With PostgreSQL's defaults (1GB, 5min, uncompressed) a loaded server checkpointed every
  // few seconds and those page images made most of the WAL: 34 KB per CreateModel at 2.5M models; with these, 10 KB.
  // The cost: crash recovery replays up to max_wal_size, and pg_wal may grow to it.
  conf << "max_wal_size = 4GB\n"
       << "checkpoint_timeout = 15min\n"
       << "wal_compression = lz4\n";
  conf.close();
  if (!conf.good()) return absl::InternalError(absl::StrCat("cannot write ", path));
  if (run_as_.switch_user) ::chown(path.c_str(), run_as_.uid, run_as_.gid);
  ::chmod(path.c_str(), 0600);
  return absl::OkStatus();
}

void EmbeddedPostgres::SetUrls() {
  const std::string host = PercentEncode(socket_dir_);
  url_ = absl::StrCat("postgresql://postgres@/modelreg?host=", host, "&port=", options_.port);
  admin_url_ = absl::StrCat("postgresql://postgres@/postgres?host=", host, "&port=", options_.port);
}

absl::Status EmbeddedPostgres::StartServer() {
  // A server left running by a modelregd that died (SIGKILL: the postmaster lives on as an orphan). This process
  // holds the data directory's lock, so no other modelregd uses it: stop it (fast: its open transactions roll back;
  // immediate if that fails), so this start applies the current settings. A stale postmaster.pid of a dead server is
  // handled by pg_ctl start itself.
  if (Run({bin_dir_ + "/pg_ctl", "status", "-s", "-D", pgdata_}) == 0) {
    long orphan = 0;
    std::ifstream(pgdata_ + "/postmaster.pid") >> orphan;
    MODELREG_LOG(WARNING) << "a PostgreSQL server (postmaster pid " << orphan << ") is still running on " << pgdata_
                          << ", left by a modelregd that is gone; stopping it and starting it again";
    if (Run({bin_dir_ + "/pg_ctl", "stop", "-s", "-D", pgdata_, "-m", "fast", "-w", "-t", "30"}) != 0) {
      MODELREG_LOG(WARNING) << "it did not stop within 30 s; immediate shutdown (crash recovery follows)";
      Run({bin_dir_ + "/pg_ctl", "stop", "-s", "-D", pgdata_, "-m", "immediate", "-w", "-t", "30"});
    }
  }
  const int64_t timeout_seconds = std::max<int64_t>(1, absl::ToInt64Seconds(options_.start_timeout));
  if (Run({bin_dir_ + "/pg_ctl", "start", "-s", "-D", pgdata_, "-l", log_path_, "-w", "-t",
           absl::StrCat(timeout_seconds)}) != 0) {
    return absl::UnavailableError(absl::StrCat("PostgreSQL did not start; see ", log_path_));
  }
  running_ = true;
  return absl::OkStatus();
}

absl::Status EmbeddedPostgres::CreateDatabase() {
  absl::Status last;
  // pg_ctl -w returns once the server accepts connections; retry briefly anyway.
  for (int attempt = 0; attempt < 50; ++attempt) {
    try {
      pqxx::connection connection(admin_url_);
      pqxx::nontransaction tx(connection);
      if (tx.exec("SELECT 1 FROM pg_database WHERE datname = 'modelreg'").empty()) {
        tx.exec("CREATE DATABASE modelreg");
      }
      return absl::OkStatus();
    } catch (const pqxx::broken_connection&) {
      last = absl::UnavailableError(absl::StrCat("cannot connect to the embedded PostgreSQL; see ", log_path_));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } catch (...) {
      return StatusFromCurrentException();
    }
  }
  return last;
}

absl::Status EmbeddedPostgres::RestartIfDown() {
  std::lock_guard<std::mutex> lock(lifecycle_mutex_);
  if (!running_) return absl::OkStatus();
  // pg_ctl status exits 3 when no server runs on pgdata_.
  if (Run({bin_dir_ + "/pg_ctl", "status", "-s", "-D", pgdata_}) != 3) return absl::OkStatus();
  MODELREG_LOG(WARNING) << "the embedded PostgreSQL server is not running; starting it again (see " << log_path_ << ")";
  MODELREG_RETURN_IF_ERROR(StartServer());
  MODELREG_LOG(INFO) << "embedded PostgreSQL running again";
  return absl::OkStatus();
}

absl::Status EmbeddedPostgres::Stop() {
  std::lock_guard<std::mutex> lock(lifecycle_mutex_);
  if (!running_) return absl::OkStatus();  // never started here (attached) or already stopped
  running_ = false;
  if (Run({bin_dir_ + "/pg_ctl", "stop", "-s", "-D", pgdata_, "-m", "fast", "-w", "-t", "60"}) == 0) {
    MODELREG_LOG(INFO) << "embedded PostgreSQL stopped";
    return absl::OkStatus();
  }
  // pg_ctl status exits 3 when no server runs: it had already exited (crashed or stopped by someone else).
  if (Run({bin_dir_ + "/pg_ctl", "status", "-s", "-D", pgdata_}) == 3) {
    MODELREG_LOG(WARNING) << "the embedded PostgreSQL server had already exited; see " << log_path_;
    return absl::OkStatus();
  }
  return absl::UnavailableError(absl::StrCat("PostgreSQL did not stop cleanly; see ", log_path_));
}

EmbeddedPostgres::~EmbeddedPostgres() {
  absl::Status status = Stop();
  if (!status.ok()) MODELREG_LOG(ERROR) << status;
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock, once the cluster has stopped
}

int EmbeddedPostgres::Run(const std::vector<std::string>& argv) const {
  // Everything the child needs is prepared before fork: only async-signal-safe calls happen after it.
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<gid_t> groups(64);
  int group_count = static_cast<int>(groups.size());
  if (run_as_.switch_user) {
    if (::getgrouplist(run_as_.user.c_str(), run_as_.gid, groups.data(), &group_count) < 0) {
      groups.resize(static_cast<size_t>(group_count));
      ::getgrouplist(run_as_.user.c_str(), run_as_.gid, groups.data(), &group_count);
    }
  }
  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const char* workdir = data_dir_.c_str();

  sigset_t no_signals;
  sigemptyset(&no_signals);

  const pid_t pid = ::fork();
  if (pid == 0) {
    // modelregd blocks SIGINT/SIGTERM in its threads for its signal waiter; the cluster must not inherit that mask,
    // nor any descriptor of modelregd.
    ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    if (log_fd >= 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
    }
    if (run_as_.switch_user) {
      if (::setgroups(static_cast<size_t>(group_count), groups.data()) != 0 || ::setgid(run_as_.gid) != 0 ||
          ::setuid(run_as_.uid) != 0) {
        ::_exit(126);
      }
    }
    ::close_range(3, ~0U, 0);
    if (::chdir(workdir) != 0) ::_exit(126);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (log_fd >= 0) ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  if (pid < 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace modelreg

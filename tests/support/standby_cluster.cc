#include "tests/support/standby_cluster.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "server/storage/embedded_postgres.h"

namespace modelreg::testing {
namespace {

// Settings a hot standby must have at least as high as its primary (else it refuses to start).
constexpr const char* kPrimarySettings[] = {"max_connections", "max_worker_processes", "max_wal_senders",
                                            "max_prepared_transactions", "max_locks_per_transaction"};

std::string Quote(const std::string& text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

// Runs `command` through the shell, as `postgres` when we are root (PostgreSQL refuses to run as root); its output
// goes to `log`. UNAVAILABLE with that output when it fails.
absl::Status RunCommand(const std::string& command, const std::string& log) {
  const std::string line = ::geteuid() == 0 ? absl::StrCat("runuser -u postgres -- sh -c ", Quote(command)) : command;
  if (std::system(absl::StrCat(line, " >", Quote(log), " 2>&1").c_str()) == 0) return absl::OkStatus();
  std::ifstream in(log);
  std::stringstream output;
  output << in.rdbuf();
  return absl::UnavailableError(absl::StrCat("`", command, "` failed: ", output.str()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<StandbyCluster>> StandbyCluster::Start(const std::string& admin_url) {
  std::string options = "-c listen_addresses='' -c hot_standby=on";
  std::string user;
  try {
    pqxx::connection primary(admin_url);
    user = primary.username();
    pqxx::nontransaction tx(primary);
    for (const char* setting : kPrimarySettings) {
      absl::StrAppend(&options, " -c ", setting, "=", tx.exec1(absl::StrCat("SHOW ", setting))[0].as<std::string>());
    }
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot read the primary's settings: ", e.what()));
  }
  char pattern[] = "/tmp/modelreg-standby-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) return absl::UnavailableError("mkdtemp failed");
  std::unique_ptr<StandbyCluster> standby(new StandbyCluster(pattern, user));
  absl::StrAppend(&options, " -k ", standby->dir_);
  standby->options_ = options;
  if (::geteuid() == 0) {
    const passwd* postgres = ::getpwnam("postgres");
    if (postgres == nullptr || ::chown(pattern, postgres->pw_uid, postgres->pw_gid) != 0) {
      return absl::UnavailableError("running as root, but cannot hand the standby's directory to `postgres`");
    }
  }
  const std::string log = standby->dir_ + "/command.log";
  if (absl::Status copied = RunCommand(absl::StrCat(PostgresBinDir(), "/pg_basebackup -d ", Quote(admin_url), " -D ",
                                                    Quote(standby->dir_ + "/data"), " -R -X stream -c fast"),
                                       log);
      !copied.ok()) {
    return copied;
  }
  if (absl::Status started = standby->Restart(); !started.ok()) return started;
  return standby;
}

StandbyCluster::~StandbyCluster() {
  (void)RunCommand(absl::StrCat(PostgresBinDir(), "/pg_ctl -D ", Quote(dir_ + "/data"), " -m immediate -w stop"),
                   dir_ + "/stop.log");
  (void)std::system(absl::StrCat("rm -rf ", Quote(dir_)).c_str());
}

absl::Status StandbyCluster::Stop() {
  return RunCommand(absl::StrCat(PostgresBinDir(), "/pg_ctl -D ", Quote(dir_ + "/data"), " -m fast -w stop"),
                    dir_ + "/command.log");
}

absl::Status StandbyCluster::Restart() {
  return RunCommand(absl::StrCat(PostgresBinDir(), "/pg_ctl -D ", Quote(dir_ + "/data"), " -l ", Quote(dir_ + "/log"),
                                 " -w -o ", Quote(options_), " start"),
                    dir_ + "/command.log");
}

std::string StandbyCluster::Url(const std::string& database) const {
  return absl::StrCat("host=", dir_, " user=", user_, " dbname=", database);
}

}  // namespace modelreg::testing

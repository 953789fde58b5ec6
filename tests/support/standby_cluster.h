// A real streaming standby of the test cluster (MODELREG_TEST_DATABASE_URL) for integration tests: made with
// `pg_basebackup -R` into a temporary directory and started there, on its own Unix socket, as the `postgres` user when
// running as root. Needs a replication connection to the test cluster (initdb's default pg_hba allows local ones).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace modelreg::testing {

class StandbyCluster {
 public:
  // Copies the cluster of `admin_url` and starts the copy as its hot standby. UNAVAILABLE, with the command's output,
  // when a step fails.
  static absl::StatusOr<std::unique_ptr<StandbyCluster>> Start(const std::string& admin_url);

  StandbyCluster(const StandbyCluster&) = delete;
  StandbyCluster& operator=(const StandbyCluster&) = delete;
  // Stops the standby (immediate shutdown) and removes its directory.
  ~StandbyCluster();

  // A connection string to database `database` on the standby, as the user of `admin_url` (key=value form; a
  // password comes from the environment, as libpq reads it).
  std::string Url(const std::string& database) const;

  // Stops the standby (fast shutdown) / starts it again. UNAVAILABLE when pg_ctl fails.
  absl::Status Stop();
  absl::Status Restart();

 private:
  StandbyCluster(std::string dir, std::string user) : dir_(std::move(dir)), user_(std::move(user)) {}

  std::string dir_;      // socket directory; the data directory is dir_/data
  std::string user_;     // the user of admin_url_
  std::string options_;  // the postgres options of pg_ctl -o
};

}  // namespace modelreg::testing

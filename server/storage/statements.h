// The prepared statements of the stores, prepared on every pooled connection. Internal to the storage layer.
#pragma once

#include <string>
#include <vector>

namespace modelreg::storage_internal {

struct PreparedStatement {
  std::string name;
  std::string sql;
};

// Defined in each store's .cc: its table statements and its own.
const std::vector<PreparedStatement>& ModelStoreStatements();
const std::vector<PreparedStatement>& LicenseStoreStatements();
const std::vector<PreparedStatement>& TokenStoreStatements();
const std::vector<PreparedStatement>& RequestIdStoreStatements();
const std::vector<PreparedStatement>& GovernanceStoreStatements();
const std::vector<PreparedStatement>& HistoryStoreStatements();
const std::vector<PreparedStatement>& ReadReplicaStatements();  // read_replica.cc: replay positions
const std::vector<PreparedStatement>& ReassessmentStoreStatements();

// Every statement above.
std::vector<PreparedStatement> AllPreparedStatements();

}  // namespace modelreg::storage_internal

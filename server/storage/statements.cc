#include "server/storage/statements.h"

namespace modelreg::storage_internal {

std::vector<PreparedStatement> AllPreparedStatements() {
  std::vector<PreparedStatement> all = ModelStoreStatements();
  const std::vector<PreparedStatement>& licenses = LicenseStoreStatements();
  all.insert(all.end(), licenses.begin(), licenses.end());
  const std::vector<PreparedStatement>& tokens = TokenStoreStatements();
  all.insert(all.end(), tokens.begin(), tokens.end());
  const std::vector<PreparedStatement>& request_ids = RequestIdStoreStatements();
  all.insert(all.end(), request_ids.begin(), request_ids.end());
  const std::vector<PreparedStatement>& governance = GovernanceStoreStatements();
  all.insert(all.end(), governance.begin(), governance.end());
  const std::vector<PreparedStatement>& history = HistoryStoreStatements();
  all.insert(all.end(), history.begin(), history.end());
  const std::vector<PreparedStatement>& replica = ReadReplicaStatements();
  all.insert(all.end(), replica.begin(), replica.end());
  const std::vector<PreparedStatement>& reassessments = ReassessmentStoreStatements();
  all.insert(all.end(), reassessments.begin(), reassessments.end());
  return all;
}

}  // namespace modelreg::storage_internal

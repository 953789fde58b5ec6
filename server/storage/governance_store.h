// PostgreSQL storage of organizations, their deployments and their policies. Row code comes from ResourceTable (the
// kinds' descriptions); this file adds the organization lock every child write takes, the in-use check on deleting an
// organization, the live policies of an organization, and policy filters evaluated on models by the query engine's
// SQL.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/storage/connection_pool.h"
#include "server/storage/read_replica.h"
#include "server/storage/repositories.h"

namespace modelreg {

class GovernanceStore : public GovernanceRepository {
 public:
  explicit GovernanceStore(ConnectionPool* pool) : pool_(pool) {}

  // From now on the List* methods (not as of a time) read through `replica` (read_replica.h).
  void set_read_replica(ReadReplica* replica) { replica_ = replica; }

  absl::StatusOr<v1::Organization> CreateOrganization(const v1::Organization& organization) override;
  absl::StatusOr<v1::Organization> GetOrganization(const std::string& name, Transaction* tx) override;
  absl::StatusOr<v1::Organization> UpdateOrganization(const std::string& name,
                                                      const Mutation<v1::Organization>& mutate) override;
  absl::StatusOr<Page<v1::Organization>> ListOrganizations(const ListQuery& query) override;

  absl::StatusOr<v1::Deployment> CreateDeployment(const v1::Deployment& deployment,
                                                  const Mutation<v1::Deployment>& check) override;
  absl::StatusOr<v1::Deployment> GetDeployment(const std::string& name) override;
  absl::StatusOr<v1::Deployment> UpdateDeployment(const std::string& name,
                                                  const Mutation<v1::Deployment>& mutate) override;
  absl::StatusOr<Page<v1::Deployment>> ListDeployments(const ListQuery& query) override;

  absl::StatusOr<v1::Policy> CreatePolicy(const v1::Policy& policy, const Mutation<v1::Policy>& check) override;
  absl::StatusOr<v1::Policy> GetPolicy(const std::string& name) override;
  absl::StatusOr<v1::Policy> UpdatePolicy(const std::string& name, const Mutation<v1::Policy>& mutate) override;
  absl::StatusOr<Page<v1::Policy>> ListPolicies(const ListQuery& query) override;

  absl::StatusOr<std::vector<v1::Model>> GetModels(const std::vector<std::string>& names, Transaction* tx) override;
  absl::StatusOr<std::vector<v1::Policy>> LivePolicies(const std::string& organization_id, Transaction* tx) override;
  absl::StatusOr<std::set<std::string>> ModelsSatisfying(const CheckedFilter& filter,
                                                         const std::vector<std::string>& model_names,
                                                         Transaction* tx) override;
  absl::Status RunAsOf(const google::protobuf::Timestamp& time, const TransactionBody& body) override;

  // Recomputes the derived columns of rows stored by another version of the kinds' descriptions.
  absl::StatusOr<int64_t> Backfill();

 private:
  ConnectionPool* pool_;
  ReadReplica* replica_ = nullptr;
};

}  // namespace modelreg

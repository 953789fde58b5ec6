#include "server/storage/governance_store.h"

#include <pqxx/pqxx>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"
#include "server/domain/resource/deployment_kind.h"
#include "server/domain/resource/model_kind.h"
#include "server/domain/resource/organization_kind.h"
#include "server/domain/resource/policy_kind.h"
#include "server/storage/as_of_tables.h"
#include "server/storage/resource_table.h"
#include "server/storage/sql/filter_sql.h"
#include "server/storage/statements.h"

namespace modelreg {
namespace {

constexpr char kLiveChild[] = "modelreg_organization_live_child";
constexpr char kLivePolicies[] = "modelreg_organization_live_policies";

const ResourceTable& Organizations() {
  static const auto* table = new ResourceTable(OrganizationKind());
  return *table;
}
const ResourceTable& Deployments() {
  static const auto* table = new ResourceTable(DeploymentKind());
  return *table;
}
// The models table, for reads inside a governance transaction (its statements are the model store's).
const ResourceTable& Models() {
  static const auto* table = new ResourceTable(ModelKind());
  return *table;
}
const ResourceTable& Policies() {
  static const auto* table = new ResourceTable(PolicyKind());
  return *table;
}

absl::Status NotFound(const std::string& name) { return absl::NotFoundError(absl::StrCat("`", name, "` not found")); }

// The organization id of a child's name (`organizations/{org}/deployments/{id}`), "" when it is not one.
std::string OrganizationIdOf(const std::string& name, absl::string_view collection) {
  absl::StatusOr<OrganizationChild> parsed = ParseOrganizationChildName(name, collection);
  return parsed.ok() ? parsed->organization : std::string();
}

// Locks the organization with id `id` FOR UPDATE. NOT_FOUND when it is missing, RESOURCE_DELETED when soft-deleted.
absl::Status LockLiveOrganization(Transaction& tx, const std::string& id) {
  const std::string name = OrganizationName(id);
  v1::Organization organization;
  MODELREG_ASSIGN_OR_RETURN(bool found, Organizations().Lock(tx, id, organization));
  if (!found) return NotFound(name);
  if (!organization.has_delete_time()) return absl::OkStatus();
  return ErrorWithReason(absl::StatusCode::kNotFound, "RESOURCE_DELETED",
                         absl::StrCat(name, " is deleted; undelete it first"), {{"resource", name}});
}

template <typename Message>
absl::StatusOr<Message> GetOne(ConnectionPool& pool, Transaction* in, const ResourceTable& table,
                               const std::string& name) {
  const std::string key = table.kind().KeyOf(name);
  std::vector<Message> found;
  MODELREG_RETURN_IF_ERROR(InOrSingle(pool, in, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(found, table.GetMany<Message>(tx, {key}));
    return absl::OkStatus();
  }));
  if (found.empty()) return NotFound(name);
  return std::move(found[0]);
}

template <typename Message>
absl::StatusOr<Page<Message>> ListPage(ConnectionPool& pool, ReadReplica* replica, const ResourceTable& table,
                                       const ListQuery& query) {
  Page<Message> page;
  MODELREG_RETURN_IF_ERROR(RunRead(pool, replica, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(page, table.List<Message>(tx, query));
    return absl::OkStatus();
  }));
  return page;
}

// Inserts a child of an organization: locks the organization, runs `check`, inserts.
template <typename Message>
absl::StatusOr<Message> CreateChild(ConnectionPool& pool, const ResourceTable& table, absl::string_view collection,
                                    const Message& record, const GovernanceRepository::Mutation<Message>& check) {
  const std::string organization = OrganizationIdOf(record.name(), collection);
  if (organization.empty()) return absl::InvalidArgumentError(absl::StrCat("invalid name `", record.name(), "`"));
  Message result;
  MODELREG_RETURN_IF_ERROR(RunTransaction(pool, [&](Transaction& tx) -> absl::Status {
    result = record;
    MODELREG_RETURN_IF_ERROR(LockLiveOrganization(tx, organization));
    MODELREG_RETURN_IF_ERROR(check(tx, result));
    MODELREG_ASSIGN_OR_RETURN(bool inserted, table.Insert(tx, result.name(), result));
    if (!inserted) return absl::AlreadyExistsError(absl::StrCat("`", record.name(), "` already exists"));
    return absl::OkStatus();
  }));
  return result;
}

// Locks the row of `name`, passes it to `mutate` and writes the result; `before` runs first in the transaction (the
// organization lock of a child, the in-use check of an organization runs in `after`).
template <typename Message>
absl::StatusOr<Message> UpdateOne(
    ConnectionPool& pool, const ResourceTable& table, const std::string& name,
    const GovernanceRepository::Mutation<Message>& mutate, const std::function<absl::Status(Transaction&)>& before,
    const std::function<absl::Status(Transaction&, bool was_deleted, bool deleted)>& after) {
  const std::string key = table.kind().KeyOf(name);
  Message result;
  MODELREG_RETURN_IF_ERROR(RunTransaction(pool, [&](Transaction& tx) -> absl::Status {
    if (before) MODELREG_RETURN_IF_ERROR(before(tx));
    Message stored;
    MODELREG_ASSIGN_OR_RETURN(bool found, table.Lock(tx, key, stored));
    if (!found) return NotFound(name);
    const bool was_deleted = stored.has_delete_time();
    MODELREG_RETURN_IF_ERROR(mutate(tx, stored));
    if (stored.name() != name) return absl::InvalidArgumentError("a resource's name cannot change");
    const bool deleted = stored.has_delete_time();
    if (after) MODELREG_RETURN_IF_ERROR(after(tx, was_deleted, deleted));
    MODELREG_ASSIGN_OR_RETURN(bool updated, table.Update(tx, key, stored, deleted));
    if (!updated) return NotFound(name);
    result = std::move(stored);
    return absl::OkStatus();
  }));
  return result;
}

// Runs `body` in `tx` when given, else in a single-statement transaction of its own.
absl::Status InOrSingle(ConnectionPool& pool, Transaction* tx, const TransactionBody& body) {
  if (tx != nullptr) return body(*tx);
  return RunSingleStatement(pool, body);
}

}  // namespace

namespace storage_internal {
const std::vector<PreparedStatement>& GovernanceStoreStatements() {
  static const auto* statements = [] {
    auto* all = new std::vector<PreparedStatement>();
    for (const ResourceTable* table : {&Organizations(), &Deployments(), &Policies()}) {
      const std::vector<PreparedStatement> own = table->Statements();
      all->insert(all->end(), own.begin(), own.end());
    }
    all->push_back({kLiveChild,
                    "SELECT c.name FROM (SELECT name FROM deployments WHERE organization = $1 AND delete_time IS NULL "
                    "UNION ALL SELECT name FROM policies WHERE organization = $1 AND delete_time IS NULL) c "
                    "ORDER BY c.name LIMIT 1"});
    all->push_back({kLivePolicies, absl::StrCat("SELECT ", Policies().record_columns(),
                                                " FROM policies p WHERE p.organization = $1 AND p.delete_time IS "
                                                "NULL ORDER BY p.name")});
    return all;
  }();
  return *statements;
}
}  // namespace storage_internal

absl::StatusOr<v1::Organization> GovernanceStore::CreateOrganization(const v1::Organization& organization) {
  const std::string key = Organizations().kind().KeyOf(organization.name());
  v1::Organization result = organization;
  MODELREG_RETURN_IF_ERROR(RunTransaction(*pool_, [&](Transaction& tx) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(bool inserted, Organizations().Insert(tx, key, result));
    if (!inserted) return absl::AlreadyExistsError(absl::StrCat("`", organization.name(), "` already exists"));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Organization> GovernanceStore::GetOrganization(const std::string& name, Transaction* tx) {
  return GetOne<v1::Organization>(*pool_, tx, Organizations(), name);
}

absl::StatusOr<v1::Organization> GovernanceStore::UpdateOrganization(const std::string& name,
                                                                     const Mutation<v1::Organization>& mutate) {
  const std::string id = Organizations().kind().KeyOf(name);
  return UpdateOne<v1::Organization>(
      *pool_, Organizations(), name, mutate, nullptr,
      [&](Transaction& tx, bool was_deleted, bool deleted) -> absl::Status {
        if (!deleted || was_deleted) return absl::OkStatus();
        const pqxx::result child = tx.sql().exec_prepared(kLiveChild, id);
        if (child.empty()) return absl::OkStatus();
        const auto child_name = child[0][0].as<std::string>();
        return PreconditionError(
            "ORGANIZATION_IN_USE", "REFERENCED_BY", child_name,
            absl::StrCat("`", name, "` has the live `", child_name, "`; delete its deployments and policies first"));
      });
}

absl::StatusOr<Page<v1::Organization>> GovernanceStore::ListOrganizations(const ListQuery& query) {
  return ListPage<v1::Organization>(*pool_, replica_, Organizations(), query);
}

absl::StatusOr<v1::Deployment> GovernanceStore::CreateDeployment(const v1::Deployment& deployment,
                                                                 const Mutation<v1::Deployment>& check) {
  return CreateChild<v1::Deployment>(*pool_, Deployments(), "deployments", deployment, check);
}

absl::StatusOr<v1::Deployment> GovernanceStore::GetDeployment(const std::string& name) {
  return GetOne<v1::Deployment>(*pool_, nullptr, Deployments(), name);
}

absl::StatusOr<v1::Deployment> GovernanceStore::UpdateDeployment(const std::string& name,
                                                                 const Mutation<v1::Deployment>& mutate) {
  const std::string organization = OrganizationIdOf(name, "deployments");
  if (organization.empty()) return NotFound(name);
  return UpdateOne<v1::Deployment>(
      *pool_, Deployments(), name, mutate, [&](Transaction& tx) { return LockLiveOrganization(tx, organization); },
      nullptr);
}

absl::StatusOr<Page<v1::Deployment>> GovernanceStore::ListDeployments(const ListQuery& query) {
  return ListPage<v1::Deployment>(*pool_, replica_, Deployments(), query);
}

absl::StatusOr<v1::Policy> GovernanceStore::CreatePolicy(const v1::Policy& policy, const Mutation<v1::Policy>& check) {
  return CreateChild<v1::Policy>(*pool_, Policies(), "policies", policy, check);
}

absl::StatusOr<v1::Policy> GovernanceStore::GetPolicy(const std::string& name) {
  return GetOne<v1::Policy>(*pool_, nullptr, Policies(), name);
}

absl::StatusOr<v1::Policy> GovernanceStore::UpdatePolicy(const std::string& name, const Mutation<v1::Policy>& mutate) {
  const std::string organization = OrganizationIdOf(name, "policies");
  if (organization.empty()) return NotFound(name);
  return UpdateOne<v1::Policy>(
      *pool_, Policies(), name, mutate, [&](Transaction& tx) { return LockLiveOrganization(tx, organization); },
      nullptr);
}

absl::StatusOr<Page<v1::Policy>> GovernanceStore::ListPolicies(const ListQuery& query) {
  return ListPage<v1::Policy>(*pool_, replica_, Policies(), query);
}

absl::StatusOr<std::vector<v1::Model>> GovernanceStore::GetModels(const std::vector<std::string>& names,
                                                                  Transaction* tx) {
  std::vector<v1::Model> models;
  MODELREG_RETURN_IF_ERROR(InOrSingle(*pool_, tx, [&](Transaction& t) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(models, Models().GetMany<v1::Model>(t, names));
    return absl::OkStatus();
  }));
  return models;
}

absl::StatusOr<std::vector<v1::Policy>> GovernanceStore::LivePolicies(const std::string& organization_id,
                                                                      Transaction* tx) {
  std::vector<v1::Policy> policies;
  MODELREG_RETURN_IF_ERROR(InOrSingle(*pool_, tx, [&](Transaction& t) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(policies,
                              Policies().Decode<v1::Policy>(t.sql().exec_prepared(kLivePolicies, organization_id)));
    return absl::OkStatus();
  }));
  return policies;
}

absl::StatusOr<std::set<std::string>> GovernanceStore::ModelsSatisfying(const CheckedFilter& filter,
                                                                        const std::vector<std::string>& model_names,
                                                                        Transaction* tx) {
  std::set<std::string> satisfying;
  if (model_names.empty()) return satisfying;
  const ResourceKind& models = ModelKind();
  std::vector<std::string> params = {ResourceTable::TextArray(model_names)};
  sql::ParamBinder binder(&params);
  const std::string condition = sql::FilterSql(filter, models, binder);
  const std::string sql = absl::StrCat("SELECT ", models.alias, ".name FROM ", models.table, " ", models.alias,
                                       " WHERE ", models.alias, ".name = ANY($1::text[]) AND ", condition);
  MODELREG_RETURN_IF_ERROR(InOrSingle(*pool_, tx, [&](Transaction& t) -> absl::Status {
    satisfying.clear();
    for (const pqxx::row& row : t.sql().exec_params(sql, pqxx::prepare::make_dynamic_params(params))) {
      satisfying.insert(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return satisfying;
}

absl::Status GovernanceStore::RunAsOf(const google::protobuf::Timestamp& time, const TransactionBody& body) {
  return ::modelreg::RunAsOf(*pool_, time, {"organizations", "deployments", "policies", "models", "licenses"}, body);
}

absl::StatusOr<int64_t> GovernanceStore::Backfill() {
  int64_t total = 0;
  for (const ResourceTable* table : {&Organizations(), &Deployments(), &Policies()}) {
    MODELREG_ASSIGN_OR_RETURN(int64_t rewritten, table->Backfill(*pool_, nullptr));
    total += rewritten;
  }
  return total;
}

}  // namespace modelreg

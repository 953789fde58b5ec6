#include "server/storage/kind_tables.h"

#include <memory>
#include <vector>

#include "server/domain/resource/deployment_kind.h"
#include "server/domain/resource/license_kind.h"
#include "server/domain/resource/model_kind.h"
#include "server/domain/resource/organization_kind.h"
#include "server/domain/resource/policy_kind.h"
#include "server/domain/resource/token_kind.h"

namespace modelreg {

const ResourceTable* TableOfKind(const std::string& table) {
  static const auto* tables = [] {
    auto* all = new std::vector<std::unique_ptr<ResourceTable>>();
    for (const ResourceKind* k :
         {&ModelKind(), &LicenseKind(), &TokenKind(), &OrganizationKind(), &DeploymentKind(), &PolicyKind()}) {
      all->push_back(std::make_unique<ResourceTable>(*k));
    }
    return all;
  }();
  for (const auto& t : *tables) {
    if (t->kind().table == table) return t.get();
  }
  return nullptr;
}

}  // namespace modelreg

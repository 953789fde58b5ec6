#include "server/domain/resource/policy_kind.h"

#include "modelreg/v1/policy.pb.h"
#include "server/domain/resource/field_builders.h"
#include "server/domain/resource/kind_columns.h"

namespace modelreg {
namespace {

using namespace resource_internal;  // NOLINT(google-build-using-namespace): the builders only
using v1::Policy;

ResourceKind BuildPolicyKind() {
  ResourceKind k;
  k.table = "policies";
  k.alias = "p";
  k.key_column = "name";
  k.prototype = &Policy::default_instance();
  k.columns.push_back(MakeColumn<Policy>("organization", ColumnType::kText,
                                         [](const Policy& p) { return OrganizationOf(p.name(), "policies"); }));
  k.columns.push_back(
      MakeColumn<Policy>("mode", ColumnType::kSmallint, [](const Policy& p) { return int64_t{p.mode()}; }));
  k.fields.push_back(Sortable(Text("name", "name"), KeyType::kText));
  k.fields.push_back(Text("organization", "organization", "organizations/"));
  k.fields.push_back(Enum("mode", "mode", Policy::Mode_descriptor()));
  AddTimeFields(k);
  FinishKind(k, "name");
  return k;
}

}  // namespace

const ResourceKind& PolicyKind() {
  static const ResourceKind* const kind = new ResourceKind(BuildPolicyKind());
  return *kind;
}

}  // namespace modelreg

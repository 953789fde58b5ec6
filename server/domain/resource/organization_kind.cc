#include "server/domain/resource/organization_kind.h"

#include <map>

#include "modelreg/v1/organization.pb.h"
#include "server/domain/resource/field_builders.h"
#include "server/domain/resource/kind_columns.h"

namespace modelreg {
namespace {

using namespace resource_internal;  // NOLINT(google-build-using-namespace): the builders only
using v1::Organization;

ResourceKind BuildOrganizationKind() {
  ResourceKind k;
  k.table = "organizations";
  k.alias = "o";
  k.key_column = "id";
  k.key_prefix = "organizations/";
  k.prototype = &Organization::default_instance();
  auto& c = k.columns;
  c.push_back(MakeColumn<Organization>(
      "display_name", ColumnType::kText, [](const Organization& o) { return o.display_name(); },
      /*byte_order=*/true));
  c.push_back(MakeColumn<Organization>(
      "country", ColumnType::kText, [](const Organization& o) { return o.country(); }, /*byte_order=*/true));
  c.push_back(MakeColumn<Organization>("commercial", ColumnType::kBoolean, [](const Organization& o) {
    return Optional(o.has_commercial(), o.commercial());
  }));
  c.push_back(MakeColumn<Organization>("monthly_active_users", ColumnType::kBigint, [](const Organization& o) {
    return Optional(o.has_monthly_active_users(), o.monthly_active_users());
  }));
  c.push_back(MakeColumn<Organization>("annual_revenue_usd", ColumnType::kBigint, [](const Organization& o) {
    return Optional(o.has_annual_revenue_usd(), o.annual_revenue_usd());
  }));
  c.push_back(MakeColumn<Organization>("labels", ColumnType::kJsonbMap, [](const Organization& o) {
    return std::map<std::string, std::string>(o.labels().begin(), o.labels().end());
  }));

  auto& f = k.fields;
  f.push_back(Sortable(Text("name", "id", "organizations/"), KeyType::kText));
  f.push_back(Sortable(Text("display_name", "display_name"), KeyType::kText));
  f.push_back(Text("country", "country"));
  f.push_back(Nullable(Field("commercial", FieldType::kBool, "commercial")));
  f.push_back(
      Sortable(Nullable(Field("monthly_active_users", FieldType::kInt, "monthly_active_users")), KeyType::kInt));
  f.push_back(Sortable(Nullable(Field("annual_revenue_usd", FieldType::kInt, "annual_revenue_usd")), KeyType::kInt));
  f.push_back(Field("labels", FieldType::kLabels, "labels"));
  AddTimeFields(k);
  FinishKind(k, "name");
  return k;
}

}  // namespace

const ResourceKind& OrganizationKind() {
  static const ResourceKind* const kind = new ResourceKind(BuildOrganizationKind());
  return *kind;
}

}  // namespace modelreg

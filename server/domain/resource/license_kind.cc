#include "server/domain/resource/license_kind.h"

#include "modelreg/v1/license.pb.h"
#include "server/domain/licenses/license_names.h"
#include "server/domain/openness/assessment.h"
#include "server/domain/resource/field_builders.h"

namespace modelreg {
namespace {

using namespace resource_internal;  // NOLINT(google-build-using-namespace): the builders only
using v1::License;

ResourceKind BuildLicenseKind() {
  ResourceKind k;
  k.table = "licenses";
  k.alias = "l";
  k.key_column = "id";
  k.key_prefix = "licenses/";
  k.prototype = &v1::License::default_instance();
  auto& c = k.columns;
  c.push_back(MakeColumn<License>(
      "display_name", ColumnType::kText, [](const License& l) { return l.display_name(); }, /*byte_order=*/true));
  c.push_back(MakeColumn<License>(
      "spdx_id", ColumnType::kText, [](const License& l) { return l.spdx_id(); }, /*byte_order=*/true));
  c.push_back(
      MakeColumn<License>("category", ColumnType::kSmallint, [](const License& l) { return int64_t{l.category()}; }));
  c.push_back(MakeColumn<License>("commercial_use", ColumnType::kSmallint,
                                  [](const License& l) { return int64_t{l.commercial_use()}; }));
  c.push_back(
      MakeColumn<License>("osi_approved", ColumnType::kBoolean, [](const License& l) { return l.osi_approved(); }));
  c.push_back(MakeColumn<License>("fsf_libre", ColumnType::kBoolean, [](const License& l) { return l.fsf_libre(); }));
  c.push_back(MakeColumn<License>("open_data", ColumnType::kBoolean, [](const License& l) { return l.open_data(); }));
  // The license traits the openness rules use (domain/openness/assessment.h), so a filter and a flag always agree.
  c.push_back(MakeColumn<License>("has_usage_threshold", ColumnType::kBoolean,
                                  [](const License& l) { return HasUsageThreshold(l); }));
  DerivedColumn restrictions = MakeColumn<License>("has_use_restrictions", ColumnType::kBoolean,
                                                   [](const License& l) { return HasUseRestrictions(l); });
  restrictions.rule_version = 2;  // 2: counts derivative_terms.restrictions_propagate, as the openness rules do
  c.push_back(restrictions);
  c.push_back(MakeColumn<License>("has_attribution_requirement", ColumnType::kBoolean,
                                  [](const License& l) { return HasAttributionRequirement(l); }));
  c.push_back(MakeColumn<License>("withheld_territories", ColumnType::kTextArray,
                                  [](const License& l) { return WithheldTerritories(l); }));
  // The names the license answers to (domain/licenses/license_names.h), for the alias lookup; not a filter field.
  c.push_back(
      MakeColumn<License>("alias_keys", ColumnType::kTextArray, [](const License& l) { return LicenseKeys(l); }));

  auto& f = k.fields;
  f.push_back(Sortable(Text("name", "id", "licenses/"), KeyType::kText));
  f.push_back(Sortable(Text("display_name", "display_name"), KeyType::kText));
  f.push_back(Sortable(Text("spdx_id", "spdx_id"), KeyType::kText));
  f.push_back(Sortable(Enum("category", "category", License::Category_descriptor()), KeyType::kInt));
  f.push_back(Enum("commercial_use", "commercial_use", License::CommercialUse_descriptor()));
  f.push_back(Field("osi_approved", FieldType::kBool, "osi_approved"));
  f.push_back(Field("fsf_libre", FieldType::kBool, "fsf_libre"));
  f.push_back(Field("open_data", FieldType::kBool, "open_data"));
  f.push_back(Field("has_usage_threshold", FieldType::kBool, "has_usage_threshold"));
  f.push_back(Field("has_use_restrictions", FieldType::kBool, "has_use_restrictions"));
  f.push_back(Field("has_attribution_requirement", FieldType::kBool, "has_attribution_requirement"));
  f.push_back(Field("usage_thresholds", FieldType::kPresence, "has_usage_threshold"));
  f.push_back(Field("use_restrictions", FieldType::kPresence, "has_use_restrictions"));
  f.push_back(Field("territorial_restrictions", FieldType::kTextSet, "withheld_territories"));
  AddTimeFields(k);
  FinishKind(k, "name");
  return k;
}

}  // namespace

const ResourceKind& LicenseKind() {
  static const ResourceKind* const kind = new ResourceKind(BuildLicenseKind());
  return *kind;
}

}  // namespace modelreg

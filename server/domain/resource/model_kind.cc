#include "server/domain/resource/model_kind.h"

#include <set>
#include <utility>

#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/openness.pb.h"
#include "server/domain/names.h"
#include "server/domain/resource/field_builders.h"
#include "server/domain/resource/license_kind.h"

namespace modelreg {
namespace {

using namespace resource_internal;  // NOLINT(google-build-using-namespace): the builders only
using v1::Model;

ColumnValue NullIfEmpty(std::string value) {
  if (value.empty()) return std::monostate();
  return value;
}

std::string PublisherOf(const std::string& name) {
  absl::StatusOr<ModelName> parsed = ParseModelName(name);
  return parsed.ok() ? parsed->publisher : std::string();
}

ResourceKind BuildModelKind() {
  ResourceKind k;
  k.table = "models";
  k.alias = "m";
  k.key_column = "name";
  k.prototype = &v1::Model::default_instance();
  auto& c = k.columns;
  c.push_back(MakeColumn<Model>("publisher", ColumnType::kText, [](const Model& m) { return PublisherOf(m.name()); }));
  c.push_back(MakeColumn<Model>(
      "display_name", ColumnType::kText, [](const Model& m) { return m.display_name(); }, /*byte_order=*/true));
  c.push_back(MakeColumn<Model>(
      "family", ColumnType::kText, [](const Model& m) { return m.family(); }, /*byte_order=*/true));
  c.push_back(MakeColumn<Model>(
      "version", ColumnType::kText, [](const Model& m) { return m.version(); }, /*byte_order=*/true));
  c.push_back(MakeColumn<Model>("release_date", ColumnType::kDate,
                                [](const Model& m) { return NullIfEmpty(m.release_date()); }));
  c.push_back(MakeColumn<Model>("parameter_count", ColumnType::kBigint, [](const Model& m) -> ColumnValue {
    if (m.parameter_count() == 0) return std::monostate();  // unknown
    return m.parameter_count();
  }));
  c.push_back(MakeColumn<Model>("active_parameter_count", ColumnType::kBigint, [](const Model& m) -> ColumnValue {
    if (m.active_parameter_count() == 0) return std::monostate();  // unknown, or not a mixture of experts
    return m.active_parameter_count();
  }));
  c.push_back(
      MakeColumn<Model>("modality", ColumnType::kSmallint, [](const Model& m) { return int64_t{m.modality()}; }));
  c.push_back(MakeColumn<Model>(
      "architecture", ColumnType::kText, [](const Model& m) { return m.architecture(); }, /*byte_order=*/true));
  c.push_back(
      MakeColumn<Model>("treatment", ColumnType::kSmallint, [](const Model& m) { return int64_t{m.treatment()}; }));
  c.push_back(MakeColumn<Model>("labels", ColumnType::kJsonbMap, [](const Model& m) {
    return std::map<std::string, std::string>(m.labels().begin(), m.labels().end());
  }));
  c.push_back(MakeColumn<Model>("base_model", ColumnType::kText, [](const Model& m) { return m.base_model(); }));
  c.push_back(MakeColumn<Model>("base_model_relation", ColumnType::kSmallint,
                                [](const Model& m) { return int64_t{m.base_model_relation()}; }));
  c.push_back(MakeColumn<Model>("weights_access", ColumnType::kSmallint,
                                [](const Model& m) { return int64_t{m.weights().access()}; }));
  c.push_back(MakeColumn<Model>("weights_license", ColumnType::kText,
                                [](const Model& m) { return NullIfEmpty(LicenseIdOf(m.weights().license())); }));
  c.push_back(
      MakeColumn<Model>("license_refs", ColumnType::kTextArray, [](const Model& m) { return LicenseIdsOf(m); }));
  c.push_back(MakeColumn<Model>("data_disclosure_level", ColumnType::kSmallint,
                                [](const Model& m) { return int64_t{m.data_disclosure().level()}; }));
  c.push_back(MakeColumn<Model>("openness_level", ColumnType::kSmallint,
                                [](const Model& m) { return int64_t{m.openness().level()}; }));
  c.push_back(MakeColumn<Model>("mof_class", ColumnType::kSmallint,
                                [](const Model& m) { return int64_t{m.openness().mof_class()}; }));
  c.push_back(MakeColumn<Model>("osaid_candidate", ColumnType::kBoolean,
                                [](const Model& m) { return m.openness().osaid_candidate(); }));
  c.push_back(MakeColumn<Model>("openness_flags", ColumnType::kSmallintArray, [](const Model& m) {
    return std::vector<int>(m.openness().flags().begin(), m.openness().flags().end());
  }));
  c.push_back(MakeColumn<Model>("rules_version", ColumnType::kInteger,
                                [](const Model& m) { return int64_t{m.openness().rules_version()}; }));

  const ResourceKind& license = LicenseKind();
  auto& f = k.fields;
  f.push_back(Sortable(Text("name", "name"), KeyType::kText));
  f.push_back(Sortable(Text("publisher", "publisher", "publishers/"), KeyType::kText));
  f.push_back(Sortable(Text("family", "family"), KeyType::kText));
  f.push_back(Sortable(Text("display_name", "display_name"), KeyType::kText));
  f.push_back(Sortable(Text("version", "version"), KeyType::kText));
  f.push_back(Sortable(Nullable(Field("release_date", FieldType::kDate, "release_date")), KeyType::kDate));
  f.push_back(Sortable(Nullable(Field("parameter_count", FieldType::kInt, "parameter_count")), KeyType::kInt));
  f.push_back(Nullable(Field("active_parameter_count", FieldType::kInt, "active_parameter_count")));
  f.push_back(Enum("modality", "modality", Model::Modality_descriptor()));
  f.push_back(Text("architecture", "architecture"));
  f.push_back(Enum("treatment", "treatment", Model::Treatment_descriptor()));
  f.push_back(Text("base_model", "base_model"));
  f.push_back(Enum("base_model_relation", "base_model_relation", Model::BaseModelRelation_descriptor()));
  f.push_back(Field("base_model_chain", FieldType::kLineage, "base_model"));
  f.push_back(Field("labels", FieldType::kLabels, "labels"));
  // license.* before weights.* so that `licence` suggests `license.category`.
  const std::string weights_license = "weights_license";
  f.push_back(Via(license, weights_license, Enum("license.category", "category", v1::License::Category_descriptor())));
  f.push_back(Via(license, weights_license,
                  Enum("license.commercial_use", "commercial_use", v1::License::CommercialUse_descriptor())));
  f.push_back(Via(license, weights_license, Field("license.osi_approved", FieldType::kBool, "osi_approved")));
  f.push_back(Via(license, weights_license, Field("license.fsf_libre", FieldType::kBool, "fsf_libre")));
  f.push_back(Via(license, weights_license, Field("license.open_data", FieldType::kBool, "open_data")));
  f.push_back(
      Via(license, weights_license, Field("license.has_usage_threshold", FieldType::kBool, "has_usage_threshold")));
  f.push_back(
      Via(license, weights_license, Field("license.has_use_restrictions", FieldType::kBool, "has_use_restrictions")));
  f.push_back(Via(license, weights_license,
                  Field("license.has_attribution_requirement", FieldType::kBool, "has_attribution_requirement")));
  f.push_back(Via(license, weights_license,
                  Field("license.territorial_restrictions", FieldType::kTextSet, "withheld_territories")));
  f.push_back(Enum("weights.access", "weights_access", v1::Weights::Access_descriptor()));
  f.push_back(Nullable(Text("weights.license", "weights_license", "licenses/")));
  f.push_back(Enum("data_disclosure.level", "data_disclosure_level", v1::DataDisclosure::Level_descriptor()));
  f.push_back(Sortable(SmallInt(Field("openness.level", FieldType::kInt, "openness_level")), KeyType::kInt));
  f.push_back(Sortable(Enum("openness.mof_class", "mof_class", v1::MofClass_descriptor()), KeyType::kInt));
  f.push_back(Field("openness.osaid_candidate", FieldType::kBool, "osaid_candidate"));
  FieldSpec flags = Field("openness.flags", FieldType::kEnumSet, "openness_flags");
  flags.enum_type = v1::OpennessFlag_descriptor();
  f.push_back(flags);
  AddTimeFields(k);
  FinishKind(k, "name");
  return k;
}

}  // namespace

std::vector<std::string> LicenseIdsOf(const v1::Model& model) {
  std::set<std::string> ids;
  auto add = [&ids](const std::string& reference) {
    std::string id = LicenseIdOf(reference);
    if (!id.empty()) ids.insert(std::move(id));
  };
  add(model.weights().license());
  for (const v1::Component& component : model.components()) add(component.license());
  for (const v1::Dataset& dataset : model.data_disclosure().datasets()) add(dataset.license());
  return {ids.begin(), ids.end()};
}

const ResourceKind& ModelKind() {
  static const ResourceKind* const kind = new ResourceKind(BuildModelKind());
  return *kind;
}

}  // namespace modelreg

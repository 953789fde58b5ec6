#include "server/domain/resource/deployment_kind.h"

#include <map>

#include "modelreg/v1/deployment.pb.h"
#include "server/domain/resource/field_builders.h"
#include "server/domain/resource/kind_columns.h"
#include "server/domain/resource/model_kind.h"

namespace modelreg {
namespace {

using namespace resource_internal;  // NOLINT(google-build-using-namespace): the builders only
using v1::Deployment;

ResourceKind BuildDeploymentKind() {
  ResourceKind k;
  k.table = "deployments";
  k.alias = "d";
  k.key_column = "name";
  k.prototype = &Deployment::default_instance();
  auto& c = k.columns;
  c.push_back(MakeColumn<Deployment>("organization", ColumnType::kText,
                                     [](const Deployment& d) { return OrganizationOf(d.name(), "deployments"); }));
  c.push_back(MakeColumn<Deployment>("model", ColumnType::kText, [](const Deployment& d) { return d.model(); }));
  c.push_back(MakeColumn<Deployment>("hosting", ColumnType::kSmallint,
                                     [](const Deployment& d) { return int64_t{d.hosting()}; }));
  c.push_back(MakeColumn<Deployment>("purpose_category", ColumnType::kSmallint,
                                     [](const Deployment& d) { return int64_t{d.purpose_category()}; }));
  c.push_back(MakeColumn<Deployment>(
      "product", ColumnType::kText, [](const Deployment& d) { return d.product(); }, /*byte_order=*/true));
  c.push_back(MakeColumn<Deployment>("product_monthly_active_users", ColumnType::kBigint, [](const Deployment& d) {
    return Optional(d.has_product_monthly_active_users(), d.product_monthly_active_users());
  }));
  c.push_back(MakeColumn<Deployment>(
      "distribute_as", ColumnType::kText, [](const Deployment& d) { return d.distribute_as(); },
      /*byte_order=*/true));
  c.push_back(MakeColumn<Deployment>("train_on_outputs", ColumnType::kBoolean, [](const Deployment& d) {
    return Optional(d.has_train_on_outputs(), d.train_on_outputs());
  }));
  c.push_back(MakeColumn<Deployment>("distillation", ColumnType::kBoolean, [](const Deployment& d) {
    return Optional(d.has_distillation(), d.distillation());
  }));
  c.push_back(MakeColumn<Deployment>(
      "owner", ColumnType::kText, [](const Deployment& d) { return d.owner(); }, /*byte_order=*/true));
  c.push_back(
      MakeColumn<Deployment>("state", ColumnType::kSmallint, [](const Deployment& d) { return int64_t{d.state()}; }));
  c.push_back(MakeColumn<Deployment>("overridden", ColumnType::kBoolean,
                                     [](const Deployment& d) { return !d.override().justification().empty(); }));
  c.push_back(MakeColumn<Deployment>("labels", ColumnType::kJsonbMap, [](const Deployment& d) {
    return std::map<std::string, std::string>(d.labels().begin(), d.labels().end());
  }));

  auto& f = k.fields;
  f.push_back(Sortable(Text("name", "name"), KeyType::kText));
  f.push_back(Text("organization", "organization", "organizations/"));
  f.push_back(Sortable(Text("model", "model"), KeyType::kText));
  f.push_back(Enum("hosting", "hosting", v1::Hosting_descriptor()));
  f.push_back(Enum("purpose_category", "purpose_category", Deployment::PurposeCategory_descriptor()));
  f.push_back(Sortable(Text("product", "product"), KeyType::kText));
  f.push_back(Sortable(Nullable(Field("product_monthly_active_users", FieldType::kInt, "product_monthly_active_users")),
                       KeyType::kInt));
  f.push_back(Text("distribute_as", "distribute_as"));
  f.push_back(Nullable(Field("train_on_outputs", FieldType::kBool, "train_on_outputs")));
  f.push_back(Nullable(Field("distillation", FieldType::kBool, "distillation")));
  f.push_back(Sortable(Text("owner", "owner"), KeyType::kText));
  f.push_back(Sortable(Enum("state", "state", Deployment::State_descriptor()), KeyType::kInt));
  f.push_back(Field("override", FieldType::kPresence, "overridden"));
  f.push_back(Field("labels", FieldType::kLabels, "labels"));
  AddTimeFields(k);
  // The deployed model's fields, through the reference: `model.openness.level < 3`, `model.license.category = ...`.
  AddViaFields(k, ModelKind(), "model", "model");
  FinishKind(k, "name");
  return k;
}

}  // namespace

const ResourceKind& DeploymentKind() {
  static const ResourceKind* const kind = new ResourceKind(BuildDeploymentKind());
  return *kind;
}

}  // namespace modelreg

#include "server/domain/catalog/catalog_sync.h"

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace modelreg {
namespace {

// One record: decide, then create or update. `Record` is v1::License or v1::Model.
template <typename Record, typename Get, typename Create, typename Update>
absl::Status SyncRecord(const Record& shipped, Get get, Create create, Update update, CatalogSyncReport* report) {
  MODELREG_ASSIGN_OR_RETURN(std::optional<Record> stored, get(shipped.name()));
  // A license found by an alias of its name is another license: the shipped one is not stored.
  if (stored.has_value() && stored->name() != shipped.name()) stored.reset();
  switch (DecideSync(shipped, stored)) {
    case CatalogAction::kCreate:
      MODELREG_RETURN_IF_ERROR(create(WithCatalogDigest(shipped)));
      ++report->created;
      break;
    case CatalogAction::kUpdate: {
      Record replacement = WithCatalogDigest(shipped);
      replacement.set_etag(stored->etag());
      MODELREG_RETURN_IF_ERROR(update(replacement));
      ++report->updated;
      break;
    }
    case CatalogAction::kSkipUserModified:
      report->skipped.push_back(shipped.name());
      break;
    case CatalogAction::kUnchanged:
      ++report->unchanged;
      break;
  }
  return absl::OkStatus();
}

}  // namespace

std::string CatalogSyncReport::Summary() const {
  return absl::StrCat("created ", created, ", updated ", updated, ", unchanged ", unchanged, ", kept ", skipped.size(),
                      " user-modified");
}

absl::StatusOr<CatalogSyncReport> SyncCatalog(const Catalog& catalog, CatalogTarget* target) {
  CatalogSyncReport report;
  for (const auto& [id, license] : catalog.licenses) {
    const std::string& license_id = id;
    MODELREG_RETURN_IF_ERROR(SyncRecord(
        license, [&](const std::string& name) { return target->GetLicense(name); },
        [&](const v1::License& record) { return target->CreateLicense(license_id, record); },
        [&](const v1::License& record) { return target->UpdateLicense(record); }, &report));
  }
  for (const v1::Model& model : catalog.models) {
    MODELREG_RETURN_IF_ERROR(SyncRecord(
        model, [&](const std::string& name) { return target->GetModel(name); },
        [&](const v1::Model& record) { return target->CreateModel(record); },
        [&](const v1::Model& record) { return target->UpdateModel(record); }, &report));
  }
  return report;
}

}  // namespace modelreg

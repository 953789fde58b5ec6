#include "server/service/license_resolution.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/errors.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"

namespace modelreg {
namespace {

constexpr size_t kMaxNameLength = 256;

// The part after `licenses/` when `name` has that prefix (any case) and a non-blank name of at most 256 bytes after
// it; nullopt otherwise.
std::optional<std::string> ResolvableKey(absl::string_view name) {
  if (!HasLicensePrefix(name)) return std::nullopt;
  if (name.size() - 9 > kMaxNameLength) return std::nullopt;
  std::string key = LicenseNameKey(name);
  if (key.empty()) return std::nullopt;
  return key;
}

// One reference of a model: its field path and the value in the record.
struct Reference {
  std::string field;
  std::string* value;
};

std::vector<Reference> MutableReferences(v1::Model* model, const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + ".";
  std::vector<Reference> refs;
  if (!model->weights().license().empty()) {
    refs.push_back({p + "weights.license", model->mutable_weights()->mutable_license()});
  }
  for (int i = 0; i < model->components_size(); ++i) {
    if (!model->components(i).license().empty()) {
      refs.push_back({absl::StrCat(p, "components[", i, "].license"), model->mutable_components(i)->mutable_license()});
    }
  }
  for (int i = 0; i < model->data_disclosure().datasets_size(); ++i) {
    v1::Dataset* dataset = model->mutable_data_disclosure()->mutable_datasets(i);
    if (!dataset->license().empty()) {
      refs.push_back({absl::StrCat(p, "data_disclosure.datasets[", i, "].license"), dataset->mutable_license()});
    }
  }
  return refs;
}

absl::Status Ambiguous(absl::string_view field, absl::string_view name, const std::vector<std::string>& candidates) {
  return InvalidFieldError(field,
                           absl::StrCat("`", name.substr(0, 80), "` is an alias of several licenses (",
                                        absl::StrJoin(candidates, ", "), "); name one by its id"),
                           "LICENSE_ALIAS_AMBIGUOUS");
}

}  // namespace

absl::Status LoadLicenses(LicenseRepository& repository, const std::vector<std::string>& names, Transaction* tx,
                          LicenseResolver* resolver) {
  std::vector<std::string> exact;
  for (const std::string& name : names) {
    if (!LicenseIdOf(name).empty() && resolver->Resolve(name).license == nullptr) exact.push_back(name);
  }
  if (!exact.empty()) {
    MODELREG_ASSIGN_OR_RETURN(std::vector<v1::License> found, repository.GetMany(exact, tx));
    for (const v1::License& license : found) resolver->Add(license);
  }
  std::vector<std::string> keys;
  for (const std::string& name : names) {
    const std::optional<std::string> key = ResolvableKey(name);
    if (!key.has_value()) continue;
    const LicenseResolution resolution = resolver->Resolve(name);
    if (resolution.license == nullptr && resolution.ambiguous.empty()) keys.push_back(*key);
  }
  if (!keys.empty()) {
    MODELREG_ASSIGN_OR_RETURN(std::vector<v1::License> found, repository.FindByKeys(keys, tx));
    for (const v1::License& license : found) resolver->Add(license);
  }
  return absl::OkStatus();
}

absl::StatusOr<LicenseMap> ResolveModelLicenses(LicenseRepository& repository, v1::Model* model,
                                                const std::string& prefix, Transaction* tx, LicenseResolver* resolver) {
  std::vector<Reference> refs = MutableReferences(model, prefix);
  std::vector<std::string> names;
  names.reserve(refs.size());
  for (const Reference& ref : refs) names.push_back(*ref.value);
  MODELREG_RETURN_IF_ERROR(LoadLicenses(repository, names, tx, resolver));
  LicenseMap map;
  for (Reference& ref : refs) {
    if (!ResolvableKey(*ref.value).has_value()) continue;  // not `licenses/...`: validation names the field
    const LicenseResolution resolution = resolver->Resolve(*ref.value);
    if (!resolution.ambiguous.empty()) return Ambiguous(ref.field, *ref.value, resolution.ambiguous);
    if (resolution.license == nullptr) {
      return InvalidFieldError(ref.field,
                               absl::StrCat("unknown license `", ref.value->substr(0, 300),
                                            "`: no license has this id or alias; create it first"),
                               "UNKNOWN_LICENSE");
    }
    const v1::License& license = *resolution.license;
    if (license.has_delete_time()) {
      return InvalidFieldError(ref.field, absl::StrCat("license `", license.name(), "` is deleted"), "LICENSE_DELETED");
    }
    *ref.value = license.name();
    map.emplace(license.name(), license);
  }
  return map;
}

absl::StatusOr<v1::License> FindLicense(LicenseRepository& repository, const std::string& name) {
  if (!ResolvableKey(name).has_value()) {
    return WithReason(ParseLicenseName(name).status(), "INVALID_NAME");
  }
  LicenseResolver resolver;
  MODELREG_RETURN_IF_ERROR(LoadLicenses(repository, {name}, nullptr, &resolver));
  const LicenseResolution resolution = resolver.Resolve(name);
  if (!resolution.ambiguous.empty()) return Ambiguous("name", name, resolution.ambiguous);
  if (resolution.license == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("license `", name.substr(0, 300), "` not found (no license has this id or alias)"));
  }
  return *resolution.license;
}

}  // namespace modelreg

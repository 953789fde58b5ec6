#include "server/domain/catalog/catalog.h"

#include <cstdint>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "schema/embedded_catalog.h"
#include "server/common/status_macros.h"
#include "server/common/yaml_json.h"
#include "server/domain/names.h"

namespace modelreg {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

absl::Status Invalid(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

absl::StatusOr<std::string> StructToJson(const Struct& item) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto status = google::protobuf::util::MessageToJsonString(item, &json, options);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return json;
}

absl::Status ParseItem(const Struct& item, google::protobuf::Message* message, absl::string_view where) {
  MODELREG_ASSIGN_OR_RETURN(std::string json, StructToJson(item));
  absl::Status status = ParseYamlOrJson(json, message);
  if (!status.ok()) return Invalid(where, status.message());
  return absl::OkStatus();
}

absl::Status ParseLicenses(const Value& list, Catalog* catalog, std::set<std::string>* seen) {
  if (list.kind_case() != Value::kListValue) return absl::InvalidArgumentError("`licenses` must be a list");
  int index = 0;
  for (const Value& value : list.list_value().values()) {
    std::string where = absl::StrCat("licenses[", index++, "]");
    if (value.kind_case() != Value::kStructValue) return Invalid(where, "must be a mapping");
    Struct item = value.struct_value();
    auto id_it = item.fields().find("license_id");
    if (id_it == item.fields().end() || id_it->second.kind_case() != Value::kStringValue) {
      return Invalid(where, "needs a string `license_id`");
    }
    const std::string id = id_it->second.string_value();
    where = absl::StrCat(where, " (", id, ")");
    if (!IsValidLicenseId(id)) {
      return Invalid(where, "`license_id` must be 1-63 chars of a-z, 0-9, `-._+`, starting with a letter or digit");
    }
    if (item.fields().count("name") > 0) return Invalid(where, "set `license_id`, not `name`");
    item.mutable_fields()->erase("license_id");
    v1::License license;
    MODELREG_RETURN_IF_ERROR(ParseItem(item, &license, where));
    if (license.has_create_time() || license.has_update_time() || license.has_delete_time() ||
        !license.etag().empty()) {
      return Invalid(where, "output-only fields (times, etag) must not be set");
    }
    if (license.labels().count(kCatalogDigestLabel) > 0) {
      return Invalid(where, absl::StrCat("the label ", kCatalogDigestLabel, " is set by the sync, not the catalog"));
    }
    license.set_name(LicenseName(id));
    if (!seen->insert(license.name()).second) return Invalid(where, "duplicate license id");
    catalog->licenses.emplace_back(id, std::move(license));
  }
  return absl::OkStatus();
}

absl::Status ParseModels(const Value& list, Catalog* catalog, std::set<std::string>* seen) {
  if (list.kind_case() != Value::kListValue) return absl::InvalidArgumentError("`models` must be a list");
  int index = 0;
  for (const Value& value : list.list_value().values()) {
    std::string where = absl::StrCat("models[", index++, "]");
    if (value.kind_case() != Value::kStructValue) return Invalid(where, "must be a mapping");
    const Struct& item = value.struct_value();
    auto name_it = item.fields().find("name");
    if (name_it == item.fields().end() || name_it->second.kind_case() != Value::kStringValue) {
      return Invalid(where, "needs a string `name`");
    }
    where = absl::StrCat(where, " (", name_it->second.string_value(), ")");
    if (!ParseModelName(name_it->second.string_value()).ok()) {
      return Invalid(where, "`name` must be publishers/{publisher}/models/{model}, lowercase");
    }
    v1::Model model;
    MODELREG_RETURN_IF_ERROR(ParseItem(item, &model, where));
    if (model.has_create_time() || model.has_update_time() || model.has_delete_time() || !model.etag().empty() ||
        model.revision() != 0 || model.has_openness()) {
      return Invalid(where, "output-only fields (times, etag, revision, openness) must not be set");
    }
    if (model.labels().count(kCatalogDigestLabel) > 0) {
      return Invalid(where, absl::StrCat("the label ", kCatalogDigestLabel, " is set by the sync, not the catalog"));
    }
    if (!seen->insert(model.name()).second) return Invalid(where, "duplicate model name");
    catalog->models.push_back(std::move(model));
  }
  return absl::OkStatus();
}

absl::Status ParseInto(absl::string_view text, Catalog* catalog, std::set<std::string>* seen) {
  MODELREG_ASSIGN_OR_RETURN(std::string json, YamlToJson(text));
  Value root;
  auto status = google::protobuf::util::JsonStringToMessage(json, &root);
  if (!status.ok()) return absl::InvalidArgumentError(std::string(status.message()));
  if (root.kind_case() == Value::kNullValue) return absl::OkStatus();  // an empty document
  if (root.kind_case() != Value::kStructValue) {
    return absl::InvalidArgumentError("a catalog document must be a mapping with `licenses` and/or `models`");
  }
  for (const auto& [key, value] : root.struct_value().fields()) {
    if (key != "licenses" && key != "models") {
      return absl::InvalidArgumentError(absl::StrCat("unknown top-level key `", key, "`"));
    }
  }
  // Licenses before models, whatever the key order in the document.
  const auto& fields = root.struct_value().fields();
  if (auto it = fields.find("licenses"); it != fields.end()) {
    MODELREG_RETURN_IF_ERROR(ParseLicenses(it->second, catalog, seen));
  }
  if (auto it = fields.find("models"); it != fields.end()) {
    MODELREG_RETURN_IF_ERROR(ParseModels(it->second, catalog, seen));
  }
  return absl::OkStatus();
}

std::string Fnv1a64Hex(const std::string& bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[hash & 0xf];
    hash >>= 4;
  }
  return out;
}

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

v1::Model UserFields(v1::Model model) {
  model.clear_create_time();
  model.clear_update_time();
  model.clear_delete_time();
  model.clear_etag();
  model.clear_revision();
  model.clear_openness();
  model.mutable_labels()->erase(kCatalogDigestLabel);
  return model;
}

v1::License UserFields(v1::License license) {
  license.clear_create_time();
  license.clear_update_time();
  license.clear_delete_time();
  license.clear_etag();
  license.mutable_labels()->erase(kCatalogDigestLabel);
  return license;
}

template <typename Record>
CatalogAction Decide(const Record& shipped, const std::optional<Record>& stored) {
  if (!stored.has_value()) return CatalogAction::kCreate;
  // A deletion is a user's change too: never resurrect or rewrite a soft-deleted record.
  if (stored->has_delete_time()) return CatalogAction::kSkipUserModified;
  const std::string current = CatalogDigest(*stored);
  if (current == CatalogDigest(shipped)) return CatalogAction::kUnchanged;
  auto label = stored->labels().find(kCatalogDigestLabel);
  if (label != stored->labels().end() && label->second == current) return CatalogAction::kUpdate;
  return CatalogAction::kSkipUserModified;
}

}  // namespace

absl::StatusOr<Catalog> ParseCatalog(absl::string_view text) {
  Catalog catalog;
  std::set<std::string> seen;
  MODELREG_RETURN_IF_ERROR(ParseInto(text, &catalog, &seen));
  return catalog;
}

absl::StatusOr<Catalog> LoadEmbeddedCatalog() {
  Catalog catalog;
  std::set<std::string> seen;
  for (const EmbeddedFile& file : EmbeddedCatalogFiles()) {
    absl::Status status = ParseInto(file.content, &catalog, &seen);
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat("catalog/", file.name, ": ", status.message()));
    }
  }
  return catalog;
}

std::string CatalogDigest(const v1::Model& model) { return Fnv1a64Hex(DeterministicBytes(UserFields(model))); }

std::string CatalogDigest(const v1::License& license) { return Fnv1a64Hex(DeterministicBytes(UserFields(license))); }

v1::Model WithCatalogDigest(v1::Model model) {
  const std::string digest = CatalogDigest(model);
  (*model.mutable_labels())[kCatalogDigestLabel] = digest;
  return model;
}

v1::License WithCatalogDigest(v1::License license) {
  const std::string digest = CatalogDigest(license);
  (*license.mutable_labels())[kCatalogDigestLabel] = digest;
  return license;
}

const char* CatalogActionName(CatalogAction action) {
  switch (action) {
    case CatalogAction::kCreate:
      return "CREATE";
    case CatalogAction::kUpdate:
      return "UPDATE";
    case CatalogAction::kSkipUserModified:
      return "SKIP_USER_MODIFIED";
    case CatalogAction::kUnchanged:
      return "UNCHANGED";
  }
  return "";
}

CatalogAction DecideSync(const v1::Model& shipped, const std::optional<v1::Model>& stored) {
  return Decide(shipped, stored);
}

CatalogAction DecideSync(const v1::License& shipped, const std::optional<v1::License>& stored) {
  return Decide(shipped, stored);
}

}  // namespace modelreg

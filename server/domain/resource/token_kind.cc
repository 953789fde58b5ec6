#include "server/domain/resource/token_kind.h"

#include "absl/strings/escaping.h"
#include "modelreg/storage/v1/stored_token.pb.h"
#include "server/domain/resource/field_builders.h"

namespace modelreg {
namespace {

using namespace resource_internal;  // NOLINT(google-build-using-namespace): the builders only
using storage::v1::StoredToken;

ResourceKind BuildTokenKind() {
  ResourceKind k;
  k.table = "tokens";
  k.alias = "t";
  k.key_column = "id";
  k.key_prefix = "tokens/";
  k.prototype = &StoredToken::default_instance();
  k.columns.push_back(MakeColumn<StoredToken>(
      "secret_sha256", ColumnType::kText,
      [](const StoredToken& t) { return absl::BytesToHexString(t.secret_sha256()); },
      /*byte_order=*/true));
  k.columns.push_back(MakeColumn<StoredToken>(
      "principal", ColumnType::kText, [](const StoredToken& t) { return t.token().principal(); },
      /*byte_order=*/true));
  k.fields.push_back(Sortable(Text("name", "id", "tokens/"), KeyType::kText));
  k.fields.push_back(Text("principal", "principal"));
  AddTimeFields(k);
  FinishKind(k, "name");
  return k;
}

}  // namespace

const ResourceKind& TokenKind() {
  static const ResourceKind* const kind = new ResourceKind(BuildTokenKind());
  return *kind;
}

}  // namespace modelreg

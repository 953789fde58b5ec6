// ListModels / ListLicenses: the parent and the request fields bound into page tokens; the shared checking is in
// list_compile.h.
#include "server/domain/query/model_query.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/common/status_macros.h"
#include "server/domain/names.h"
#include "server/domain/query/list_compile.h"
#include "server/domain/resource/license_kind.h"
#include "server/domain/resource/model_kind.h"

namespace modelreg {
namespace {

ListParams Params(const v1::ListModelsRequest& r) {
  return {&ModelKind(),     r.parent(),    r.filter(),     r.order_by(),
          r.show_deleted(), r.page_size(), r.page_token(), r.has_read_time() ? &r.read_time() : nullptr};
}
ListParams Params(const v1::ListLicensesRequest& r) {
  return {&LicenseKind(), "", r.filter(), r.order_by(), r.show_deleted(), r.page_size(), r.page_token(), nullptr};
}

}  // namespace

void RestrictToPublishers(const std::vector<std::string>& publisher_ids, ListQuery& query) {
  RestrictTo(ModelKind(), "publisher", publisher_ids, query);
}

absl::StatusOr<ListQuery> CompileListModels(const v1::ListModelsRequest& request) {
  MODELREG_ASSIGN_OR_RETURN(std::string id, ParsePublisherName(request.parent(), /*allow_wildcard=*/true, "parent"));
  std::vector<Predicate> parent;
  if (id != "-") parent.push_back(EqualsPredicate(ModelKind(), "publisher", std::move(id)));
  return CompileListQuery(Params(request), std::move(parent));
}
absl::StatusOr<ListQuery> CompileListLicenses(const v1::ListLicensesRequest& request) {
  return CompileListQuery(Params(request), {});
}

std::string MakeNextPageToken(const v1::ListModelsRequest& request,
                              const std::vector<std::optional<std::string>>& last_key) {
  return NextPageToken(Params(request), last_key);
}
std::string MakeNextPageToken(const v1::ListLicensesRequest& request,
                              const std::vector<std::optional<std::string>>& last_key) {
  return NextPageToken(Params(request), last_key);
}

}  // namespace modelreg

// Checks ListModels / ListLicenses requests (parent, filter, order_by, page token, page size) into a ListQuery. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "modelreg/v1/license_catalog.pb.h"
#include "modelreg/v1/model_registry.pb.h"
#include "server/domain/query/list_query.h"

namespace modelreg {

// Builds the ListQuery for a ListModels request. INVALID_ARGUMENT naming the field (`filter`, `order_by`,
// `page_token`, `page_size`, `parent`) with the position and what was expected.
absl::StatusOr<ListQuery> CompileListModels(const v1::ListModelsRequest& request);
absl::StatusOr<ListQuery> CompileListLicenses(const v1::ListLicensesRequest& request);

// Narrows a ListModels query to models of `publisher_ids` (the caller's readable publishers, see
// ReadablePublishers in domain/auth/auth.h): one `publisher = id` predicate, or their OR. `publisher_ids` must not
// be empty.
void RestrictToPublishers(const std::vector<std::string>& publisher_ids, ListQuery& query);

// The opaque token resuming after the row whose ordering keys are `last_key`, bound to the request's filter,
// order_by, parent, show_deleted and read_time.
std::string MakeNextPageToken(const v1::ListModelsRequest& request,
                              const std::vector<std::optional<std::string>>& last_key);
std::string MakeNextPageToken(const v1::ListLicensesRequest& request,
                              const std::vector<std::optional<std::string>>& last_key);

}  // namespace modelreg

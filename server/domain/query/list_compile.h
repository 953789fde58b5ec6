// What every List request shares, checked into a ListQuery (domain/query/list_query.h): page size, filter, order_by
// and the keyset page token, against the request's resource kind. Each kind's List request maps onto ListParams
// (model_query.h, governance_query.h) and adds its parent's restriction. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/domain/query/list_query.h"

namespace modelreg {

// The fields of a List request; all but page_size and page_token are bound into its page tokens.
struct ListParams {
  const ResourceKind* kind;
  std::string parent;  // as the request gives it; "" for kinds without a parent
  std::string filter;
  std::string order_by;
  bool show_deleted;
  int32_t page_size;
  std::string page_token;
  const google::protobuf::Timestamp* read_time;  // null: now
};

// INVALID_ARGUMENT naming the field (`filter`, `order_by`, `page_token`, `page_size`) with the position and what was
// expected. `parent`: the restrictions the request's parent implies (e.g. `publisher = meta-llama`), already checked.
absl::StatusOr<ListQuery> CompileListQuery(const ListParams& params, std::vector<Predicate> parent);

// The opaque token resuming after the row whose ordering keys are `last_key`, bound to `params`.
std::string NextPageToken(const ListParams& params, const std::vector<std::optional<std::string>>& last_key);

// `field = value` on `kind` (a field that exists; its value already normalized, e.g. an id without prefix).
Predicate EqualsPredicate(const ResourceKind& kind, absl::string_view field, std::string value);

// Narrows `query` to rows whose `field` is one of `values` (the caller's readable scopes): one equality, or their OR.
// `values` must not be empty.
void RestrictTo(const ResourceKind& kind, absl::string_view field, const std::vector<std::string>& values,
                ListQuery& query);

}  // namespace modelreg

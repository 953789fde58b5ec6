// A checked List request over one resource kind: what the storage layer needs to build the query, with no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "google/protobuf/timestamp.pb.h"
#include "server/domain/query/filter_check.h"
#include "server/domain/resource/resource_kind.h"

namespace modelreg {

struct OrderKey {
  const FieldSpec* field;
  bool desc;
};

struct ListQuery {
  const ResourceKind* kind = nullptr;
  // Equality restrictions from the request's parent (`publisher = meta-llama`), ANDed first.
  std::vector<Predicate> parent;
  // The caller's authorization scope (e.g. `publisher = "a" OR publisher = "b"` for a viewer of two publishers),
  // ANDed like `parent`. Not part of the page token's fingerprint: it is the same on every page of one caller.
  std::optional<CheckedFilter> scope;
  bool show_deleted = false;
  std::optional<CheckedFilter> filter;
  // Ordering keys; the last is always the kind's primary key.
  std::vector<OrderKey> order;
  // From the page token: the previous page's last key values, one per ordering key, validated for its KeyType.
  std::optional<std::vector<std::string>> after;
  // When set, the List as it was at that time, read from the history: ModelRepository::List answers it from the
  // records each model had then. Set by the service once checked (CheckReadTime of domain/validation.h); the
  // request's read_time is bound into page tokens either way (ListParams).
  std::optional<google::protobuf::Timestamp> read_time;
  // Rows to return. The store fetches limit + 1 to tell whether another page follows.
  int limit = 50;
  // Page byte budget: the page stops before the rows' stored record bytes (+ kResponseBytesPerRecord each) would
  // exceed it, with a next page token, though it always holds at least one row; 0 for none.
  // CompileList* set it to ResponseRecordBudget() (server/common/limits.h).
  int64_t max_bytes = 0;
};

}  // namespace modelreg

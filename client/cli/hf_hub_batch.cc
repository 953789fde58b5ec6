#include "client/cli/hf_hub_batch.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "client/cli/import_commands.h"
#include "client/error_details.h"
#include "server/common/status_macros.h"
#include "server/domain/query/filter_parser.h"
#include "server/domain/request_id.h"

namespace modelreg::cli {
namespace {

// A filter naming models, with the number of names in it.
struct NamesFilter {
  std::string filter;
  int names = 0;
};

// `name = "..." OR ...` filters naming the models `request` creates, each within the server's filter limits (valid
// names need no escapes).
std::vector<NamesFilter> NamesFilters(const v1::BatchCreateModelsRequest& request) {
  std::vector<NamesFilter> filters;
  for (const v1::CreateModelRequest& create : request.requests()) {
    const std::string term = absl::StrCat("name = \"", create.model().name(), "\"");
    if (filters.empty() || filters.back().names == kMaxFilterTerms ||
        filters.back().filter.size() + 4 + term.size() > kMaxFilterLength) {
      filters.emplace_back();
    }
    NamesFilter& last = filters.back();
    absl::StrAppend(&last.filter, last.names > 0 ? " OR " : "", term);
    ++last.names;
  }
  return filters;
}

// Adds the stored models (soft-deleted ones included) that `names` names to `stored`, moved out of the responses
// (Client::ForEachModel would hand them out as const&, to be copied).
absl::Status ListNamed(Client& client, const NamesFilter& names, std::map<std::string, v1::Model>* stored) {
  v1::ListModelsRequest request;
  request.set_parent("publishers/-");
  request.set_filter(names.filter);
  request.set_show_deleted(true);
  request.set_page_size(names.names);
  do {
    MODELREG_ASSIGN_OR_RETURN(v1::ListModelsResponse page, client.ListModels(request));
    for (v1::Model& model : *page.mutable_models()) {
      std::string name = model.name();
      stored->emplace(std::move(name), std::move(model));
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return absl::OkStatus();
}

// The stored models (soft-deleted ones included) among the models `request` creates, by name: one List after another
// (four at once made the import slower: the CLI, modelregd and PostgreSQL already share the machine's cores).
absl::StatusOr<std::map<std::string, v1::Model>> StoredModels(Client& client,
                                                              const v1::BatchCreateModelsRequest& request) {
  std::map<std::string, v1::Model> stored;
  for (const NamesFilter& names : NamesFilters(request)) MODELREG_RETURN_IF_ERROR(ListNamed(client, names, &stored));
  return stored;
}

}  // namespace

std::string BatchRequestId(const std::string& run_id, uint64_t offset) {
  const std::string hex = absl::StrFormat("%016x", offset);
  return absl::StrCat(run_id.substr(0, 19), hex.substr(0, 4), "-", hex.substr(4));
}

v1::BatchCreateModelsRequest BatchRequest(const std::vector<HubItem>& items, std::string request_id) {
  v1::BatchCreateModelsRequest request;
  request.set_parent("publishers/-");
  request.set_request_id(std::move(request_id));
  for (const HubItem& item : items) *request.add_requests() = *CreateRequest(item.model);  // names validated
  return request;
}

BatchAnswer SendBatch(Client& client, v1::BatchCreateModelsRequest request, bool look_up_first) {
  BatchAnswer answer;
  if (look_up_first) {
    answer.looked_up = true;
    absl::StatusOr<std::map<std::string, v1::Model>> stored = StoredModels(client, request);
    if (!stored.ok()) {
      answer.lookup = stored.status();
      return answer;
    }
    answer.stored = *std::move(stored);
    v1::BatchCreateModelsRequest others;
    others.set_parent(request.parent());
    others.set_request_id(GenerateRequestId());
    for (v1::CreateModelRequest& create : *request.mutable_requests()) {
      if (answer.stored.count(create.model().name()) == 0) *others.add_requests() = std::move(create);
    }
    if (others.requests().empty()) return answer;
    request = std::move(others);
  }
  answer.created = client.BatchCreateModels(request);
  return answer;
}

bool StopsImport(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnimplemented:
      return true;
    default:
      return false;
  }
}

int ItemOf(const absl::Status& status) {
  for (const FieldViolation& violation : GetErrorDetails(status).field_violations) {
    absl::string_view field = violation.field;
    if (!absl::ConsumePrefix(&field, "requests[")) continue;
    const size_t end = field.find(']');
    int index = -1;
    if (end != absl::string_view::npos && absl::SimpleAtoi(field.substr(0, end), &index)) return index;
  }
  return -1;
}

}  // namespace modelreg::cli

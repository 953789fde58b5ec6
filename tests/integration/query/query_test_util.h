// Helpers shared by the query integration tests: walking every page of a List through the gRPC API.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tests/integration/api/api_test_server.h"

namespace modelreg::testing {

// Lists every page of `request` (page_size as set, page_token ignored) and returns the names in order. Stops with an
// error after `max_pages` pages so that a token that never ends cannot hang the test.
inline absl::StatusOr<std::vector<std::string>> WalkModels(ApiTestServer& server, v1::ListModelsRequest request,
                                                           int max_pages = 10000) {
  std::vector<std::string> names;
  request.clear_page_token();
  for (int page = 0; page < max_pages; ++page) {
    auto response = Call(server.models(), &v1::ModelRegistry::Stub::ListModels, request);
    if (!response.ok()) return response.status();
    if (request.page_size() > 0 && response->models_size() > request.page_size()) {
      return absl::InternalError(absl::StrCat("page of ", response->models_size(), " > page_size"));
    }
    for (const auto& m : response->models()) names.push_back(m.name());
    if (response->next_page_token().empty()) return names;
    request.set_page_token(response->next_page_token());
  }
  return absl::InternalError("too many pages");
}

inline absl::StatusOr<std::vector<std::string>> WalkLicenses(ApiTestServer& server, v1::ListLicensesRequest request,
                                                             int max_pages = 10000) {
  std::vector<std::string> names;
  request.clear_page_token();
  for (int page = 0; page < max_pages; ++page) {
    auto response = Call(server.licenses(), &v1::LicenseCatalog::Stub::ListLicenses, request);
    if (!response.ok()) return response.status();
    if (request.page_size() > 0 && response->licenses_size() > request.page_size()) {
      return absl::InternalError(absl::StrCat("page of ", response->licenses_size(), " > page_size"));
    }
    for (const auto& l : response->licenses()) names.push_back(l.name());
    if (response->next_page_token().empty()) return names;
    request.set_page_token(response->next_page_token());
  }
  return absl::InternalError("too many pages");
}

}  // namespace modelreg::testing

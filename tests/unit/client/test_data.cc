#include "tests/unit/client/test_data.h"

#include <cstdlib>
#include <iostream>

#include "server/domain/catalog/catalog.h"

namespace modelreg::cli::testing {

std::vector<v1::License> ShippedLicenses() {
  absl::StatusOr<Catalog> catalog = LoadEmbeddedCatalog();
  if (!catalog.ok()) {
    std::cerr << "the embedded catalog does not load: " << catalog.status() << "\n";
    std::abort();
  }
  std::vector<v1::License> licenses;
  for (const auto& entry : catalog->licenses) licenses.push_back(entry.second);
  return licenses;
}

}  // namespace modelreg::cli::testing

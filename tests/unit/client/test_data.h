// Reads sample files from tests/data, and the licenses the importers resolve names against in tests.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "modelreg/v1/license.pb.h"

namespace modelreg::cli::testing {

inline std::string TestData(const std::string& relative_path) {
  std::ifstream in(std::string(MODELREG_TEST_DATA_DIR) + "/" + relative_path, std::ios::binary);
  if (!in) return "<missing test file " + relative_path + ">";
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The licenses of the shipped catalog (schema/catalog/licenses.yaml), as a registry loaded with it holds them.
std::vector<v1::License> ShippedLicenses();

}  // namespace modelreg::cli::testing

// Reads sample files from tests/data.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

namespace modelreg::cli::testing {

inline std::string TestData(const std::string& relative_path) {
  std::ifstream in(std::string(MODELREG_TEST_DATA_DIR) + "/" + relative_path, std::ios::binary);
  if (!in) return "<missing test file " + relative_path + ">";
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace modelreg::cli::testing

// What an importer returns: the model record it read and the warnings a person should see.
#pragma once

#include <string>
#include <vector>

#include "modelreg/v1/model.pb.h"

namespace modelreg::cli {

struct ImportOptions {
  // `publishers/x/models/y` or `x/y`; empty lets the importer derive the name where the format allows it.
  std::string name;
};

struct ImportResult {
  // The record to create, with `name` set. Output-only fields are empty.
  v1::Model model;
  // Things the source left unknown or that were not carried over, one sentence each.
  std::vector<std::string> warnings;
};

}  // namespace modelreg::cli

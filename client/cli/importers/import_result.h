// What an importer returns: the model record it read, the licenses it had to create, and the warnings a person
// should see.
#pragma once

#include <string>
#include <vector>

#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"

namespace modelreg::cli {

struct ImportOptions {
  // `publishers/x/models/y` or `x/y`; empty lets the importer derive the name where the format allows it.
  std::string name;
  // Where the text was read (a file path), for messages and the label of licenses an import creates.
  std::string source;
  // weights.access of a model card that states no gate (no `gated` value, no `extra_gated_*` fields): a card does not
  // show whether its repository is private or gated without custom fields. ACCESS_UNSPECIFIED leaves it unknown.
  v1::Weights::Access unstated_access = v1::Weights::ACCESS_OPEN_DOWNLOAD;
};

struct ImportResult {
  // The record to create, with `name` set and every license reference canonical (`licenses/{id}`). Output-only
  // fields are empty.
  v1::Model model;
  // Licenses the record names that no license in the registry answers to: bare, unverified records
  // (UnverifiedLicense of server/domain/licenses/license_names.h) to create before the model.
  std::vector<v1::License> new_licenses;
  // Facts the source left unknown, facts that were dropped and why, licenses created: one sentence each.
  std::vector<std::string> warnings;
};

}  // namespace modelreg::cli

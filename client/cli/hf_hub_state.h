// The state file of `modelreg import hf-hub`: the listing's position after the last batch settled, the run's request
// id and the counts of the entries before that position. It is written after each batch (a temporary file, fsync,
// rename) so that `--resume` continues an interrupted import there. Text, one `key value` per line.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/cli/hf_hub_listing.h"

namespace modelreg::cli {

// What an import did with the listing's entries, by outcome.
struct HubCounts {
  int64_t read = 0, created = 0, updated = 0, unchanged = 0, skipped = 0, failed = 0, warnings = 0;

  HubCounts& operator+=(const HubCounts& other) {
    read += other.read;
    created += other.created;
    updated += other.updated;
    unchanged += other.unchanged;
    skipped += other.skipped;
    failed += other.failed;
    warnings += other.warnings;
    return *this;
  }
};

// The state file: where the last batch settled ends, and the counts of the entries before that position.
struct HubState {
  std::string input;
  ListingPosition position;
  std::string run_id;
  HubCounts counts;
};

// Replaces the state file at `path` with `state`, durably.
absl::Status SaveHubState(const std::string& path, const HubState& state);
// The state saved at `path`; NOT_FOUND when there is none, INVALID_ARGUMENT when it is not a complete state file.
absl::StatusOr<HubState> LoadHubState(const std::string& path);

}  // namespace modelreg::cli

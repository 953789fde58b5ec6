// A model's `base_model` chain, walked with a bound and cycle detection. Pure: the caller supplies the lookup.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "modelreg/v1/model.pb.h"

namespace modelreg {

// The most ancestors a walk follows; a longer chain ends with Lineage::End::kTooLong.
inline constexpr int kMaxLineageDepth = 32;

// The checked model's ancestors, as far as they could be followed.
struct Lineage {
  enum class End {
    kRoot,     // the last model (the checked one when there are no ancestors) has no base_model
    kMissing,  // a base_model names a model that does not exist
    kCycle,    // a base_model names the checked model or an ancestor already on the chain
    kTooLong,  // kMaxLineageDepth ancestors were walked and the last one still has a base_model
  };
  // Nearest first: ancestors[0] is the checked model's base_model.
  std::vector<v1::Model> ancestors;
  End end = End::kRoot;
  // For kMissing, kCycle and kTooLong: the base_model that was not followed.
  std::string unresolved;
};

// Looks a model up by resource name: the model (soft-deleted ones included), nullopt when there is none, or an error.
using ModelLookup = std::function<absl::StatusOr<std::optional<v1::Model>>(const std::string& name)>;

// Follows `model.base_model` link by link, at most kMaxLineageDepth lookups, each name at most once. Returns the
// first error of `lookup` as is.
absl::StatusOr<Lineage> WalkLineage(const v1::Model& model, const ModelLookup& lookup);

}  // namespace modelreg

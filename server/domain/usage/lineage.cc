#include "server/domain/usage/lineage.h"

#include <set>
#include <utility>

namespace modelreg {

absl::StatusOr<Lineage> WalkLineage(const v1::Model& model, const ModelLookup& lookup) {
  Lineage lineage;
  std::set<std::string> seen = {model.name()};
  const v1::Model* last = &model;
  while (!last->base_model().empty()) {
    const std::string next = last->base_model();  // a copy: push_back below may move `last`
    if (seen.count(next) > 0) {
      lineage.end = Lineage::End::kCycle;
      lineage.unresolved = next;
      return lineage;
    }
    if (static_cast<int>(lineage.ancestors.size()) == kMaxLineageDepth) {
      lineage.end = Lineage::End::kTooLong;
      lineage.unresolved = next;
      return lineage;
    }
    absl::StatusOr<std::optional<v1::Model>> found = lookup(next);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      lineage.end = Lineage::End::kMissing;
      lineage.unresolved = next;
      return lineage;
    }
    seen.insert(next);
    lineage.ancestors.push_back(std::move(**found));
    last = &lineage.ancestors.back();
  }
  return lineage;
}

}  // namespace modelreg

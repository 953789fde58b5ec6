#include "server/domain/resource/resource_kind.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/domain/resource/edit_distance.h"

namespace modelreg {
namespace {

constexpr absl::string_view kLabelsPrefix = "labels.";

std::string DisplayName(const FieldSpec& f) { return f.type == FieldType::kLabels ? "labels.KEY" : f.name; }

}  // namespace

const FieldSpec* ResourceKind::Find(absl::string_view name) const {
  for (const FieldSpec& f : fields) {
    if (f.name == name) return &f;
  }
  if (absl::StartsWith(name, kLabelsPrefix) && name.size() > kLabelsPrefix.size()) {
    for (const FieldSpec& f : fields) {
      if (f.type == FieldType::kLabels) return &f;
    }
  }
  return nullptr;
}

std::string ResourceKind::Suggest(absl::string_view name, bool sortable_only) const {
  if (name.size() > 128) return "";
  // Score: 2 * distance, +1 when matched against the first dot-separated part, +2 against the last part.
  size_t best_score = SIZE_MAX;
  std::string best;
  const size_t limit = std::max<size_t>(2, name.size() / 3);
  for (const FieldSpec& f : fields) {
    if (sortable_only && !f.sortable) continue;
    const std::vector<absl::string_view> parts = absl::StrSplit(f.name, '.');
    size_t score = SIZE_MAX;
    size_t d = EditDistance(name, f.name, limit);
    if (d <= limit) score = 2 * d;
    if (parts.size() > 1 && name.find('.') == absl::string_view::npos) {
      d = EditDistance(name, parts.front(), limit);
      if (d <= limit) score = std::min(score, 2 * d + 1);
      d = EditDistance(name, parts.back(), limit);
      if (d <= limit) score = std::min(score, 2 * d + 2);
    }
    if (score < best_score) {
      best_score = score;
      best = DisplayName(f);
    }
  }
  return best;
}

std::string ResourceKind::Names(bool sortable_only) const {
  std::vector<std::string> names;
  for (const FieldSpec& f : fields) {
    if (!sortable_only || f.sortable) names.push_back(DisplayName(f));
  }
  return absl::StrJoin(names, ", ");
}

const DerivedColumn* ResourceKind::Column(absl::string_view name) const {
  for (const DerivedColumn& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

int32_t ResourceKind::DerivedVersion() const {
  // 32-bit FNV-1a over every column's name, type and rule version; never 0 (the migration default, "not derived").
  uint32_t hash = 2166136261u;
  auto mix = [&hash](absl::string_view text) {
    for (char ch : text) {
      hash ^= static_cast<unsigned char>(ch);
      hash *= 16777619u;
    }
    hash ^= 0xffu;
    hash *= 16777619u;
  };
  for (const DerivedColumn& c : columns) mix(absl::StrCat(c.name, ":", static_cast<int>(c.type), ":", c.rule_version));
  const auto version = static_cast<int32_t>(hash & 0x7fffffffu);
  return version == 0 ? 1 : version;
}

std::string ResourceKind::KeyOf(const std::string& name) const {
  if (!key_prefix.empty() && absl::StartsWith(name, key_prefix)) return name.substr(key_prefix.size());
  return name;
}

void FinishKind(ResourceKind& kind, absl::string_view primary_key_field) {
  for (const FieldSpec& f : kind.fields) {
    if (f.name == primary_key_field) kind.primary_key = &f;
  }
}

}  // namespace modelreg

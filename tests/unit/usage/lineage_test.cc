// WalkLineage: the base_model chain, nearest first, bounded and stopped at cycles and missing models (RULES.md L4).
#include "server/domain/usage/lineage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::ElementsAre;

v1::Model MakeModel(const std::string& id, const std::string& base_id = "") {
  v1::Model model;
  model.set_name("publishers/p/models/" + id);
  if (!base_id.empty()) model.set_base_model("publishers/p/models/" + base_id);
  return model;
}

// A registry in memory that counts its lookups.
class Registry {
 public:
  void Add(const v1::Model& model) { models_[model.name()] = model; }
  ModelLookup Lookup() {
    return [this](const std::string& name) -> absl::StatusOr<std::optional<v1::Model>> {
      ++lookups_;
      auto it = models_.find(name);
      if (it == models_.end()) return std::optional<v1::Model>();
      return std::optional<v1::Model>(it->second);
    };
  }
  int lookups() const { return lookups_; }

 private:
  std::map<std::string, v1::Model> models_;
  int lookups_ = 0;
};

std::vector<std::string> Names(const Lineage& lineage) {
  std::vector<std::string> names;
  for (const v1::Model& m : lineage.ancestors) names.push_back(m.name());
  return names;
}

TEST(LineageTest, NoBaseModelIsARootWithoutAncestors) {
  Registry registry;
  auto lineage = WalkLineage(MakeModel("root"), registry.Lookup());
  ASSERT_OK(lineage);
  EXPECT_TRUE(lineage->ancestors.empty());
  EXPECT_EQ(lineage->end, Lineage::End::kRoot);
  EXPECT_EQ(registry.lookups(), 0);
}

TEST(LineageTest, WalksTheWholeChainNearestFirst) {
  Registry registry;
  registry.Add(MakeModel("llama"));
  registry.Add(MakeModel("quant", "llama"));
  auto lineage = WalkLineage(MakeModel("finetune", "quant"), registry.Lookup());
  ASSERT_OK(lineage);
  EXPECT_THAT(Names(*lineage), ElementsAre("publishers/p/models/quant", "publishers/p/models/llama"));
  EXPECT_EQ(lineage->end, Lineage::End::kRoot);
  EXPECT_TRUE(lineage->unresolved.empty());
}

TEST(LineageTest, MissingAncestorEndsTheWalk) {
  Registry registry;
  registry.Add(MakeModel("quant", "gone"));
  auto lineage = WalkLineage(MakeModel("finetune", "quant"), registry.Lookup());
  ASSERT_OK(lineage);
  EXPECT_THAT(Names(*lineage), ElementsAre("publishers/p/models/quant"));
  EXPECT_EQ(lineage->end, Lineage::End::kMissing);
  EXPECT_EQ(lineage->unresolved, "publishers/p/models/gone");
}

TEST(LineageTest, CycleThroughAncestorsStops) {
  Registry registry;
  registry.Add(MakeModel("a", "b"));
  registry.Add(MakeModel("b", "a"));
  auto lineage = WalkLineage(MakeModel("x", "a"), registry.Lookup());
  ASSERT_OK(lineage);
  EXPECT_THAT(Names(*lineage), ElementsAre("publishers/p/models/a", "publishers/p/models/b"));
  EXPECT_EQ(lineage->end, Lineage::End::kCycle);
  EXPECT_EQ(lineage->unresolved, "publishers/p/models/a");
  EXPECT_EQ(registry.lookups(), 2);
}

TEST(LineageTest, CycleBackToTheCheckedModelStops) {
  Registry registry;
  registry.Add(MakeModel("b", "a"));
  auto lineage = WalkLineage(MakeModel("a", "b"), registry.Lookup());
  ASSERT_OK(lineage);
  EXPECT_THAT(Names(*lineage), ElementsAre("publishers/p/models/b"));
  EXPECT_EQ(lineage->end, Lineage::End::kCycle);
  EXPECT_EQ(lineage->unresolved, "publishers/p/models/a");
}

TEST(LineageTest, OverLongChainStopsAtTheBound) {
  Registry registry;
  const int length = kMaxLineageDepth + 10;
  for (int i = 0; i < length; ++i) {
    registry.Add(MakeModel(absl::StrCat("m", i), i + 1 < length ? absl::StrCat("m", i + 1) : ""));
  }
  auto lineage = WalkLineage(MakeModel("top", "m0"), registry.Lookup());
  ASSERT_OK(lineage);
  EXPECT_EQ(static_cast<int>(lineage->ancestors.size()), kMaxLineageDepth);
  EXPECT_EQ(lineage->end, Lineage::End::kTooLong);
  EXPECT_EQ(lineage->unresolved, absl::StrCat("publishers/p/models/m", kMaxLineageDepth));
  EXPECT_EQ(registry.lookups(), kMaxLineageDepth);
}

TEST(LineageTest, ChainOfExactlyTheBoundIsComplete) {
  Registry registry;
  for (int i = 0; i < kMaxLineageDepth; ++i) {
    registry.Add(MakeModel(absl::StrCat("m", i), i + 1 < kMaxLineageDepth ? absl::StrCat("m", i + 1) : ""));
  }
  auto lineage = WalkLineage(MakeModel("top", "m0"), registry.Lookup());
  ASSERT_OK(lineage);
  EXPECT_EQ(static_cast<int>(lineage->ancestors.size()), kMaxLineageDepth);
  EXPECT_EQ(lineage->end, Lineage::End::kRoot);
}

TEST(LineageTest, LookupErrorIsReturned) {
  auto lineage = WalkLineage(MakeModel("x", "a"), [](const std::string&) -> absl::StatusOr<std::optional<v1::Model>> {
    return absl::UnavailableError("database down");
  });
  EXPECT_THAT(lineage, StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace modelreg

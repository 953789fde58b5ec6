// The state file of `import hf-hub --resume` (hf_hub_state.h): what is saved is loaded back, and a file that is
// missing, cut short or not a state file is refused, never half-read.
#include "client/cli/hf_hub_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "server/domain/request_id.h"

namespace modelreg::cli {
namespace {

using ::testing::HasSubstr;

class HubStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("hf_hub_state_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path() const { return (dir_ / "listing.jsonl.hf-hub-state").string(); }
  void Write(const std::string& text) const { std::ofstream(Path(), std::ios::trunc) << text; }

  std::filesystem::path dir_;
};

HubState Sample() {
  HubState state;
  state.input = "/data/hub listing.jsonl";  // a space in the path: the value is the rest of the line
  state.position.format = ListingFormat::kJsonArray;
  state.position.offset = 123456789012;
  state.position.lines = 4000;
  state.position.entries = 3998;
  state.run_id = GenerateRequestId();
  state.counts = {3998, 3000, 10, 900, 80, 8, 42};
  return state;
}

TEST_F(HubStateTest, WhatIsSavedIsLoadedBack) {
  const HubState saved = Sample();
  ASSERT_TRUE(SaveHubState(Path(), saved).ok());
  EXPECT_FALSE(std::filesystem::exists(Path() + ".tmp"));
  const absl::StatusOr<HubState> loaded = LoadHubState(Path());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->input, saved.input);
  EXPECT_EQ(loaded->position.format, ListingFormat::kJsonArray);
  EXPECT_EQ(loaded->position.offset, saved.position.offset);
  EXPECT_EQ(loaded->position.lines, 4000);
  EXPECT_EQ(loaded->position.entries, 3998);
  EXPECT_EQ(loaded->run_id, saved.run_id);
  const HubCounts& c = loaded->counts;
  EXPECT_EQ((std::vector<int64_t>{c.read, c.created, c.updated, c.unchanged, c.skipped, c.failed, c.warnings}),
            (std::vector<int64_t>{3998, 3000, 10, 900, 80, 8, 42}));
}

TEST_F(HubStateTest, ASaveReplacesTheStateBefore) {
  HubState state = Sample();
  ASSERT_TRUE(SaveHubState(Path(), state).ok());
  state.position.offset = 7;
  state.counts.created = 1;
  ASSERT_TRUE(SaveHubState(Path(), state).ok());
  const absl::StatusOr<HubState> loaded = LoadHubState(Path());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->position.offset, 7u);
  EXPECT_EQ(loaded->counts.created, 1);
}

TEST_F(HubStateTest, NoFileIsNothingToResume) {
  const absl::StatusOr<HubState> loaded = LoadHubState(Path());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(loaded.status().message(), HasSubstr("nothing to resume"));
}

TEST_F(HubStateTest, AFileCutShortOrNotAStateFileIsRefused) {
  ASSERT_TRUE(SaveHubState(Path(), Sample()).ok());
  std::string text;
  {
    std::ifstream in(Path());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string cases[] = {
      text.substr(0, text.find("counts")),     // cut before its counts
      text.substr(0, text.size() - 3) + "\n",  // a count missing
      "offset 12\ncounts 1 2 3 4 5 6 7\n",     // no run id
      text + "garbage\n",                      // a line without a value
      "hello world\n",                         // not a state file at all
  };
  for (const std::string& bad : cases) {
    Write(bad);
    const absl::StatusOr<HubState> loaded = LoadHubState(Path());
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(loaded.status().message(), HasSubstr("not a state file of import hf-hub")) << bad;
  }
}

}  // namespace
}  // namespace modelreg::cli

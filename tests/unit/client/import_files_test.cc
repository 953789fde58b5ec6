#include "client/cli/import_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace modelreg::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ImportFiles, DirectoriesAreWalkedForTheFormatsFiles) {
  char dir_template[] = "/tmp/mrimport.XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  namespace fs = std::filesystem;
  fs::create_directories(dir + "/b/sub");
  fs::create_directories(dir + "/.processed");
  for (const char* file :
       {"/a.yml", "/b/c.yaml", "/b/sub/d.YML", "/b/notes.txt", "/.processed/e.yml", "/.hidden.yml", "/b/README.md"}) {
    std::ofstream(dir + file) << "x";
  }
  std::vector<std::string> problems;
  EXPECT_THAT(ExpandImportPaths({dir, dir + "/missing.yml"}, ImportFileKind::kMof, &problems),
              ElementsAre(dir + "/a.yml", dir + "/b/c.yaml", dir + "/b/sub/d.YML", dir + "/missing.yml"));
  EXPECT_THAT(ExpandImportPaths({dir}, ImportFileKind::kHfCard, &problems), ElementsAre(dir + "/b/README.md"));
  EXPECT_THAT(problems, IsEmpty());
  fs::remove_all(dir);
}

TEST(ImportFiles, CardNameFromRepositoryLayout) {
  EXPECT_EQ(CardNameFromPath("cards/CompVis/stable-diffusion-v1-4/README.md"), "CompVis/stable-diffusion-v1-4");
  EXPECT_EQ(CardNameFromPath("/x/owner/repo/readme.md"), "owner/repo");
  EXPECT_EQ(CardNameFromPath("repo/README.md"), "");
  EXPECT_EQ(CardNameFromPath("owner/repo/card.md"), "");
}

TEST(ImportFiles, ProgressLine) {
  EXPECT_EQ(ImportProgress::Line(10, 100, 2.0), "10/100 files, 5.0 files/s, ETA 18s");
  EXPECT_EQ(ImportProgress::Line(1, 1000, 1.0), "1/1000 files, 1.0 files/s, ETA 16m39s");
  EXPECT_EQ(ImportProgress::Line(5, 5, 1.0), "5/5 files, 5.0 files/s, ETA 0s");
  EXPECT_EQ(ImportProgress::Line(0, 5, 0.0), "0/5 files, 0.0 files/s, ETA -");
}

}  // namespace
}  // namespace modelreg::cli

// The streaming splitter of Hub listings (hf_hub_listing.h): JSON Lines and JSON arrays, line numbers, broken
// structure, and resuming from a position it returned.
#include "client/cli/hf_hub_listing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/client/test_data.h"

namespace modelreg::cli {
namespace {

using ::modelreg::cli::testing::TestData;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<ListingEntry> ReadAll(const std::string& text, ListingPosition start = {}) {
  std::istringstream in(text);
  in.seekg(static_cast<std::streamoff>(start.offset));
  ListingReader reader(in, start);
  std::vector<ListingEntry> entries;
  ListingEntry entry;
  while (reader.Next(&entry)) entries.push_back(entry);
  return entries;
}

TEST(ListingReader, JsonLinesSkipBlankLinesAndNumberEachLine) {
  const std::vector<ListingEntry> entries = ReadAll(TestData("hf_hub/listing.jsonl"));
  ASSERT_EQ(entries.size(), 13u);  // 14 lines, one blank
  EXPECT_EQ(entries[0].line, 1);
  EXPECT_EQ(entries[0].end.format, ListingFormat::kJsonLines);
  EXPECT_EQ(entries[6].line, 7);
  EXPECT_EQ(entries[6].json.substr(0, 14), "{\"id\": \"broken");
  EXPECT_EQ(entries[8].line, 10);  // after the blank line 9
  EXPECT_EQ(entries[8].number, 9);
  for (const ListingEntry& entry : entries) EXPECT_THAT(entry.error, IsEmpty());
}

TEST(ListingReader, CrlfLines) {
  const std::vector<ListingEntry> entries = ReadAll("{\"id\":\"a/b\"}\r\n{\"id\":\"c/d\"}\r\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].json, "{\"id\":\"a/b\"}");
  EXPECT_EQ(entries[1].line, 2);
}

TEST(ListingReader, ArrayElementsWithLinesAndBrokenStructure) {
  const std::vector<ListingEntry> entries = ReadAll(TestData("hf_hub/listing_array.json"));
  ASSERT_EQ(entries.size(), 6u);
  EXPECT_EQ(entries[0].end.format, ListingFormat::kJsonArray);
  EXPECT_EQ(entries[0].line, 2);
  EXPECT_THAT(entries[0].json, HasSubstr("\"model-index\""));
  EXPECT_EQ(entries[1].line, 13);
  EXPECT_THAT(entries[1].error, IsEmpty());
  EXPECT_EQ(entries[2].line, 21);  // the element after a missing comma
  EXPECT_THAT(entries[2].error, HasSubstr("expected ','"));
  EXPECT_EQ(entries[3].line, 25);  // brackets and quotes inside a string do not end it
  EXPECT_THAT(entries[3].json, HasSubstr("with ] and } and \\\" inside\"}"));
  EXPECT_EQ(entries[5].line, 27);
  EXPECT_EQ(entries[5].number, 6);
  EXPECT_THAT(entries[5].error, IsEmpty());
}

TEST(ListingReader, TruncatedArrayAndTrailingText) {
  std::vector<ListingEntry> entries = ReadAll("[{\"id\":\"a/b\"}, {\"id\":");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_THAT(entries[1].error, HasSubstr("ends inside this element"));
  entries = ReadAll("[{\"id\":\"a/b\"}");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_THAT(entries[1].error, HasSubstr("before the array's closing ']'"));
  entries = ReadAll("[{\"id\":\"a/b\"}]\n{}\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_THAT(entries[1].error, HasSubstr("after the array's closing"));
  EXPECT_THAT(ReadAll("[]"), IsEmpty());
  EXPECT_THAT(ReadAll(""), IsEmpty());
}

TEST(ListingReader, ResumesFromAReturnedPosition) {
  for (const std::string file : {"hf_hub/listing.jsonl", "hf_hub/listing_array.json"}) {
    const std::string text = TestData(file);
    const std::vector<ListingEntry> all = ReadAll(text);
    ASSERT_GT(all.size(), 3u);
    const std::vector<ListingEntry> rest = ReadAll(text, all[2].end);
    ASSERT_EQ(rest.size(), all.size() - 3) << file;
    for (size_t i = 0; i < rest.size(); ++i) {
      EXPECT_EQ(rest[i].json, all[i + 3].json) << file;
      EXPECT_EQ(rest[i].line, all[i + 3].line) << file;
      EXPECT_EQ(rest[i].number, all[i + 3].number) << file;
    }
  }
}

}  // namespace
}  // namespace modelreg::cli

// PageRecords: a List page from the cache keeps the listed order, takes fetched records only at the listed row
// version, and gives up (the page is listed again in one query) when a model changed or went between the reads.
#include "server/storage/cached_page.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace modelreg {
namespace {

using Cached = std::vector<std::shared_ptr<const std::string>>;

std::shared_ptr<const std::string> Record(const std::string& text) { return std::make_shared<const std::string>(text); }

ModelRepository::SerializedModel Fetched(const std::string& name, int64_t version, const std::string& text) {
  return {name, Record(text), version};
}

const std::vector<ResourceTable::KeyVersion> kListed = {{"a", 10}, {"b", 20}, {"c", 30}};

TEST(PageRecordsTest, AllCachedKeepsTheListedOrder) {
  const auto records = PageRecords(kListed, {Record("A"), Record("B"), Record("C")}, {});
  ASSERT_TRUE(records.has_value());
  EXPECT_EQ(*records, (std::vector<std::string>{"A", "B", "C"}));
}

TEST(PageRecordsTest, MissesComeFromTheFetchInTheListedOrder) {
  // Fetched in another order than listed, as a `name = ANY($1)` query may return them.
  const auto records =
      PageRecords(kListed, {nullptr, Record("B"), nullptr}, {Fetched("c", 30, "C2"), Fetched("a", 10, "A2")});
  ASSERT_TRUE(records.has_value());
  EXPECT_EQ(*records, (std::vector<std::string>{"A2", "B", "C2"}));
}

TEST(PageRecordsTest, AModelChangedAfterTheListGivesUp) {
  // `c` was written between the List (row version 30) and the fetch (31).
  EXPECT_FALSE(PageRecords(kListed, {nullptr, Record("B"), nullptr}, {Fetched("a", 10, "A"), Fetched("c", 31, "C")})
                   .has_value());
}

TEST(PageRecordsTest, AModelGoneAfterTheListGivesUp) {
  // `a` was purged between the List and the fetch.
  EXPECT_FALSE(PageRecords(kListed, {nullptr, Record("B"), Record("C")}, {}).has_value());
}

TEST(PageRecordsTest, AnEmptyPageIsEmpty) {
  const auto records = PageRecords({}, {}, {});
  ASSERT_TRUE(records.has_value());
  EXPECT_TRUE(records->empty());
}

}  // namespace
}  // namespace modelreg

// The storage layer's record encoding helpers: bytea hex decoding, etags and the leading name of a record.
#include "server/storage/record_codec.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "modelreg/v1/model.pb.h"

namespace modelreg::storage_internal {
namespace {

TEST(DecodeByteaHexTest, DecodesEveryByteValueInBothCases) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  std::string lower = "\\x";
  std::string upper = "\\x";
  for (unsigned char c : all) {
    constexpr char kLower[] = "0123456789abcdef";
    constexpr char kUpper[] = "0123456789ABCDEF";
    lower += {kLower[c >> 4], kLower[c & 15]};
    upper += {kUpper[c >> 4], kUpper[c & 15]};
  }
  std::string out = "previous content";
  ASSERT_TRUE(DecodeByteaHex(lower, &out));
  EXPECT_EQ(out, all);
  ASSERT_TRUE(DecodeByteaHex(upper, &out));
  EXPECT_EQ(out, all);
  ASSERT_TRUE(DecodeByteaHex("\\x", &out));
  EXPECT_EQ(out, "");
}

TEST(DecodeByteaHexTest, RejectsWhatIsNotHexFormat) {
  std::string out;
  EXPECT_FALSE(DecodeByteaHex("", &out));
  EXPECT_FALSE(DecodeByteaHex("0a1b", &out));    // no \x prefix (escape format)
  EXPECT_FALSE(DecodeByteaHex("\\x0a1", &out));  // odd number of digits
  EXPECT_FALSE(DecodeByteaHex("\\x0g", &out));   // not a hex digit, low nibble
  EXPECT_FALSE(DecodeByteaHex("\\xg0", &out));   // high nibble
  EXPECT_FALSE(
      DecodeByteaHex("\\x0a\xff"
                     "0",
                     &out));  // a byte above 127
}

TEST(ComputeEtagTest, IsSixteenHexDigitsAndDeterministic) {
  const std::string etag = ComputeEtag("record bytes", 7);
  ASSERT_EQ(etag.size(), 16u);
  EXPECT_EQ(etag.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(ComputeEtag("record bytes", 7), etag);
}

TEST(ComputeEtagTest, ChangesWithAnyByteTheRevisionOrTheLength) {
  std::set<std::string> etags;
  std::string record(37, 'a');  // four whole words and a tail
  etags.insert(ComputeEtag(record, 1));
  for (size_t i = 0; i < record.size(); ++i) {
    std::string changed = record;
    changed[i] = 'b';
    etags.insert(ComputeEtag(changed, 1));
  }
  etags.insert(ComputeEtag(record, 2));
  etags.insert(ComputeEtag(record + std::string(1, '\0'), 1));
  etags.insert(ComputeEtag("", 1));
  // The boundary between record and revision digits: "a1" with revision 1 vs "a" with revision 11.
  etags.insert(ComputeEtag("a1", 1));
  etags.insert(ComputeEtag("a", 11));
  EXPECT_EQ(etags.size(), record.size() + 6);
}

TEST(LeadingNameTest, ReadsTheNameFieldAtTheStartOfARecord) {
  v1::Model model;
  model.set_name("publishers/p/models/" + std::string(200, 'x'));  // a two-byte length
  model.set_description("d");
  const std::string bytes = model.SerializeAsString();
  EXPECT_EQ(LeadingName(bytes), model.name());
  EXPECT_EQ(LeadingName(bytes.substr(0, 10)), "");  // length beyond the bytes
  EXPECT_EQ(LeadingName(""), "");
  v1::Model unnamed;
  unnamed.set_description("d");
  EXPECT_EQ(LeadingName(unnamed.SerializeAsString()), "");
}

}  // namespace
}  // namespace modelreg::storage_internal

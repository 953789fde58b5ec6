#include "server/common/json_string.h"

#include <gtest/gtest.h>

#include <string>

namespace modelreg {
namespace {

TEST(JsonEscapeTest, EscapesQuotesControlsAndReplacesInvalidUtf8) {
  EXPECT_EQ(JsonEscape("plain"), "plain");
  EXPECT_EQ(JsonEscape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(JsonEscape("line\nnext\ttab\r"), "line\\nnext\\ttab\\r");
  EXPECT_EQ(JsonEscape(std::string("\x01\x1f", 2)), "\\u0001\\u001f");
  EXPECT_EQ(JsonEscape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");  // kept
  EXPECT_EQ(JsonEscape("bad\xff"), "bad\\ufffd");
  EXPECT_EQ(JsonEscape("cut\xe2\x82"), "cut\\ufffd\\ufffd");       // truncated sequence
  EXPECT_EQ(JsonEscape("\xc0\xaf"), "\\ufffd\\ufffd");             // overlong encoding of '/'
  EXPECT_EQ(JsonEscape("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");  // a UTF-16 surrogate
}

TEST(JsonQuoteTest, QuotesTheEscapedText) {
  EXPECT_EQ(JsonQuote(""), "\"\"");
  EXPECT_EQ(JsonQuote("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
}

}  // namespace
}  // namespace modelreg

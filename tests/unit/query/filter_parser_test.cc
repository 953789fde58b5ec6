#include "server/domain/query/filter_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;

// Renders the AST in prefix form to check structure and precedence.
std::string Render(const FilterNode& node) {
  switch (node.kind) {
    case FilterNode::Kind::kAnd:
    case FilterNode::Kind::kOr: {
      std::string out = node.kind == FilterNode::Kind::kAnd ? "and(" : "or(";
      for (size_t i = 0; i < node.children.size(); ++i) {
        if (i > 0) out += ",";
        out += Render(*node.children[i]);
      }
      return out + ")";
    }
    case FilterNode::Kind::kNot:
      return "not(" + Render(*node.children[0]) + ")";
    case FilterNode::Kind::kRestriction:
      return node.field + std::string(ComparatorText(node.op)) + (node.value.quoted ? "'" : "") + node.value.text +
             (node.value.quoted ? "'" : "") + (node.value.wildcard ? "*" : "");
  }
  return "?";
}

std::string Parse(const std::string& filter) {
  auto ast = ParseFilter(filter);
  if (!ast.ok()) return "ERROR " + std::string(ast.status().message());
  return *ast == nullptr ? "<empty>" : Render(**ast);
}

TEST(FilterParserTest, Empty) {
  EXPECT_EQ(Parse(""), "<empty>");
  EXPECT_EQ(Parse("   \t\n"), "<empty>");
}

TEST(FilterParserTest, Comparators) {
  EXPECT_EQ(Parse("a=1"), "a=1");
  EXPECT_EQ(Parse("a != 1"), "a!=1");
  EXPECT_EQ(Parse("a<1"), "a<1");
  EXPECT_EQ(Parse("a<=1"), "a<=1");
  EXPECT_EQ(Parse("a>1"), "a>1");
  EXPECT_EQ(Parse("a >= 1"), "a>=1");
  EXPECT_EQ(Parse("a:1"), "a:1");
  EXPECT_EQ(Parse("a:*"), "a:*");
}

TEST(FilterParserTest, PrecedenceOrBindsTighterThanAnd) {
  EXPECT_EQ(Parse("a=1 AND b=2 OR c=3"), "and(a=1,or(b=2,c=3))");
  EXPECT_EQ(Parse("a=1 OR b=2 AND c=3"), "and(or(a=1,b=2),c=3)");
  EXPECT_EQ(Parse("(a=1 AND b=2) OR c=3"), "or(and(a=1,b=2),c=3)");
  EXPECT_EQ(Parse("NOT a=1 OR b=2"), "or(not(a=1),b=2)");
  EXPECT_EQ(Parse("-a=1 b=2"), "and(not(a=1),b=2)");
  EXPECT_EQ(Parse("a=1 b=2 OR c=3"), "and(a=1,or(b=2,c=3))");
  EXPECT_EQ(Parse("NOT NOT a=1"), "not(not(a=1))");
  EXPECT_EQ(Parse("NOT (a=1 AND b=2)"), "not(and(a=1,b=2))");
}

TEST(FilterParserTest, Values) {
  EXPECT_EQ(Parse("release_date >= 2024-01-01"), "release_date>=2024-01-01");
  EXPECT_EQ(Parse("t > 2024-01-01T10:00:00+02:00"), "t>2024-01-01T10:00:00+02:00");
  EXPECT_EQ(Parse("n > -5"), "n>-5");
  EXPECT_EQ(Parse("family = \"llama*\""), "family='llama'*");
  EXPECT_EQ(Parse("family = llama*"), "family=llama*");
  EXPECT_EQ(Parse("family = \"lla\\*\""), "family='lla*'");
  EXPECT_EQ(Parse("family = \"a*b\""), "family='a*b'");
  EXPECT_EQ(Parse("x = 'it\\'s \"q\"'"), "x='it's \"q\"'");
  EXPECT_EQ(Parse("x = \"a\\\\b\\n\""), "x='a\\b\n'");
  EXPECT_EQ(Parse("labels.team/x:*"), "labels.team/x:*");
  EXPECT_EQ(Parse("x = AND"), "x=AND");
}

TEST(FilterParserTest, ErrorsHaveColumnsAndExpectations) {
  EXPECT_THAT(ParseFilter("a = 1 AND"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 "filter: unexpected end of filter at column 10; expected a field "
                                                 "name, `(`, NOT or `-`"));
  EXPECT_THAT(ParseFilter("a"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("after `a` at column 2; expected a comparator")));
  EXPECT_THAT(ParseFilter("a ="),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at column 4; expected a value")));
  EXPECT_THAT(ParseFilter("(a = 1"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected `)`")));
  EXPECT_THAT(ParseFilter("a = 1)"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unbalanced `)` at column 6")));
  EXPECT_THAT(ParseFilter("a = \"x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unterminated string at column 5")));
  EXPECT_THAT(ParseFilter("a = \"\\q\""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown escape")));
  EXPECT_THAT(ParseFilter("a ! 1"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unexpected `!`")));
  EXPECT_THAT(ParseFilter("é = 1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("non-ASCII character at column 1")));
  // Columns count characters, not bytes.
  EXPECT_THAT(ParseFilter("a = \"é\" )"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("column 9")));
}

TEST(FilterParserTest, Limits) {
  std::string deep;
  for (int i = 0; i < 32; ++i) deep += "(";
  deep += "a=1";
  for (int i = 0; i < 32; ++i) deep += ")";
  EXPECT_EQ(Parse(deep), "a=1");
  EXPECT_THAT(ParseFilter("(" + deep + ")"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nesting deeper than 32")));
  std::string nots;
  for (int i = 0; i < 33; ++i) nots += "NOT ";
  EXPECT_THAT(ParseFilter(nots + "a=1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nesting deeper than 32")));
  std::string terms = "a=1";
  for (int i = 0; i < 63; ++i) terms += " AND a=1";
  EXPECT_TRUE(ParseFilter(terms).ok());
  EXPECT_THAT(ParseFilter(terms + " OR a=2"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("more than 64 comparisons")));
  EXPECT_THAT(ParseFilter(std::string(4097, ' ')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("too long (4097 bytes)")));
}

TEST(FilterParserTest, HostileInputNeverCrashes) {
  // 10,000-deep nesting: rejected by length before any recursion; 2,000 deep within the length limit: depth error.
  EXPECT_THAT(ParseFilter(std::string(10000, '(') + "a=1" + std::string(10000, ')')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFilter(std::string(2000, '(') + "a=1" + std::string(2000, ')')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nesting")));
  EXPECT_THAT(ParseFilter(std::string(2000, '-') + "a=1"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFilter(std::string(1 << 20, 'a')), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFilter(std::string("a = \"x\0y\"", 9)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NUL")));
  EXPECT_THAT(ParseFilter(std::string("a = x\0", 6)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("control character")));
  EXPECT_THAT(ParseFilter("a = \"\xff\""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  EXPECT_THAT(ParseFilter("a = 1; DROP TABLE models"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFilter("a = 1 -- comment"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFilter("a\\ = 1"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Utf8Test, Validation) {
  EXPECT_TRUE(IsValidUtf8("plain é 日本 😀"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe6\x97"));          // truncated
}

}  // namespace
}  // namespace modelreg

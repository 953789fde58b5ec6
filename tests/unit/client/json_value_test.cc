// ParseJsonValue: JSON text into a google.protobuf.Value with simdjson, as the Hub importer reads model infos.
#include "client/cli/importers/json_value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/status_matchers.h"

namespace modelreg::cli {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;

TEST(JsonValue, EveryKindOfValue) {
  absl::StatusOr<google::protobuf::Value> value = ParseJsonValue(
      R"({"s": "t\u00e9xt", "i": 12, "big": 100000000000, "neg": -3, "f": 1.5, "t": true, "n": null,
          "list": ["a", 2, {"k": false}], "empty": {}})");
  ASSERT_TRUE(value.ok()) << value.status();
  ASSERT_TRUE(value->has_struct_value());
  const auto& fields = value->struct_value().fields();
  EXPECT_EQ(fields.at("s").string_value(), "t\xc3\xa9xt");
  EXPECT_EQ(fields.at("i").number_value(), 12);
  EXPECT_EQ(fields.at("big").number_value(), 1e11);
  EXPECT_EQ(fields.at("neg").number_value(), -3);
  EXPECT_EQ(fields.at("f").number_value(), 1.5);
  EXPECT_TRUE(fields.at("t").bool_value());
  EXPECT_EQ(fields.at("n").kind_case(), google::protobuf::Value::kNullValue);
  const google::protobuf::ListValue& list = fields.at("list").list_value();
  ASSERT_EQ(list.values_size(), 3);
  EXPECT_EQ(list.values(0).string_value(), "a");
  EXPECT_EQ(list.values(1).number_value(), 2);
  EXPECT_FALSE(list.values(2).struct_value().fields().at("k").bool_value());
  EXPECT_EQ(list.values(2).struct_value().fields().at("k").kind_case(), google::protobuf::Value::kBoolValue);
  EXPECT_TRUE(fields.at("empty").has_struct_value());
  EXPECT_EQ(fields.size(), 9u);
}

TEST(JsonValue, AKeyGivenTwiceKeepsItsLastValue) {
  absl::StatusOr<google::protobuf::Value> value = ParseJsonValue(R"({"gated": {"x": 1}, "gated": "manual"})");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->struct_value().fields().at("gated").string_value(), "manual");
}

TEST(JsonValue, WhatIsNotOneJsonValueIsRefused) {
  for (const std::string text : {"", "{", "{\"a\": 1,}", "{\"a\": 1} x", "[1 2]", "{'a': 1}", "nul", "\"\xff\""}) {
    EXPECT_THAT(ParseJsonValue(text), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not JSON"))) << text;
  }
}

TEST(JsonValue, NestingIsBounded) {
  const std::string deep = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(ParseJsonValue(deep).ok());
  const std::string deeper = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_THAT(ParseJsonValue(deeper), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested deeper than")));
}

}  // namespace
}  // namespace modelreg::cli

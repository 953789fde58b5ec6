#include "client/cli/record_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "tests/support/status_matchers.h"

namespace modelreg::cli {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(RecordIo, ReadFileReportsMissingFile) {
  EXPECT_THAT(ReadFile("/nonexistent/record.yaml"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/record.yaml")));
}

TEST(RecordIo, ReadFileReadsAWholeFile) {
  const std::string path = ::testing::TempDir() + "/record_io_small.yaml";
  std::string content(100000, 'x');
  content += "\nend\n";
  ASSERT_TRUE(static_cast<bool>(std::ofstream(path, std::ios::binary) << content));
  auto text = ReadFile(path);
  ASSERT_OK(text);
  EXPECT_EQ(*text, content);
  // Exactly at the limit is fine, one byte over is not.
  EXPECT_OK(ReadFile(path, content.size()));
  EXPECT_THAT(ReadFile(path, content.size() - 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("larger than the input limit")));
  std::remove(path.c_str());
}

TEST(RecordIo, ReadFileRejectsADirectory) {
  EXPECT_THAT(ReadFile(::testing::TempDir()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is a directory; expected a file")));
}

TEST(RecordIo, ReadFileStopsAnEndlessInputAtTheLimit) {
  EXPECT_EQ(kMaxInputBytes, size_t{16} << 20);
  EXPECT_THAT(ReadFile("/dev/zero"), StatusIs(absl::StatusCode::kInvalidArgument,
                                              HasSubstr("/dev/zero: larger than the input limit of 16777216 bytes")));
  EXPECT_THAT(ReadFile("/dev/zero", 10), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit of 10")));
  EXPECT_OK(ReadFile("/dev/null"));
}

TEST(RecordIo, ReadFileReportsAnUnreadableFile) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads any file";
  const std::string path = ::testing::TempDir() + "/record_io_unreadable.yaml";
  ASSERT_TRUE(static_cast<bool>(std::ofstream(path) << "x: 1\n"));
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  EXPECT_THAT(ReadFile(path), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(path)));
  std::remove(path.c_str());
}

TEST(RecordIo, ParseRecordAcceptsBothFieldStyles) {
  v1::Model model;
  ASSERT_OK(ParseRecord("m.yaml", "name: publishers/x/models/y\nweights:\n  license: licenses/mit\n", &model));
  EXPECT_EQ(model.weights().license(), "licenses/mit");
  v1::Model camel;
  ASSERT_OK(ParseRecord("m.json", R"({"displayName": "Y", "parameter_count": "7000000000"})", &camel));
  EXPECT_EQ(camel.display_name(), "Y");
  EXPECT_EQ(camel.parameter_count(), 7000000000);
}

TEST(RecordIo, ParseRecordNamesTheFile) {
  v1::Model model;
  EXPECT_THAT(ParseRecord("bad.yaml", "no_such_field: 1\n", &model),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad.yaml: ")));
}

TEST(RecordIo, TopLevelFieldsSkipsNameEtagAndOutputOnly) {
  absl::StatusOr<std::vector<std::string>> fields = TopLevelFields(
      "name: publishers/x/models/y\netag: abc\ndisplayName: Y\nweights: {license: licenses/mit}\nrevision: 3\n"
      "openness: {level: 2}\nrelease_date: '2024-01-01'\n",
      *v1::Model::descriptor());
  ASSERT_OK(fields);
  EXPECT_THAT(*fields, ElementsAre("display_name", "weights", "release_date"));
  EXPECT_THAT(*TopLevelFields("{}", *v1::License::descriptor()), IsEmpty());
  EXPECT_THAT(TopLevelFields("bogus: 1\n", *v1::License::descriptor()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bogus")));
}

TEST(RecordIo, ParseUpdateMask) {
  EXPECT_THAT(*ParseUpdateMask("weights.license, labels ,"), ElementsAre("weights.license", "labels"));
  EXPECT_THAT(ParseUpdateMask(" , "), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace modelreg::cli

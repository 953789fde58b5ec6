#include "server/domain/history/watch_request.h"

#include <gtest/gtest.h>

#include "server/common/errors.h"

namespace modelreg {
namespace {

v1::WatchChangesRequest Request(const std::vector<std::string>& kinds, const std::vector<std::string>& prefixes) {
  v1::WatchChangesRequest request;
  for (const auto& k : kinds) request.add_kinds(k);
  for (const auto& p : prefixes) request.add_name_prefixes(p);
  return request;
}

TEST(WatchRequestTest, ValidatesEachFieldByName) {
  EXPECT_TRUE(ValidateWatchRequest(Request({"models", "tokens"}, {"publishers/acme"})).ok());
  v1::WatchChangesRequest negative;
  negative.set_start_after_sequence(-1);
  EXPECT_EQ(FieldViolations(ValidateWatchRequest(negative)).at(0).first, "start_after_sequence");
  const absl::Status kind = ValidateWatchRequest(Request({"models", "model"}, {}));
  EXPECT_EQ(kind.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolations(kind).at(0).first, "kinds");
  for (const char* bad : {"", "/publishers", "publishers/acme/", "publishers//acme"}) {
    const absl::Status prefix = ValidateWatchRequest(Request({}, {bad}));
    ASSERT_EQ(prefix.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(FieldViolations(prefix).at(0).first, "name_prefixes") << bad;
  }
}

TEST(WatchRequestTest, FiltersByKindAndPrefixAtSegmentBoundaries) {
  const v1::WatchChangesRequest request = Request({"models"}, {"publishers/acme", "publishers/beta/models/x"});
  EXPECT_TRUE(MatchesWatchFilter(request, "models", "publishers/acme/models/m"));
  EXPECT_TRUE(MatchesWatchFilter(request, "models", "publishers/beta/models/x"));
  EXPECT_FALSE(MatchesWatchFilter(request, "models", "publishers/acme2/models/m"));
  EXPECT_FALSE(MatchesWatchFilter(request, "models", "publishers/beta/models/xy"));
  EXPECT_FALSE(MatchesWatchFilter(request, "licenses", "publishers/acme/models/m"));
  EXPECT_TRUE(MatchesWatchFilter(v1::WatchChangesRequest(), "tokens", "tokens/t1"));
}

TEST(WatchRequestTest, ShowsAChangeOnlyToWhoMayReadTheResource) {
  const Principal acme{"acme-reader", "", {{v1::ROLE_VIEWER, "publishers/acme"}}};
  EXPECT_TRUE(MayWatch(acme, "models", "publishers/acme/models/m"));
  EXPECT_FALSE(MayWatch(acme, "models", "publishers/other/models/m"));
  EXPECT_FALSE(MayWatch(acme, "licenses", "licenses/mit"));
  const Principal editor{"editor", "", {{v1::ROLE_EDITOR, "*"}}};
  EXPECT_TRUE(MayWatch(editor, "organizations", "organizations/o"));
  EXPECT_FALSE(MayWatch(editor, "tokens", "tokens/t1"));  // tokens: admins only
  EXPECT_TRUE(MayWatch(Principal::System(), "tokens", "tokens/t1"));
}

}  // namespace
}  // namespace modelreg

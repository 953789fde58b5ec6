// ServerTarget: which gRPC target a --server value becomes.
#include "client/server_target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ServerTargetTest, OneAddressOrATargetUriIsUnchanged) {
  EXPECT_EQ(*ServerTarget("localhost:7411"), "localhost:7411");
  EXPECT_EQ(*ServerTarget("dns:///modelreg.example:7411"), "dns:///modelreg.example:7411");
  EXPECT_EQ(*ServerTarget("ipv4:10.0.0.1:7411,10.0.0.2:7411"), "ipv4:10.0.0.1:7411,10.0.0.2:7411");
  EXPECT_EQ(*ServerTarget("unix:/run/modelreg.sock"), "unix:/run/modelreg.sock");
}

TEST(ServerTargetTest, AListOfAddressesBecomesAMultiAddressTarget) {
  EXPECT_EQ(*ServerTarget("127.0.0.1:7411,127.0.0.1:7412"), "ipv4:127.0.0.1:7411,127.0.0.1:7412");
  EXPECT_EQ(*ServerTarget(" 10.0.0.1:1 , 10.0.0.2:2 "), "ipv4:10.0.0.1:1,10.0.0.2:2");
  EXPECT_EQ(*ServerTarget("[::1]:7411,[fe80::1]:7412"), "ipv6:[::1]:7411,[fe80::1]:7412");
}

TEST(ServerTargetTest, RefusesWhatGrpcCouldNotResolveAsAList) {
  EXPECT_THAT(ServerTarget("host-a:7411,host-b:7411"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dns:///name:port")));
  EXPECT_THAT(ServerTarget("127.0.0.1:7411,[::1]:7411"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot be mixed")));
  EXPECT_THAT(ServerTarget("127.0.0.1,127.0.0.2:1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("`127.0.0.1`: expected host:port")));
  EXPECT_THAT(ServerTarget("127.0.0.1:70000,127.0.0.2:1"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ServerTarget("127.0.0.1:1,,127.0.0.2:1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty entry")));
}

}  // namespace
}  // namespace modelreg

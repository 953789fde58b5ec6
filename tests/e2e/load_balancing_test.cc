// Several modelregd on one database behind one client: the client library and the CLI take a list of servers and
// balance calls round-robin over them (gRPC's round_robin policy); calls go on when one server is stopped. Which server
// answered a call is its peer address as the client's gRPC sees it (ClientContext::peer()).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/bearer_channel.h"
#include "client/client.h"
#include "client/server_target.h"
#include "modelreg/v1/model_registry.grpc.pb.h"
#include "tests/e2e/process.h"
#include "tests/support/test_database.h"

namespace modelreg::testing {
namespace {

constexpr int kCalls = 40;

v1::ListModelsRequest AllModels() {
  v1::ListModelsRequest request;
  request.set_parent("publishers/-");
  return request;
}

// The modelreg CLI with `--server servers`.
CommandResult Cli(const std::string& servers, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {BinDir() + "/modelreg", "--server", servers, "--timeout", "10"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

class LoadBalancingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestDatabase>> database = TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    char dir_template[] = "/tmp/mrbalance.XXXXXX";
    root_ = mkdtemp(dir_template);
    for (int i = 0; i < 2; ++i) {
      servers_.push_back(std::make_unique<ServerProcess>(absl::StrCat(root_, "/server", i)));
      ASSERT_TRUE(servers_.back()->Start({"--database-url=" + database_->url(), "--load-catalog=false", "--auth=off"}))
          << "modelregd " << i << " did not start";
    }
    servers_list_ = absl::StrCat(servers_[0]->address(), ",", servers_[1]->address());
  }
  void TearDown() override {
    servers_.clear();
    std::filesystem::remove_all(root_);
  }

  // ListModels through `stub`: the peer that answered ("" when the call failed).
  static std::string CallPeer(v1::ModelRegistry::Stub& stub) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ListModelsRequest request = AllModels();
    v1::ListModelsResponse response;
    const grpc::Status status = stub.ListModels(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return status.ok() ? context.peer() : "";
  }

  // How many of kCalls calls each peer answered.
  static std::map<std::string, int> CountPeers(v1::ModelRegistry::Stub& stub) {
    std::map<std::string, int> peers;
    for (int i = 0; i < kCalls; ++i) ++peers[CallPeer(stub)];
    return peers;
  }

  static std::string Peer(const ServerProcess& server) { return "ipv4:" + server.address(); }

  std::unique_ptr<TestDatabase> database_;
  std::string root_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
  std::string servers_list_;  // "127.0.0.1:p1,127.0.0.1:p2"
};

TEST_F(LoadBalancingTest, CallsSpreadOverBothServersAndGoOnWhenOneStops) {
  absl::StatusOr<std::string> target = ServerTarget(servers_list_);
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(*target, "ipv4:" + servers_list_);
  const std::shared_ptr<grpc::Channel> channel =
      CreateBearerChannel(*target, grpc::InsecureChannelCredentials(), "", RoundRobinArguments());
  ASSERT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10)));
  std::unique_ptr<v1::ModelRegistry::Stub> stub = v1::ModelRegistry::NewStub(channel);
  // round_robin connects to every address; wait until both answer, then count.
  std::map<std::string, int> peers;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (peers.size() < 2 && absl::Now() < deadline) ++peers[CallPeer(*stub)];
  ASSERT_EQ(peers.size(), 2u) << "only one server ever answered";

  peers = CountPeers(*stub);
  EXPECT_GE(peers[Peer(*servers_[0])], kCalls / 2 - 2) << "first server";
  EXPECT_GE(peers[Peer(*servers_[1])], kCalls / 2 - 2) << "second server";

  // The client library and the CLI take the same list.
  absl::StatusOr<std::unique_ptr<Client>> client = Client::Connect(servers_list_, ChannelOptions{});
  ASSERT_TRUE(client.ok()) << client.status();
  for (int i = 0; i < 4; ++i) EXPECT_TRUE((*client)->ListModels(AllModels()).ok());
  CommandResult cli = Cli(servers_list_, {"models", "list"});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;

  // One server stops (SIGTERM: graceful); every call still succeeds, on the other.
  EXPECT_EQ(servers_[1]->Stop(), 0);
  peers = CountPeers(*stub);
  EXPECT_EQ(peers[Peer(*servers_[0])], kCalls) << "calls failed or went elsewhere after the stop";
  for (int i = 0; i < 4; ++i) EXPECT_TRUE((*client)->ListModels(AllModels()).ok());
  cli = Cli(servers_list_, {"models", "list"});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
}

TEST(LoadBalancingCliTest, RefusesAHostNameInAList) {
  const CommandResult cli = Cli("localhost:1,localhost:2", {"models", "list"});
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_NE(cli.err.find("dns:///name:port"), std::string::npos) << cli.err;
}

}  // namespace
}  // namespace modelreg::testing

// End to end: modelregd as a process on its embedded PostgreSQL (a temp data dir), driven by the modelreg CLI.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "tests/e2e/process.h"

namespace modelreg::testing {
namespace {

// grpc.health.v1.Health/Check with an empty request (service ""); returns the serialized response, "" on failure.
// HealthCheckResponse{status: SERVING} is the two bytes 0x08 0x01.
std::string HealthCheck(const std::string& address) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::ByteBuffer request;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  grpc::ByteBuffer response;
  grpc::CompletionQueue cq;
  auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &cq);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!status.ok()) return "";
  std::vector<grpc::Slice> slices;
  (void)response.Dump(&slices);
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes;
}

class ServerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/mre2e.XXXXXX";
    root_ = mkdtemp(dir_template);
    // As root, the embedded cluster runs as `postgres`, which must be able to enter the directory.
    chmod(root_.c_str(), 0711);
    server_ = std::make_unique<ServerProcess>(root_ + "/data");
    ASSERT_TRUE(server_->Start({"--load-catalog=false"})) << Log();
    setenv("MODELREG_SERVER", server_->address().c_str(), 1);
    // The CLI reads no config file of the machine's user; it uses the admin token modelregd made on first start.
    setenv("XDG_CONFIG_HOME", (root_ + "/config").c_str(), 1);
    std::ifstream token_file(root_ + "/data/admin.token");
    std::getline(token_file, admin_token_);
    ASSERT_EQ(admin_token_.rfind("mrt_", 0), 0u) << "no admin token in " << root_ << "/data/admin.token";
    setenv("MODELREG_TOKEN", admin_token_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("MODELREG_TOKEN");
    server_.reset();
    std::filesystem::remove_all(root_);
  }

  std::string Log() const {
    std::ifstream in(server_->log_path());
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string admin_token_;

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = root_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  CommandResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), BinDir() + "/modelreg");
    return RunCommand(args);
  }

  std::string root_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServerCliTest, CliDrivesTheServerAndDataSurvivesRestart) {
  EXPECT_EQ(HealthCheck(server_->address()), std::string("\x08\x01", 2));

  const std::string license = WriteFile("license.yaml", R"(name: licenses/e2e-permissive
display_name: E2E Permissive
osi_approved: true
category: CATEGORY_PERMISSIVE
commercial_use: COMMERCIAL_USE_ALLOWED
sources: ["https://example.com/license"]
)");
  auto r = Cli({"licenses", "create", "-f", license});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::string model = WriteFile("model.json", R"({
  "name": "publishers/e2e/models/open-7b",
  "displayName": "Open 7B",
  "weights": {"access": "ACCESS_OPEN_DOWNLOAD", "license": "licenses/e2e-permissive"},
  "sources": ["https://example.com/open-7b"]
})");
  r = Cli({"models", "create", "-f", model});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = Cli({"models", "create", "-f", model});
  EXPECT_EQ(r.exit_code, 64 + 6) << "ALREADY_EXISTS: " << r.err;
  EXPECT_FALSE(r.err.empty());

  r = Cli({"models", "get", "e2e/open-7b", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"publishers/e2e/models/open-7b\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"level\": 3"), std::string::npos) << r.out;

  r = Cli({"models", "get", "publishers/e2e/models/missing"});
  EXPECT_EQ(r.exit_code, 64 + 5) << "NOT_FOUND: " << r.err;

  r = Cli({"models", "list", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("publishers/e2e/models/open-7b"), std::string::npos) << r.out;

  r = Cli({"models", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("publishers/e2e/models/open-7b"), std::string::npos) << r.out;

  r = Cli({"models", "frobnicate"});
  EXPECT_EQ(r.exit_code, 2) << "usage error";
  r = Cli({"models", "create", "-f", root_ + "/no-such-file.yaml"});
  EXPECT_EQ(r.exit_code, 1) << "local failure";
  r = Cli({"models", "create", "-f", WriteFile("bad.yaml", "name: publishers/e2e/models/x\nno_such_field: 1\n")});
  EXPECT_EQ(r.exit_code, 1) << r.err;

  r = Cli({"licenses", "delete", "e2e-permissive"});
  EXPECT_EQ(r.exit_code, 64 + 9) << "FAILED_PRECONDITION while referenced: " << r.err;

  r = Cli({"models", "delete", "e2e/open-7b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Restart: the data is still there, soft-deleted.
  ASSERT_EQ(server_->Stop(), 0) << Log();
  ASSERT_TRUE(server_->Start({"--load-catalog=false"})) << Log();
  setenv("MODELREG_SERVER", server_->address().c_str(), 1);
  EXPECT_EQ(HealthCheck(server_->address()), std::string("\x08\x01", 2));
  r = Cli({"models", "get", "e2e/open-7b", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("delete_time"), std::string::npos) << r.out;
  r = Cli({"models", "list", "-o", "json"});
  EXPECT_EQ(r.out.find("open-7b"), std::string::npos) << "deleted models are hidden: " << r.out;
  r = Cli({"models", "list", "--show-deleted", "-o", "json"});
  EXPECT_NE(r.out.find("open-7b"), std::string::npos) << r.out;
  r = Cli({"models", "undelete", "e2e/open-7b"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"licenses", "get", "e2e-permissive", "-o", "yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("E2E Permissive"), std::string::npos) << r.out;
}

// RPC errors: the CLI prints the message, then the structured details (reason, field paths, preconditions), and
// exits 64 + the gRPC code.
TEST_F(ServerCliTest, CliPrintsStructuredErrorDetails) {
  auto r = Cli({"models", "create", "-f", WriteFile("unknown-license.yaml", R"(name: publishers/e2e/models/orphan
weights: {access: ACCESS_OPEN_DOWNLOAD, license: licenses/no-such}
)")});
  EXPECT_EQ(r.exit_code, 64 + 3) << "INVALID_ARGUMENT: " << r.err;
  EXPECT_NE(r.err.find("error: INVALID_ARGUMENT: model.weights.license: unknown license `licenses/no-such`"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("\n  field model.weights.license: unknown license `licenses/no-such`"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("\n  reason: UNKNOWN_LICENSE\n"), std::string::npos) << r.err;

  r = Cli({"licenses", "create", "-f", WriteFile("license.yaml", "name: licenses/e2e-used\ndisplay_name: Used\n")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"models", "create", "-f", WriteFile("user.yaml", R"(name: publishers/e2e/models/user
weights: {access: ACCESS_OPEN_DOWNLOAD, license: licenses/e2e-used}
)")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"licenses", "delete", "e2e-used"});
  EXPECT_EQ(r.exit_code, 64 + 9) << "FAILED_PRECONDITION: " << r.err;
  EXPECT_NE(r.err.find("\n  reason: LICENSE_IN_USE\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\n  precondition REFERENCED_BY publishers/e2e/models/user: "), std::string::npos) << r.err;

  r = Cli({"models", "list", "--filter", "no_such_field = 1"});
  EXPECT_EQ(r.exit_code, 64 + 3) << r.err;
  EXPECT_NE(r.err.find("\n  field filter: "), std::string::npos) << r.err;
}

// Two modelregd processes on one database, as replicas behind a load balancer: each one's GetModel cache sees the
// other's writes (PostgreSQL notifications), and its own at once.
TEST_F(ServerCliTest, ReplicasOnOneDatabaseSeeEachOthersWrites) {
  ServerProcess replica(root_ + "/replica");
  ASSERT_TRUE(replica.Start(
      {"--load-catalog=false", "--database-url=postgresql://postgres@/modelreg?host=" + root_ + "/data&port=5432"}))
      << Log();
  // Both caches on (the listener is up and the warm-up done) before the first reads.
  for (const std::string& log : {server_->log_path(), replica.log_path()}) {
    bool listening = false;
    for (int attempt = 0; attempt < 200 && !listening; ++attempt) {
      std::ifstream in(log);
      listening =
          std::string(std::istreambuf_iterator<char>(in), {}).find("model cache: listening") != std::string::npos;
      if (!listening) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(listening) << log;
  }
  const std::string a = server_->address();
  const std::string b = replica.address();
  const std::string model = WriteFile("replicated.yaml", "name: publishers/e2e/models/replicated\ndescription: v1\n");
  auto r = Cli({"--server", a, "models", "create", "-f", model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& server : {a, b}) {  // both now hold revision 1 in their caches
    r = Cli({"--server", server, "models", "get", "e2e/replicated", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"v1\""), std::string::npos) << r.out;
  }

  r = Cli({"--server", a, "models", "update", "e2e/replicated", "-f", WriteFile("patch.yaml", "description: v2\n"),
           "--update-mask", "description"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"--server", a, "models", "get", "e2e/replicated", "-o", "json"});
  EXPECT_NE(r.out.find("\"v2\""), std::string::npos) << "the writer reads its own write at once: " << r.out;

  bool replica_saw_it = false;
  for (int attempt = 0; attempt < 100 && !replica_saw_it; ++attempt) {
    r = Cli({"--server", b, "models", "get", "e2e/replicated", "-o", "json"});
    replica_saw_it = r.exit_code == 0 && r.out.find("\"v2\"") != std::string::npos;
    if (!replica_saw_it) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(replica_saw_it) << "the replica still serves the old version: " << r.out;

  // The change stream through the replica: both writes made through the other server, as JSON Lines.
  r = Cli({"--server", b, "watch", "--from", "0", "--prefix", "publishers/e2e", "--count", "2", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0].front(), '{');
  EXPECT_NE(lines[0].find("\"change\":\"CHANGE_KIND_CREATE\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"change\":\"CHANGE_KIND_UPDATE\""), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("publishers/e2e/models/replicated"), std::string::npos) << lines[1];
  r = Cli({"--server", a, "watch", "--from", "0", "--kinds", "models", "--prefix", "publishers/e2e", "--count", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  create  publishers/e2e/models/replicated  "), std::string::npos) << r.out;
  EXPECT_EQ(Cli({"--server", a, "watch", "--kinds", "model"}).exit_code, 64 + 3);  // INVALID_ARGUMENT
}

// The source tree's tests/data (MODELREG_SOURCE_DIR is set by CMake).
std::string TestData(const std::string& relative) {
  return std::string(MODELREG_SOURCE_DIR) + "/tests/data/" + relative;
}

TEST_F(ServerCliTest, ShippedCatalogAndImportersThroughTheCli) {
  // Restart with the catalog loaded at start-up, as in production.
  ASSERT_EQ(server_->Stop(), 0) << Log();
  ASSERT_TRUE(server_->Start()) << Log();
  setenv("MODELREG_SERVER", server_->address().c_str(), 1);

  auto r = Cli({"models", "get", "meta-llama/llama-3.1-8b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 open weights, restrictive license"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("WEIGHTS_LICENSE_NOT_OPEN"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("threshold"), std::string::npos) << r.out;

  // Several names: one BatchGetModels call, in the order given; one missing name fails the call naming it.
  r = Cli({"models", "get", "qwen/qwen2.5-7b", "meta-llama/llama-3.1-8b", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t qwen = r.out.find("publishers/qwen/models/qwen2.5-7b");
  const size_t llama = r.out.find("publishers/meta-llama/models/llama-3.1-8b");
  ASSERT_NE(qwen, std::string::npos) << r.out;
  ASSERT_NE(llama, std::string::npos) << r.out;
  EXPECT_LT(qwen, llama) << r.out;
  r = Cli({"models", "get", "qwen/qwen2.5-7b", "e2e/missing"});
  EXPECT_EQ(r.exit_code, 64 + 5) << r.out;
  EXPECT_NE(r.err.find("publishers/e2e/models/missing"), std::string::npos) << r.err;

  r = Cli({"models", "list", "--all", "--filter", "openness.level = 5", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("publishers/eleutherai/models/pythia-6.9b"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("publishers/openai/models/gpt-4o"), std::string::npos) << r.out;

  // Classify without storing.
  const std::string facts = WriteFile("classify.yaml", R"(name: publishers/e2e/models/probe
weights: {access: ACCESS_OPEN_DOWNLOAD, license: licenses/llama3.1}
)");
  r = Cli({"models", "classify", "-f", facts, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"level\": 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("OPENNESS_FLAG_USAGE_THRESHOLD"), std::string::npos) << r.out;
  EXPECT_EQ(Cli({"models", "get", "e2e/probe"}).exit_code, 64 + 5);

  r = Cli({"catalog", "load"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("created 0, updated 0"), std::string::npos) << r.out << r.err;

  // Importers: a dry run writes nothing; the real import creates the model with its assessment.
  r = Cli({"import", "hf-card", TestData("hf_cards/open_finetune.md"), "--name", "example/chat-7b", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"models", "get", "example/chat-7b"});
  EXPECT_EQ(r.exit_code, 64 + 5) << "dry run must not create: " << r.out;
  r = Cli({"import", "hf-card", TestData("hf_cards/open_finetune.md"), "--name", "example/chat-7b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"models", "get", "example/chat-7b", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("licenses/apache-2.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"level\": 3"), std::string::npos) << r.out;
  // A card that states no gate is read as open unless the import is told otherwise.
  r = Cli({"import", "hf-card", TestData("hf_cards/open_finetune.md"), "--name", "example/chat-7b-private",
           "--default-access", "unknown", "--dry-run", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("ACCESS_OPEN_DOWNLOAD"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("licenses/apache-2.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("OPENNESS_FLAG_UNKNOWN_FACTS"), std::string::npos) << r.out;
  r = Cli({"import", "hf-card", TestData("hf_cards/open_finetune.md"), "--name", "example/chat-7b-private",
           "--default-access", "sideways", "--dry-run"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("sideways"), std::string::npos) << r.err;
  r = Cli({"import", "hf-card", TestData("hf_cards/no_front_matter.md"), "--name", "example/none"});
  EXPECT_EQ(r.exit_code, 1) << r.out;

  r = Cli({"import", "mof", TestData("mof/release_wide_licenses.yml"), "--name", "example/vision-2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"models", "get", "example/vision-2", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("COMPONENT_KIND_"), std::string::npos) << r.out;
  // One bad fact (a component the framework does not define) is dropped with a warning; a file that is not a MOF
  // file is an error.
  r = Cli({"import", "mof", TestData("mof/malformed.yml"), "--name", "example/partial"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Secret sauce"), std::string::npos) << r.err;
  r = Cli({"import", "mof", TestData("mof/not_mof.yml"), "--name", "example/bad"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

// A directory of model files written like the Model Openness Tool's (tests/data/mof_corpus): license names as the
// tool writes them resolve through the catalog's aliases, a license the catalog lacks becomes an unverified license,
// a path that is not a URL and a page title in the Hugging Face field are dropped with warnings; nothing fails.
TEST_F(ServerCliTest, BulkImportOfAToolCorpus) {
  auto r = Cli({"catalog", "load"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string corpus = TestData("mof_corpus");

  r = Cli({"import", "mof", corpus, "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("dry run, nothing written: 3 files: would-create 3, would-update 0, unchanged 0, skipped 0, "
                       "failed 0"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("unverified licenses to create (1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 open weights; weights license unknown"), std::string::npos) << r.out;
  EXPECT_EQ(Cli({"models", "get", "example-labs/alias-lm-7b"}).exit_code, 64 + 5) << "a dry run writes nothing";

  r = Cli({"import", "mof", corpus});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("3 files: created 3, updated 0, unchanged 0, skipped 0, failed 0"), std::string::npos) << r.out;

  // "Llama 2 Community License", "MIT License", "Apache License 2.0": the catalog's licenses, by their aliases.
  r = Cli({"models", "get", "example-labs/alias-lm-7b", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"license\": \"licenses/llama2\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"license\": \"licenses/mit\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"license\": \"licenses/apache-2.0\""), std::string::npos) << r.out;

  // A license the catalog lacks: a bare record marked unverified; the model's assessment says its facts are unknown.
  r = Cli({"licenses", "get", "example-vendor-open-model-license", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("modelreg.io/unverified"), std::string::npos) << r.out;
  r = Cli({"models", "get", "example-labs/vendor-lm-2b", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("OPENNESS_FLAG_UNKNOWN_FACTS"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("see the paper"), std::string::npos) << "a path that is not a URL is dropped: " << r.out;
  // The paper's "arXiv.org perpetual non-exclusive license 1.0" is the catalog's arXiv license, by an alias.
  EXPECT_NE(r.out.find("licenses/arxiv-nonexclusive-distrib-1.0"), std::string::npos) << r.out;

  // The Hugging Face field held a page title: its repository is still found.
  r = Cli({"models", "get", "examplelabs/messy-lm-8k-inst", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"huggingface_repo\": \"ExampleLabs/messy-lm-8k-inst\""), std::string::npos) << r.out;

  // Again: every model is unchanged. A changed file is skipped unless --on-conflict update.
  r = Cli({"import", "mof", corpus});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("created 0, updated 0, unchanged 3"), std::string::npos) << r.out;
  char dir_template[] = "/tmp/mrcorpus.XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  {
    std::ifstream in(corpus + "/aliased_licenses.yml");
    std::ofstream out(dir + "/aliased_licenses.yml");
    std::string line;
    while (std::getline(in, line)) out << (line == "  version: 7B" ? "  version: 7B-r2" : line) << "\n";
  }
  r = Cli({"import", "mof", dir});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("skipped 1"), std::string::npos) << r.out;
  r = Cli({"import", "mof", dir, "--on-conflict", "update"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("updated 1"), std::string::npos) << r.out;
  r = Cli({"models", "get", "example-labs/alias-lm-7b", "-o", "json"});
  EXPECT_NE(r.out.find("7B-r2"), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
}

// `modelreg check`: a usage check against the shipped catalog's license terms, its verdict as the exit code (0
// allowed, 3 unknown, 4 license required, 5 prohibited), a table by default and proto3 JSON with -o json.
TEST_F(ServerCliTest, UsageCheckVerdictsAreExitCodes) {
  auto r = Cli({"catalog", "load"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> use = {"--annual-revenue-usd", "5000000", "--commercial", "--hosting", "self-hosted"};
  auto check = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "check");
    args.insert(args.end(), use.begin(), use.end());
    return Cli(args);
  };

  r = check({"meta-llama/llama-3.1-8b", "--mau", "800000000"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.out.find("license required"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("is greater than 700 million monthly active users"), std::string::npos) << r.out;

  r = check({"meta-llama/llama-3.1-8b", "--mau", "1000", "--distribute-as", "acme-chat"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("allowed with obligations"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"Built with Llama\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"Llama-acme-chat\""), std::string::npos) << r.out;

  r = check({"cohereforai/c4ai-command-r-v01", "--mau", "10"});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.out.find("prohibited"), std::string::npos) << r.out;

  r = check({"meta-llama/llama-3.1-8b"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("missing: profile.monthly_active_users"), std::string::npos) << r.out;

  r = check({"meta-llama/llama-3.1-8b", "--mau", "800000000", "-o", "json"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.out.find("\"verdict\": \"VERDICT_LICENSE_REQUIRED\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"monthly_active_users\": \"800000000\""), std::string::npos) << r.out;

  r = Cli({"check", "openai/gpt-4o", "--mau", "1", "--non-commercial", "--hosting", "provider-api", "-o", "yaml"});
  EXPECT_EQ(r.exit_code, 3) << "the catalog records only the name of the proprietary terms: " << r.out << r.err;
  EXPECT_NE(r.out.find("verdict: \"VERDICT_UNKNOWN\""), std::string::npos) << r.out;

  r = Cli({"check", "meta-llama/llama-3.1-8b", "--org", "nobody", "--hosting", "self-hosted"});
  EXPECT_EQ(r.exit_code, 64 + 5) << "NOT_FOUND: " << r.err;
  EXPECT_NE(r.err.find("organizations/nobody"), std::string::npos) << r.err;

  EXPECT_EQ(Cli({"check", "e2e/missing", "--mau", "1"}).exit_code, 64 + 5);
  EXPECT_EQ(Cli({"check", "meta-llama/llama-3.1-8b", "--commercial", "--non-commercial"}).exit_code, 2);
  EXPECT_EQ(Cli({"check", "meta-llama/llama-3.1-8b", "--hosting", "cloud"}).exit_code, 2);
  EXPECT_EQ(Cli({"check", "meta-llama/llama-3.1-8b", "--mau", "-5"}).exit_code, 2);
  EXPECT_EQ(Cli({"check", "meta-llama/llama-3.1-8b", "--org", "acme", "--mau", "5"}).exit_code, 2);
  EXPECT_EQ(Cli({"check"}).exit_code, 2);
}

// The organization's inventory from the CLI: organizations from YAML files, usage checks against their figures, an
// ENFORCE policy blocking a deployment until an override, and the compliance report with its exit code.
TEST_F(ServerCliTest, GovernanceFromTheCli) {
  ASSERT_EQ(Cli({"catalog", "load"}).exit_code, 0);
  auto r = Cli({"orgs", "create", "-f", WriteFile("giant.yaml", R"(name: organizations/giant
display_name: Giant Corp
monthly_active_users: 500000000
annual_revenue_usd: 90000000000
commercial: true
country: US
affiliates:
  - {display_name: Giant Video, monthly_active_users: 300000000, annual_revenue_usd: 1000000000}
)")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Cli({"orgs", "create", "small", "-f", WriteFile("small.json", R"({"displayName": "Small Shop",
    "monthlyActiveUsers": "20000", "annualRevenueUsd": "3000000", "commercial": true, "country": "de"})")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  // 500M + the affiliate's 300M is past Llama 3.1's 700M.
  r = Cli({"check", "meta-llama/llama-3.1-8b", "--org", "giant", "--hosting", "self-hosted"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.out.find("license required"), std::string::npos) << r.out;
  r = Cli({"check", "meta-llama/llama-3.1-8b", "--org", "small", "--hosting", "self-hosted", "--distribute-as",
           "acme-chat", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"verdict\": \"VERDICT_ALLOWED_WITH_OBLIGATIONS\""), std::string::npos) << r.out;

  r = Cli({"policies", "create", "small/open-only", "-f", WriteFile("policy.yaml", R"(filter: openness.level >= 3
mode: MODE_ENFORCE
description: permissively licensed open weights only
)")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string deployment = WriteFile("deployment.yaml", R"(model: publishers/meta-llama/models/llama-3.1-8b
hosting: HOSTING_SELF_HOSTED
purpose: support chat
state: STATE_APPROVED
)");
  r = Cli({"deployments", "create", "small/chat", "-f", deployment});
  EXPECT_EQ(r.exit_code, 64 + 9) << "FAILED_PRECONDITION: " << r.out << r.err;
  EXPECT_NE(r.err.find("organizations/small/policies/open-only"), std::string::npos) << r.err;
  std::ofstream(deployment, std::ios::app) << "override: {justification: 'approved by legal, ticket 7'}\n";
  r = Cli({"deployments", "create", "small/chat", "-f", deployment});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("approved by legal, ticket 7"), std::string::npos) << r.out;

  r = Cli({"compliance", "small"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("overridden"), std::string::npos) << r.out;
  r = Cli({"deployments", "create", "giant/assistant", "-f", WriteFile("mistral.yaml", R"(
model: publishers/mistralai/models/mistral-7b-v0.1
hosting: HOSTING_SELF_HOSTED
)")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Cli({"policies", "create", "giant/no-thresholds", "-f", WriteFile("audit.yaml", R"(
filter: license.has_usage_threshold = false
mode: MODE_AUDIT
)")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Cli({"compliance", "giant", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"status\": \"STATUS_COMPLIANT\""), std::string::npos) << r.out;

  r = Cli({"orgs", "list", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("organizations/giant"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("organizations/small"), std::string::npos) << r.out;
  r = Cli({"deployments", "list", "--parent", "-", "--filter", "model.openness.level < 3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("organizations/small/deployments/chat"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("giant/deployments/assistant"), std::string::npos) << r.out;
  EXPECT_EQ(Cli({"orgs", "delete", "small"}).exit_code, 64 + 9) << "a live deployment and policy keep it";

  // History: who changed what, as a diff; reads as of a time.
  r = Cli({"orgs", "update", "small", "-f", WriteFile("grown.yaml", "monthly_active_users: 25000\n")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Cli({"history", "organizations/small"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  create  revision 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    monthly_active_users: 20000 -> 25000"), std::string::npos) << r.out;
  r = Cli({"history", "meta-llama/llama-3.1-8b", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"change\": \"CHANGE_KIND_CREATE\""), std::string::npos) << r.out;
  EXPECT_EQ(Cli({"models", "get", "meta-llama/llama-3.1-8b", "--at", "2000-01-01T00:00:00Z"}).exit_code, 64 + 5)
      << "no model existed then";
  EXPECT_EQ(Cli({"models", "get", "meta-llama/llama-3.1-8b", "--at", "2100-01-01T00:00:00Z"}).exit_code, 0);
  EXPECT_EQ(Cli({"models", "get", "meta-llama/llama-3.1-8b", "--at", "yesterday"}).exit_code, 2);

  // Purge: only of a soft-deleted resource; its history keeps the revisions without their records.
  const std::string policy = "organizations/giant/policies/no-thresholds";
  EXPECT_EQ(Cli({"purge", policy}).exit_code, 64 + 9) << "FAILED_PRECONDITION: still live";
  ASSERT_EQ(Cli({"policies", "delete", "giant/no-thresholds"}).exit_code, 0);
  r = Cli({"purge", policy});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("purge  revision 3"), std::string::npos) << r.out;
  EXPECT_EQ(Cli({"policies", "get", "giant/no-thresholds"}).exit_code, 64 + 5) << "NOT_FOUND";
  r = Cli({"history", policy});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("create  revision 1"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("filter: (unset) ->"), std::string::npos) << "no record left: " << r.out;
  EXPECT_NE(r.out.find("(record purged)"), std::string::npos) << r.out;

  // Lists and reports as of a time.
  // To the microsecond (TimeUtil::GetCurrentTime has whole seconds only, which may be before the last change).
  using google::protobuf::util::TimeUtil;
  const std::string now = TimeUtil::ToString(TimeUtil::MicrosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count()));
  r = Cli({"models", "list", "--parent", "meta-llama", "--at", now, "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("publishers/meta-llama/models/llama-3.1-8b"), std::string::npos) << r.out;
  r = Cli({"models", "list", "--parent", "meta-llama", "--at", "2000-01-01T00:00:00Z", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("publishers/meta-llama"), std::string::npos) << "no model existed then: " << r.out;
  r = Cli({"compliance", "small", "--at", now});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("overridden"), std::string::npos) << r.out;
  EXPECT_EQ(Cli({"compliance", "small", "--at", "2000-01-01T00:00:00Z"}).exit_code, 64 + 5)
      << "no organization existed then";
  EXPECT_EQ(Cli({"compliance", "small", "--at", "2100-01-01T00:00:00Z"}).exit_code, 64 + 3) << "in the future";
  EXPECT_EQ(Cli({"models", "list", "--at", "yesterday"}).exit_code, 2);
}

TEST_F(ServerCliTest, HealthIsNotServingWhileTheDatabaseIsDown) {
  EXPECT_EQ(HealthCheck(server_->address()), std::string("\x08\x01", 2));
  std::ifstream pid_file(root_ + "/data/pgdata/postmaster.pid");
  pid_t postmaster = 0;
  pid_file >> postmaster;
  ASSERT_GT(postmaster, 0);
  ASSERT_EQ(kill(postmaster, SIGKILL), 0);
  std::string health;
  for (int i = 0; i < 100 && health != std::string("\x08\x02", 2); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    health = HealthCheck(server_->address());
  }
  EXPECT_EQ(health, std::string("\x08\x02", 2)) << "NOT_SERVING";
  auto r = Cli({"models", "list"});
  EXPECT_EQ(r.exit_code, 64 + 14) << "UNAVAILABLE: " << r.err;
  EXPECT_EQ(r.err.find("SELECT"), std::string::npos) << r.err;
}

// One data directory, one owner: `migrate` and `reassess` against a serving modelregd's data directory use its
// cluster (no restart: the postmaster keeps its pid, the server keeps answering); a second `serve` there fails
// naming the holder's pid.
TEST_F(ServerCliTest, DataDirectoryHasOneOwner) {
  auto postmaster_pid = [&] {
    std::ifstream in(root_ + "/data/pgdata/postmaster.pid");
    long pid = 0;
    in >> pid;
    return pid;
  };
  const long postmaster = postmaster_pid();
  ASSERT_GT(postmaster, 0);
  std::ifstream lock_file(root_ + "/data/modelregd.lock");
  long holder = 0;
  lock_file >> holder;
  ASSERT_GT(holder, 0);

  for (const char* command : {"migrate", "reassess"}) {
    auto r = RunCommand({BinDir() + "/modelregd", command, "--data-dir=" + root_ + "/data"});
    EXPECT_EQ(r.exit_code, 0) << command << ": " << r.err;
    EXPECT_NE(r.err.find("in use by modelregd pid " + std::to_string(holder)), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("restarting"), std::string::npos) << r.err;
  }
  EXPECT_EQ(postmaster_pid(), postmaster) << "the serving cluster was restarted";
  EXPECT_EQ(HealthCheck(server_->address()), std::string("\x08\x01", 2));
  auto r = Cli({"models", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  r = RunCommand({BinDir() + "/modelregd", "--data-dir=" + root_ + "/data", "--listen=127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("in use by modelregd pid " + std::to_string(holder)), std::string::npos) << r.err;
  EXPECT_EQ(postmaster_pid(), postmaster);
  EXPECT_EQ(Cli({"models", "list"}).exit_code, 0);

  // A non-empty directory that is not a modelreg data directory is refused, untouched.
  const std::string foreign = root_ + "/foreign";
  ASSERT_EQ(mkdir(foreign.c_str(), 0755), 0);
  WriteFile("foreign/notes.txt", "mine\n");
  r = RunCommand({BinDir() + "/modelregd", "migrate", "--data-dir=" + foreign});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not a modelreg data directory"), std::string::npos) << r.err;
  struct stat info {};
  ASSERT_EQ(stat(foreign.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0755U);

  // An empty directory the user gave is used, and the mode change is said.
  const std::string given = root_ + "/given";
  ASSERT_EQ(mkdir(given.c_str(), 0755), 0);
  r = RunCommand({BinDir() + "/modelregd", "migrate", "--data-dir=" + given});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("changing the mode of " + given + " from 0755 to 0700"), std::string::npos) << r.err;
}

TEST_F(ServerCliTest, MigrateCommandIsIdempotent) {
  ASSERT_EQ(server_->Stop(), 0);
  for (int i = 0; i < 2; ++i) {
    auto r = RunCommand({BinDir() + "/modelregd", "migrate", "--data-dir=" + root_ + "/data"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  auto r = RunCommand({BinDir() + "/modelregd", "bogus"});
  EXPECT_EQ(r.exit_code, 2);
}

// A limit flag out of range stops modelregd at once, naming the flag, before any database is touched.
TEST(ServerFlagsTest, OutOfRangeLimitsFailAtStartNamingTheFlag) {
  const std::string unused_database = "--database-url=postgresql://nobody@/nodb?host=/nonexistent";
  for (const auto& [flag, message] : std::vector<std::pair<std::string, std::string>>{
           {"--max-threads=1", "--max-threads: expected at least 2, got 1"},
           {"--max-message-bytes=1000", "--max-message-bytes: expected 1048576 to"},
           {"--max-concurrent-calls-per-connection=0", "--max-concurrent-calls-per-connection: expected at least 1"},
           {"--revision-retention=1y", "--revision-retention: expected e.g. 90d"},
           {"--change-retention=0d", "--change-retention: expected e.g. 90d"},
           {"--revision-retention=1d", "--change-retention must not be longer than --revision-retention"}}) {
    const CommandResult r = RunCommand({BinDir() + "/modelregd", flag, unused_database});
    EXPECT_EQ(r.exit_code, 1) << flag << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << flag << ": " << r.err;
  }
}

// Every file the CLI reads (-f, importers, catalog load) is read by one bounded reader: a directory, an endless or
// huge input, or an unreadable path is exit code 1 with a message, never an abort (bad_alloc, uncaught exception).
// No server is needed: the input is rejected before any call.
TEST(CliInputTest, DirectoryHugeAndUnreadableInputsAreErrorsNotAborts) {
  char dir_template[] = "/tmp/mrcli.XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string huge = dir + "/huge.yaml";
  {
    std::ofstream out(huge, std::ios::binary);
    out << "name: publishers/x/models/y\n";
    out << "description: \"" << std::string((16 << 20) + 1, 'x') << "\"\n";
  }
  const std::vector<std::vector<std::string>> commands = {
      {"import", "mof", "/dev/zero"},
      {"import", "mof", huge},  // directories are imported file by file (BulkImportOfAToolCorpus)
      {"import", "hf-card", "/dev/zero", "--name", "a/b"},
      {"models", "create", "-f", dir},
      {"models", "create", "-f", "/dev/zero"},
      {"models", "create", "-f", huge},
      {"models", "classify", "-f", dir},
      {"models", "update", "x/y", "-f", "/dev/zero"},
      {"licenses", "create", "-f", dir},
      {"licenses", "update", "mit", "-f", "/dev/zero"},
      {"catalog", "load", "-f", dir},
      {"catalog", "load", "-f", "/dev/zero", "--dry-run"},
      {"import", "mof", dir + "/missing.yml"},
  };
  for (std::vector<std::string> args : commands) {
    std::string shown;
    for (const std::string& a : args) shown += a + " ";
    args.insert(args.begin(), {BinDir() + "/modelreg", "--server", "127.0.0.1:1", "--timeout", "2"});
    const CommandResult r = RunCommand(args);
    EXPECT_EQ(r.exit_code, 1) << shown << ": " << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0U) << shown << ": " << r.err;
    const bool names_the_problem = r.err.find("is a directory") != std::string::npos ||
                                   r.err.find("larger than the input limit of 16777216 bytes") != std::string::npos ||
                                   r.err.find("No such file") != std::string::npos;
    EXPECT_TRUE(names_the_problem) << shown << ": " << r.err;
    EXPECT_EQ(r.err.find("terminate"), std::string::npos) << shown << ": " << r.err;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace modelreg::testing

namespace modelreg::testing {
namespace {

// The bootstrap (admin token file), `modelregd tokens create` on the database, and the CLI using the tokens.
TEST_F(ServerCliTest, TokensFromModelregdAndTheCli) {
  struct stat st {};
  ASSERT_EQ(stat((root_ + "/data/admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string url = "--database-url=postgresql://postgres@/modelreg?host=" + root_ + "/data&port=5432";
  auto r = RunCommand({BinDir() + "/modelregd", "tokens", "create", url, "--principal=ci", "--role=viewer",
                       "--scope=publishers/e2e", "--expires=1d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string viewer = std::string(r.out.substr(0, r.out.find('\n')));
  ASSERT_EQ(viewer.rfind("mrt_", 0), 0u) << r.out;
  EXPECT_EQ(r.err.find(viewer), std::string::npos) << "the secret is printed on stdout only";

  // No token: UNAUTHENTICATED (exit 64 + 16).
  unsetenv("MODELREG_TOKEN");
  r = Cli({"models", "list"});
  EXPECT_EQ(r.exit_code, 64 + 16) << r.err;
  EXPECT_NE(r.err.find("TOKEN_MISSING"), std::string::npos) << r.err;
  // The config file is the last fallback.
  std::filesystem::create_directories(root_ + "/config/modelreg");
  std::ofstream(root_ + "/config/modelreg/config") << "# modelreg CLI\ntoken = " << viewer << "\n";
  r = Cli({"models", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::filesystem::remove(root_ + "/config/modelreg/config");

  // The viewer reads, but may not write; --token wins over MODELREG_TOKEN.
  setenv("MODELREG_TOKEN", admin_token_.c_str(), 1);
  const std::string model = WriteFile("m.yaml", "name: publishers/e2e/models/tok\n");
  r = Cli({"--token", viewer, "models", "create", "-f", model});
  EXPECT_EQ(r.exit_code, 64 + 7) << "PERMISSION_DENIED: " << r.err;
  r = Cli({"models", "create", "-f", model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"--token", viewer, "models", "get", "e2e/tok"});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  // The admin lists and revokes through the Admin service; the revoked token stops working.
  r = Cli({"tokens", "list", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"ci\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("mrt_"), std::string::npos) << "no secrets in listings: " << r.out;
  r = Cli({"tokens", "create", "--principal", "bot", "--role", "editor", "--scope", "publishers/e2e"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string editor = r.out.substr(0, r.out.find('\n'));
  r = Cli({"--token", editor, "models", "delete", "e2e/tok"});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  r = RunCommand({BinDir() + "/modelregd", "tokens", "list", url});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string ci_name;
  for (size_t pos = 0; pos < r.out.size();) {
    const auto end = r.out.find('\n', pos);
    const std::string line = r.out.substr(pos, end - pos);
    if (line.find("\tci\t") != std::string::npos) ci_name = line.substr(0, line.find('\t'));
    pos = end == std::string::npos ? r.out.size() : end + 1;
  }
  ASSERT_FALSE(ci_name.empty()) << r.out;
  r = Cli({"tokens", "revoke", ci_name});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"--token", viewer, "models", "list"});
  EXPECT_EQ(r.exit_code, 64 + 16) << r.err;
  EXPECT_NE(r.err.find("TOKEN_REVOKED"), std::string::npos) << r.err;

  // Never a token in the log.
  const std::string log = Log();
  EXPECT_EQ(log.find("mrt_"), std::string::npos) << log;
  EXPECT_NE(log.find("admin.token"), std::string::npos) << "the log says where the admin token is";
}

}  // namespace
}  // namespace modelreg::testing

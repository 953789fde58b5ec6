// End to end: modelregd's transport security as a process (TLS, mTLS, the non-loopback rule, one server per port),
// driven by the modelreg CLI, on a throwaway database of MODELREG_TEST_DATABASE_URL and certificates made with openssl.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/process.h"
#include "tests/support/test_certificates.h"
#include "tests/support/test_database.h"

namespace modelreg::testing {
namespace {

constexpr int kExitUnavailable = 64 + 14;

std::string ReadLog(const ServerProcess& server) {
  std::ifstream in(server.log_path());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class TlsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<TestCertificates> certificates = CreateTestCertificates();
    ASSERT_TRUE(certificates.ok()) << certificates.status();
    certs_ = new TestCertificates(*std::move(certificates));
    absl::StatusOr<std::unique_ptr<TestDatabase>> database = TestDatabase::Create(/*migrate=*/false);
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = database->release();
    // Every call needs a token: an admin token made on the database directly, as an operator would.
    const CommandResult created =
        RunCommand({BinDir() + "/modelregd", "tokens", "create", "--database-url=" + database_->url(),
                    "--principal=tls-e2e", "--role=admin"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    token_ = new std::string(created.out.substr(0, created.out.find('\n')));
  }
  static void TearDownTestSuite() {
    if (certs_ != nullptr) RemoveTestCertificates(*certs_);
    delete certs_;
    certs_ = nullptr;
    delete database_;
    database_ = nullptr;
    delete token_;
    token_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(certs_, nullptr);
    ASSERT_NE(database_, nullptr);
    char dir_template[] = "/tmp/mrtls.XXXXXX";
    root_ = mkdtemp(dir_template);
  }
  void TearDown() override {
    servers_.clear();
    std::filesystem::remove_all(root_);
  }

  // modelregd on the suite's database with `flags` (after ServerProcess's own, so --listen here wins); null when it
  // did not start, with its log in `*log`.
  ServerProcess* StartServer(std::vector<std::string> flags, std::string* log = nullptr) {
    flags.insert(flags.begin(), {"--database-url=" + database_->url(), "--load-catalog=false"});
    servers_.push_back(std::make_unique<ServerProcess>(root_ + "/server" + std::to_string(servers_.size())));
    const bool started = servers_.back()->Start(flags);
    if (log != nullptr) *log = ReadLog(*servers_.back());
    return started ? servers_.back().get() : nullptr;
  }
  std::vector<std::string> TlsFlags() const {
    return {"--tls-cert=" + certs_->server_cert, "--tls-key=" + certs_->server_key};
  }

  CommandResult Cli(const ServerProcess& server, std::vector<std::string> args) {
    args.insert(args.begin(),
                {BinDir() + "/modelreg", "--server", server.address(), "--timeout", "10", "--token", *token_});
    return RunCommand(args);
  }

  static TestCertificates* certs_;
  static TestDatabase* database_;
  static std::string* token_;
  std::string root_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

TestCertificates* TlsE2eTest::certs_ = nullptr;
TestDatabase* TlsE2eTest::database_ = nullptr;
std::string* TlsE2eTest::token_ = nullptr;

TEST_F(TlsE2eTest, CliTalksTlsWithTheCaAndPlaintextIsRefused) {
  std::string log;
  ServerProcess* server = StartServer(TlsFlags(), &log);
  ASSERT_NE(server, nullptr) << log;
  EXPECT_NE(ReadLog(*server).find("transport: TLS"), std::string::npos) << ReadLog(*server);

  auto r = Cli(*server, {"--ca-file", certs_->ca_cert, "licenses", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  setenv("MODELREG_CA_FILE", certs_->ca_cert.c_str(), 1);
  r = Cli(*server, {"licenses", "list"});
  unsetenv("MODELREG_CA_FILE");
  EXPECT_EQ(r.exit_code, 0) << "MODELREG_CA_FILE: " << r.err;

  r = Cli(*server, {"licenses", "list"});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << "plaintext client: " << r.err;
  EXPECT_NE(r.err.find("--ca-file"), std::string::npos) << "the hint names --ca-file: " << r.err;

  r = Cli(*server, {"--tls", "licenses", "list"});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << "the system's roots do not know the test CA: " << r.err;
  r = Cli(*server, {"--ca-file", certs_->other_ca_cert, "licenses", "list"});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << "another CA: " << r.err;

  r = Cli(*server, {"--ca-file", root_ + "/missing.pem", "licenses", "list"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
  r = Cli(*server, {"--ca-file", certs_->ca_cert, "--cert-file", certs_->client_cert, "licenses", "list"});
  EXPECT_EQ(r.exit_code, 1) << "a certificate without its key: " << r.err;
}

TEST_F(TlsE2eTest, MutualTlsNeedsAClientCertificateSignedByTheClientCa) {
  std::vector<std::string> flags = TlsFlags();
  flags.push_back("--tls-client-ca=" + certs_->ca_cert);
  std::string log;
  ServerProcess* server = StartServer(flags, &log);
  ASSERT_NE(server, nullptr) << log;
  EXPECT_NE(ReadLog(*server).find("client certificates required"), std::string::npos) << ReadLog(*server);

  auto r = Cli(*server, {"--ca-file", certs_->ca_cert, "licenses", "list"});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << "no client certificate: " << r.err;
  r = Cli(*server, {"--ca-file", certs_->ca_cert, "--cert-file", certs_->other_client_cert, "--key-file",
                    certs_->other_client_key, "licenses", "list"});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << "signed by another CA: " << r.err;

  r = Cli(*server, {"--ca-file", certs_->ca_cert, "--cert-file", certs_->client_cert, "--key-file", certs_->client_key,
                    "licenses", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  setenv("MODELREG_CA_FILE", certs_->ca_cert.c_str(), 1);
  setenv("MODELREG_CERT_FILE", certs_->client_cert.c_str(), 1);
  setenv("MODELREG_KEY_FILE", certs_->client_key.c_str(), 1);
  r = Cli(*server, {"licenses", "list"});
  unsetenv("MODELREG_CA_FILE");
  unsetenv("MODELREG_CERT_FILE");
  unsetenv("MODELREG_KEY_FILE");
  EXPECT_EQ(r.exit_code, 0) << "MODELREG_CA_FILE, MODELREG_CERT_FILE, MODELREG_KEY_FILE: " << r.err;
}

TEST_F(TlsE2eTest, BoundClientCertificatesActAsTheirPrincipalWithoutAToken) {
  const std::string bindings = root_ + "/bindings.yaml";
  std::ofstream(bindings) << "- subject: " << kClientSubject
                          << "\n  principal: alice-service\n  bindings: [editor=publishers/alice, viewer=licenses]\n";
  std::vector<std::string> flags = TlsFlags();
  flags.push_back("--tls-client-ca=" + certs_->ca_cert);
  flags.push_back("--tls-client-bindings=" + bindings);
  std::string log;
  ServerProcess* server = StartServer(flags, &log);
  ASSERT_NE(server, nullptr) << log;
  EXPECT_NE(ReadLog(*server).find("client certificates: 1 subjects bound to roles"), std::string::npos)
      << ReadLog(*server);

  auto model = [&](const std::string& publisher) {
    std::string path = root_ + "/" + publisher + ".json";
    std::ofstream(path) << R"({"name": "publishers/)" << publisher
                        << R"(/models/m1", "sources": ["https://example.com/m1"]})";
    return path;
  };
  const std::vector<std::string> mtls = {"--ca-file",         certs_->ca_cert, "--cert-file",
                                         certs_->client_cert, "--key-file",    certs_->client_key};
  auto as_certificate = [&](std::vector<std::string> args) {  // no token from anywhere: only the certificate
    args.insert(args.begin(), mtls.begin(), mtls.end());
    args.insert(args.begin(), {BinDir() + "/modelreg", "--server", server->address(), "--timeout", "10"});
    return RunCommand(args);
  };
  const char* home = std::getenv("HOME");
  const std::string saved_home = home != nullptr ? home : "";
  setenv("HOME", root_.c_str(), 1);
  unsetenv("MODELREG_TOKEN");

  auto r = as_certificate({"licenses", "list"});
  EXPECT_EQ(r.exit_code, 0) << "viewer of licenses: " << r.err;
  r = as_certificate({"models", "create", "-f", model("alice")});
  EXPECT_EQ(r.exit_code, 0) << "editor of publishers/alice: " << r.err;
  r = as_certificate({"models", "create", "-f", model("bob")});
  EXPECT_EQ(r.exit_code, 64 + 7) << "PERMISSION_DENIED outside its scope: " << r.err;
  r = as_certificate({"models", "get", "bob/m1"});
  EXPECT_EQ(r.exit_code, 64 + 7) << "no read binding on publishers/bob: " << r.err;

  // A token wins over the certificate: the admin token may write anywhere.
  std::vector<std::string> with_token = mtls;
  with_token.insert(with_token.end(), {"models", "create", "-f", model("bob")});
  r = Cli(*server, with_token);
  EXPECT_EQ(r.exit_code, 0) << "the token's admin binding: " << r.err;

  // A server binding another subject: this certificate is verified but unbound.
  const std::string other = root_ + "/other.yaml";
  std::ofstream(other) << "- {subject: 'CN=someone-else,O=modelreg-tests', bindings: [admin=*]}\n";
  flags.back() = "--tls-client-bindings=" + other;
  ServerProcess* unbound = StartServer(flags, &log);
  ASSERT_NE(unbound, nullptr) << log;
  server = unbound;
  r = as_certificate({"licenses", "list"});
  EXPECT_EQ(r.exit_code, 64 + 16) << "UNAUTHENTICATED: " << r.err;
  EXPECT_NE(r.err.find("CERTIFICATE_NOT_BOUND"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(kClientSubject), std::string::npos) << "the message names the subject: " << r.err;
  setenv("HOME", saved_home.c_str(), 1);

  // Bad configurations fail at start, naming the flag.
  const std::string broken = root_ + "/broken.yaml";
  std::ofstream(broken) << "- {subject: 'CN=x', bindings: [owner=*]}\n";
  flags.back() = "--tls-client-bindings=" + broken;
  EXPECT_EQ(StartServer(flags, &log), nullptr);
  EXPECT_NE(log.find("--tls-client-bindings"), std::string::npos) << log;
  EXPECT_NE(log.find("unknown role `owner`"), std::string::npos) << log;
  EXPECT_EQ(StartServer({"--tls-cert=" + certs_->server_cert, "--tls-key=" + certs_->server_key,
                         "--tls-client-bindings=" + bindings},
                        &log),
            nullptr);
  EXPECT_NE(log.find("needs --tls-client-ca"), std::string::npos) << log;
}

TEST_F(TlsE2eTest, NonLoopbackListenNeedsTlsOrInsecure) {
  std::string log;
  EXPECT_EQ(StartServer({"--listen=0.0.0.0:0"}, &log), nullptr) << "served plaintext on 0.0.0.0";
  EXPECT_NE(log.find("refusing to listen on 0.0.0.0:0 without TLS"), std::string::npos) << log;
  EXPECT_NE(log.find("--insecure"), std::string::npos) << log;
  EXPECT_NE(log.find("--tls-cert"), std::string::npos) << log;

  ServerProcess* insecure = StartServer({"--listen=0.0.0.0:0", "--insecure"}, &log);
  ASSERT_NE(insecure, nullptr) << log;
  auto r = Cli(*insecure, {"licenses", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  std::vector<std::string> flags = TlsFlags();
  flags.push_back("--listen=0.0.0.0:0");
  ServerProcess* tls = StartServer(flags, &log);
  ASSERT_NE(tls, nullptr) << log;
  r = Cli(*tls, {"--ca-file", certs_->ca_cert, "licenses", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(TlsE2eTest, SecondServerOnTheSamePortFailsAtStart) {
  std::string log;
  ServerProcess* first = StartServer({}, &log);
  ASSERT_NE(first, nullptr) << log;
  const std::string port = first->address().substr(first->address().rfind(':') + 1);

  EXPECT_EQ(StartServer({"--listen=127.0.0.1:" + port}, &log), nullptr) << "two servers share port " << port;
  EXPECT_NE(log.find("port " + port + " is already in use"), std::string::npos) << log;
  EXPECT_EQ(StartServer({"--listen=0.0.0.0:" + port, "--insecure"}, &log), nullptr) << "wildcard on the same port";
  EXPECT_NE(log.find("already in use"), std::string::npos) << log;

  auto r = Cli(*first, {"licenses", "list"});
  EXPECT_EQ(r.exit_code, 0) << "the first server still serves: " << r.err;
}

}  // namespace
}  // namespace modelreg::testing

// TLS and mTLS over real loopback connections: modelregd's credentials (server/api/server_credentials.h), the
// client's (client/channel_options.h), and the verified client subject the adapters see (server/api/peer_identity.h).
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "client/channel_options.h"
#include "client/client.h"
#include "modelreg/v1/model_registry.grpc.pb.h"
#include "server/api/peer_identity.h"
#include "server/api/server_credentials.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_certificates.h"

namespace modelreg {
namespace {

using testing::CreateTestCertificates;
using ::testing::HasSubstr;
using testing::TestCertificates;

// GetModel answers with the caller's verified certificate: description = subject, display_name = common name, or
// "(none)" without one.
class PeerEchoService final : public v1::ModelRegistry::Service {
  grpc::Status GetModel(grpc::ServerContext* context, const v1::GetModelRequest* request, v1::Model* model) override {
    model->set_name(request->name());
    const std::optional<PeerCertificate> peer = VerifiedPeerCertificate(*context);
    model->set_description(peer.has_value() ? peer->subject : "(none)");
    if (peer.has_value()) model->set_display_name(peer->common_name);
    return grpc::Status::OK;
  }
};

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<TestCertificates> certificates = CreateTestCertificates();
    ASSERT_TRUE(certificates.ok()) << certificates.status();
    certs_ = new TestCertificates(*std::move(certificates));
  }
  static void TearDownTestSuite() {
    if (certs_ != nullptr) testing::RemoveTestCertificates(*certs_);
    delete certs_;
    certs_ = nullptr;
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  // Serves PeerEchoService on a free loopback port with `options`.
  void StartServer(const ServerTlsOptions& options) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = BuildServerCredentials(options);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
  }
  ServerTlsOptions Tls() const { return {certs_->server_cert, certs_->server_key, ""}; }
  ServerTlsOptions MutualTls() const { return {certs_->server_cert, certs_->server_key, certs_->ca_cert}; }

  // GetModel through modelreg::Client with `options`; the model or the error.
  absl::StatusOr<v1::Model> Call(const ChannelOptions& options, const std::string& host = "127.0.0.1") const {
    absl::StatusOr<std::unique_ptr<Client>> client = Client::Connect(host + ":" + std::to_string(port_), options);
    if (!client.ok()) return client.status();
    (*client)->set_deadline(absl::Seconds(10));
    v1::GetModelRequest request;
    request.set_name("publishers/x/models/y");
    return (*client)->GetModel(request);
  }

  static TestCertificates* certs_;
  PeerEchoService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TestCertificates* TlsTest::certs_ = nullptr;

ChannelOptions Options(std::string ca_file, std::string cert_file = "", std::string key_file = "") {
  ChannelOptions options;
  options.ca_file = std::move(ca_file);
  options.cert_file = std::move(cert_file);
  options.key_file = std::move(key_file);
  return options;
}

TEST_F(TlsTest, ClientWithTheCaCompletesTheHandshake) {
  StartServer(Tls());
  absl::StatusOr<v1::Model> model = Call(Options(certs_->ca_cert));
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->description(), "(none)") << "no client certificate was asked for";
  model = Call(Options(certs_->ca_cert), "localhost");
  EXPECT_TRUE(model.ok()) << "the certificate names localhost too: " << model.status();
}

TEST_F(TlsTest, PlaintextClientIsRefused) {
  StartServer(Tls());
  absl::StatusOr<v1::Model> model = Call({});
  EXPECT_EQ(model.status().code(), absl::StatusCode::kUnavailable) << model.status();
}

TEST_F(TlsTest, ClientWithoutTheCaFailsVerification) {
  StartServer(Tls());
  ChannelOptions system_roots;
  system_roots.tls = true;  // the system's roots do not know the test CA
  absl::StatusOr<v1::Model> model = Call(system_roots);
  EXPECT_EQ(model.status().code(), absl::StatusCode::kUnavailable) << model.status();
  model = Call(Options(certs_->other_ca_cert));
  EXPECT_EQ(model.status().code(), absl::StatusCode::kUnavailable) << model.status();
}

TEST_F(TlsTest, TlsClientIsRefusedByAPlaintextServer) {
  StartServer({});
  EXPECT_TRUE(Call({}).ok());
  absl::StatusOr<v1::Model> model = Call(Options(certs_->ca_cert));
  EXPECT_EQ(model.status().code(), absl::StatusCode::kUnavailable) << model.status();
}

TEST_F(TlsTest, MutualTlsRequiresACertificateSignedByTheClientCa) {
  StartServer(MutualTls());
  absl::StatusOr<v1::Model> model = Call(Options(certs_->ca_cert));
  EXPECT_EQ(model.status().code(), absl::StatusCode::kUnavailable) << "no client certificate: " << model.status();
  model = Call(Options(certs_->ca_cert, certs_->other_client_cert, certs_->other_client_key));
  EXPECT_EQ(model.status().code(), absl::StatusCode::kUnavailable) << "signed by another CA: " << model.status();

  model = Call(Options(certs_->ca_cert, certs_->client_cert, certs_->client_key));
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->description(), testing::kClientSubject) << "the verified subject, as the adapters see it";
  EXPECT_EQ(model->display_name(), testing::kClientCommonName);
}

TEST_F(TlsTest, NoVerifiedPeerOverPlaintext) {
  StartServer({});
  absl::StatusOr<v1::Model> model = Call({});
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->description(), "(none)");
}

TEST_F(TlsTest, BadServerOptionsNameTheFlag) {
  auto status = BuildServerCredentials({certs_->server_cert, "", ""}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("--tls-key"));
  status = BuildServerCredentials({"", "", certs_->ca_cert}).status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("--tls-client-ca needs TLS"));
  status = BuildServerCredentials({certs_->dir + "/missing.pem", certs_->server_key, ""}).status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("--tls-cert: cannot read"));
  status = BuildServerCredentials({certs_->server_key, certs_->server_key, ""}).status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("holds no PEM CERTIFICATE"));
  status = BuildServerCredentials({certs_->server_cert, certs_->server_cert, ""}).status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("--tls-key"));
  EXPECT_TRUE(BuildServerCredentials({}).ok());
}

TEST_F(TlsTest, BadClientOptions) {
  auto status = BuildChannelCredentials(Options("", certs_->client_cert)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  status = BuildChannelCredentials(Options(certs_->dir + "/missing.pem")).status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("cannot read"));
  EXPECT_FALSE(Client::Connect("127.0.0.1:1", Options("", "", certs_->client_key)).ok());
}

TEST(ListenSecurityTest, LoopbackAddresses) {
  for (const char* address : {"127.0.0.1:7411", "127.0.0.53:1", "localhost:0", "LOCALHOST:7411", "[::1]:7411",
                              "[::ffff:127.0.0.1]:7411", "unix:/tmp/modelreg.sock"}) {
    EXPECT_TRUE(IsLoopbackListenAddress(address)) << address;
  }
  for (const char* address : {"0.0.0.0:7411", "[::]:7411", ":7411", "10.0.0.5:7411", "example.com:7411",
                              "localhost.example.com:1", "::1", "128.0.0.1:1"}) {
    EXPECT_FALSE(IsLoopbackListenAddress(address)) << address;
  }
}

TEST(ListenSecurityTest, NonLoopbackNeedsTlsOrInsecure) {
  EXPECT_TRUE(CheckListenSecurity("127.0.0.1:7411", false, false).ok());
  EXPECT_TRUE(CheckListenSecurity("0.0.0.0:7411", true, false).ok());
  EXPECT_TRUE(CheckListenSecurity("0.0.0.0:7411", false, true).ok());
  const absl::Status status = CheckListenSecurity("0.0.0.0:7411", false, false);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("without TLS"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("--insecure"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("--tls-cert"));
}

TEST(ListenSecurityTest, DiagnosesAPortInUse) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string port = std::to_string(ntohs(address.sin_port));
  EXPECT_EQ(DiagnoseListenFailure("127.0.0.1:" + port), "port " + port + " is already in use (another modelregd?)");
  close(fd);
  EXPECT_EQ(DiagnoseListenFailure("127.0.0.1:" + port), "");
  EXPECT_THAT(DiagnoseListenFailure("192.0.2.1:7411"), HasSubstr("is not an address of this machine"));
}

}  // namespace
}  // namespace modelreg

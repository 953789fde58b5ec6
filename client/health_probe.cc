// modelreg-health-probe: one grpc.health.v1.Health/Check call, for container health checks and Kubernetes exec
// probes where the kubelet's built-in gRPC probe cannot be used (it speaks plaintext only; modelregd serves TLS when
// given --tls-cert). Debian ships no grpc_health_probe; this mirrors its exit codes:
//   0 SERVING, 1 bad arguments, 2 no connection within --timeout, 3 the call failed, 4 not SERVING.
// --any-status (for liveness probes) exits 0 on any answer: modelregd reports NOT_SERVING while its database is
// unreachable, which is no reason to restart it.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace {

// HealthCheckRequest{service}: field 1, length-delimited; empty for the server's overall status.
std::string EncodeRequest(const std::string& service) {
  if (service.empty()) return "";
  return std::string(1, '\x0a') + static_cast<char>(service.size()) + service;
}

// HealthCheckResponse.status (field 1, varint; absent means UNKNOWN = 0).
int DecodeStatus(const std::string& bytes) {
  if (bytes.size() >= 2 && bytes[0] == '\x08') return static_cast<unsigned char>(bytes[1]);
  return 0;
}

const char* StatusName(int status) {
  switch (status) {
    case 1:
      return "SERVING";
    case 2:
      return "NOT_SERVING";
    case 3:
      return "SERVICE_UNKNOWN";
    default:
      return "UNKNOWN";
  }
}

int Run(int argc, char** argv) {
  CLI::App app{"Checks a gRPC server's health (grpc.health.v1.Health/Check); exit 0 when SERVING"};
  std::string address = "127.0.0.1:7411";
  std::string service;
  std::string tls_ca;
  std::string tls_server_name;
  double timeout_seconds = 5;
  bool any_status = false;
  app.add_option("--addr", address, "Server address, host:port")->capture_default_str();
  app.add_option("--service", service, "Service name to check (default: the server's overall status)");
  app.add_option("--tls-ca", tls_ca, "PEM CA certificates: connect over TLS and verify the server against them");
  app.add_option("--tls-server-name", tls_server_name,
                 "Name expected in the server certificate (default: the host of --addr)");
  app.add_option("--timeout", timeout_seconds, "Seconds for connecting and the call")->capture_default_str();
  app.add_flag("--any-status", any_status, "Exit 0 on any answer of the health service (liveness)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;  // --help: 0; anything else: the documented 1, not CLI11's own codes
  }
  if (service.size() > 127) {
    std::fprintf(stderr, "modelreg-health-probe: --service is longer than 127 bytes\n");
    return 1;
  }

  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  grpc::ChannelArguments arguments;
  if (!tls_ca.empty()) {
    std::ifstream in(tls_ca);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in || pem.str().empty()) {
      std::fprintf(stderr, "modelreg-health-probe: cannot read --tls-ca %s\n", tls_ca.c_str());
      return 1;
    }
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = pem.str();
    credentials = grpc::SslCredentials(options);
    if (!tls_server_name.empty()) arguments.SetSslTargetNameOverride(tls_server_name);
  }
  auto channel = grpc::CreateCustomChannel(address, credentials, arguments);
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  if (!channel->WaitForConnected(deadline)) {
    std::fprintf(stderr, "modelreg-health-probe: no connection to %s within %gs\n", address.c_str(), timeout_seconds);
    return 2;
  }

  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(deadline);
  grpc::Slice request_slice(EncodeRequest(service));
  grpc::ByteBuffer request(&request_slice, 1);
  grpc::ByteBuffer response;
  grpc::CompletionQueue queue;
  auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &queue);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response, &status, nullptr);
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  if (!status.ok()) {
    std::fprintf(stderr, "modelreg-health-probe: Check failed: code %d: %s\n", static_cast<int>(status.error_code()),
                 status.error_message().c_str());
    return 3;
  }
  std::vector<grpc::Slice> slices;
  (void)response.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  const int health = DecodeStatus(bytes);
  std::printf("%s\n", StatusName(health));
  return health == 1 || any_status ? 0 : 4;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "modelreg-health-probe: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "modelreg-health-probe: unknown exception\n");
  }
  return 3;
}

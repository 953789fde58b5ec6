// Throwaway X.509 certificates for TLS tests, made at run time with the openssl command: a CA, a server certificate
// for 127.0.0.1 and localhost signed by it, a client certificate signed by it, and an unrelated CA with a client
// certificate of its own (for "signed by someone else").
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace modelreg::testing {

struct TestCertificates {
  std::string dir;  // all files live here; removed by RemoveTestCertificates
  std::string ca_cert;
  std::string server_cert;  // subjectAltName IP:127.0.0.1, IP:::1, DNS:localhost; extendedKeyUsage serverAuth
  std::string server_key;
  std::string client_cert;  // subject kClientSubject; extendedKeyUsage clientAuth
  std::string client_key;
  std::string other_ca_cert;
  std::string other_client_cert;  // signed by other_ca_cert
  std::string other_client_key;
};

// The client certificate's subject as gRPC reports it (RFC 2253 order: most specific first).
inline constexpr char kClientSubject[] = "CN=alice,O=modelreg-tests";
inline constexpr char kClientCommonName[] = "alice";

// Creates the files in a fresh directory under /tmp; INTERNAL with openssl's output when a command fails.
absl::StatusOr<TestCertificates> CreateTestCertificates();
void RemoveTestCertificates(const TestCertificates& certificates);

}  // namespace modelreg::testing

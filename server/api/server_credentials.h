// Transport security of modelregd: TLS server credentials from PEM files, client certificate bindings, the rule that a
// non-loopback listener needs TLS (or an explicit --insecure), and why a listening port could not be opened.
#pragma once

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/domain/auth/certificate_bindings.h"

namespace modelreg {

struct ServerTlsOptions {
  std::string cert_file;       // PEM certificate chain of the server (--tls-cert)
  std::string key_file;        // PEM private key of that certificate (--tls-key)
  std::string client_ca_file;  // PEM CA certificates; when set, clients must present a certificate they signed (mTLS)

  bool enabled() const { return !cert_file.empty() || !key_file.empty() || !client_ca_file.empty(); }
};

// Insecure credentials when no option is set; TLS credentials otherwise, requiring and verifying a client certificate
// when `client_ca_file` is set. INVALID_ARGUMENT (naming the flag) for a certificate without a key or the reverse, a
// client CA without a server certificate, or a file that cannot be read or holds no PEM block of the expected kind.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> BuildServerCredentials(const ServerTlsOptions& options);

// The client certificate bindings in the YAML file `path` (--tls-client-bindings; format in
// domain/auth/certificate_bindings.h). INVALID_ARGUMENT naming the flag when the file cannot be read or parsed, or
// when client certificates are not verified (`client_ca_file` empty): a binding would then never apply.
absl::StatusOr<CertificateBindings> ReadCertificateBindings(const std::string& path, const ServerTlsOptions& tls);

// Whether `address` (a gRPC listen address: host:port, [v6]:port, unix:path) can only be reached from this machine:
// a literal loopback address (127.0.0.0/8, ::1), `localhost`, or a Unix socket. Host names are not resolved.
bool IsLoopbackListenAddress(const std::string& address);

// FAILED_PRECONDITION, saying why and naming --tls-cert/--tls-key and --insecure, when a non-loopback `address` would
// be served without TLS and `insecure` was not given.
absl::Status CheckListenSecurity(const std::string& address, bool tls, bool insecure);

// After gRPC failed to listen on `address`: a plain bind(2) of the same address tells why, e.g. "port 7411 is
// already in use (another modelregd?)". Empty when that bind succeeds or the address is not host:port.
std::string DiagnoseListenFailure(const std::string& address);

}  // namespace modelreg

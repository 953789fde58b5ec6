// How the client reaches modelregd: plaintext, or TLS with the server verified against a CA file (or the system's
// roots) and, for mTLS, a client certificate.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace modelreg {

struct ChannelOptions {
  std::string ca_file;    // PEM CA certificates that must have signed the server's certificate
  std::string cert_file;  // PEM client certificate, for servers that require one (with key_file)
  std::string key_file;   // PEM private key of cert_file
  bool tls = false;       // TLS with the system's trusted roots; implied by any of the files above

  bool UsesTls() const { return tls || !ca_file.empty() || !cert_file.empty() || !key_file.empty(); }
};

// Insecure credentials when !options.UsesTls(); else TLS credentials from the files. INVALID_ARGUMENT for a
// certificate without its key or the reverse, or a file that cannot be read or holds no PEM block of the right kind.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> BuildChannelCredentials(const ChannelOptions& options);

}  // namespace modelreg

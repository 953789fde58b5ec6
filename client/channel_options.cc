#include "client/channel_options.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace modelreg {
namespace {

// The contents of the PEM file `path` (option `option`), which must hold a block whose BEGIN line ends with `kind`.
absl::StatusOr<std::string> ReadPem(const std::string& option, const std::string& path, const std::string& kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(option, ": cannot read `", path, "`: ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (!absl::StrContains(text.str(), "-----BEGIN ") || !absl::StrContains(text.str(), kind + "-----")) {
    return absl::InvalidArgumentError(absl::StrCat(option, ": `", path, "` holds no PEM ", kind));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> BuildChannelCredentials(const ChannelOptions& options) {
  if (!options.UsesTls()) return grpc::InsecureChannelCredentials();
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate and its private key go together: give both the certificate file and the key file");
  }
  grpc::SslCredentialsOptions ssl;  // empty pem_root_certs: the system's trusted roots
  if (!options.ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadPem("CA file", options.ca_file, "CERTIFICATE");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
  }
  if (!options.cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadPem("certificate file", options.cert_file, "CERTIFICATE");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem("key file", options.key_file, "PRIVATE KEY");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *cert;
    ssl.pem_private_key = *key;
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace modelreg

#include "server/api/server_credentials.h"

#include <arpa/inet.h>
#include <grpcpp/security/server_credentials.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace modelreg {
namespace {

// The whole file named by `flag`.
absl::StatusOr<std::string> ReadText(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read `", path, "`: ", std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The contents of a PEM file named by `flag`, which must hold a block whose BEGIN line ends with `kind`.
absl::StatusOr<std::string> ReadPem(const std::string& flag, const std::string& path, const std::string& kind) {
  MODELREG_ASSIGN_OR_RETURN(std::string text, ReadText(flag, path));
  if (!absl::StrContains(text, "-----BEGIN ") || !absl::StrContains(text, kind + "-----")) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": `", path, "` holds no PEM ", kind));
  }
  return text;
}

struct HostPort {
  std::string host;
  std::string port;
};

// "host:port" or "[v6]:port"; false for anything else (unix:..., no port).
bool SplitHostPort(const std::string& address, HostPort* out) {
  if (!address.empty() && address[0] == '[') {
    const size_t close = address.find(']');
    if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':') return false;
    out->host = address.substr(1, close - 1);
    out->port = address.substr(close + 2);
    return !out->port.empty();
  }
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || address.find(':') != colon) return false;  // none, or a bare IPv6 address
  out->host = address.substr(0, colon);
  out->port = address.substr(colon + 1);
  return !out->port.empty();
}

bool IsLoopbackHost(const std::string& host) {
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace

absl::StatusOr<CertificateBindings> ReadCertificateBindings(const std::string& path, const ServerTlsOptions& tls) {
  constexpr char kFlag[] = "--tls-client-bindings";
  if (tls.client_ca_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFlag, ": needs --tls-client-ca (client certificates are only verified, and so only bound, under mTLS)"));
  }
  MODELREG_ASSIGN_OR_RETURN(std::string text, ReadText(kFlag, path));
  return CertificateBindings::Parse(text, absl::StrCat(kFlag, " `", path, "`"));
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> BuildServerCredentials(const ServerTlsOptions& options) {
  if (!options.enabled()) return grpc::InsecureServerCredentials();
  if (options.cert_file.empty() || options.key_file.empty()) {
    return absl::InvalidArgumentError(
        options.cert_file.empty() && options.key_file.empty()
            ? "--tls-client-ca needs TLS: give --tls-cert and --tls-key as well"
            : "--tls-cert and --tls-key go together: give both, the certificate and its private key");
  }
  MODELREG_ASSIGN_OR_RETURN(std::string cert, ReadPem("--tls-cert", options.cert_file, "CERTIFICATE"));
  MODELREG_ASSIGN_OR_RETURN(std::string key, ReadPem("--tls-key", options.key_file, "PRIVATE KEY"));
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  ssl.pem_key_cert_pairs.push_back({key, cert});
  if (!options.client_ca_file.empty()) {
    MODELREG_ASSIGN_OR_RETURN(std::string ca, ReadPem("--tls-client-ca", options.client_ca_file, "CERTIFICATE"));
    ssl.pem_root_certs = ca;
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

bool IsLoopbackListenAddress(const std::string& address) {
  if (absl::StartsWith(address, "unix:") || absl::StartsWith(address, "unix-abstract:")) return true;
  HostPort parts;
  return SplitHostPort(address, &parts) && IsLoopbackHost(parts.host);
}

absl::Status CheckListenSecurity(const std::string& address, bool tls, bool insecure) {
  if (tls || insecure || IsLoopbackListenAddress(address)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to listen on ", address,
      " without TLS: it is not a loopback address, so other machines could read and change the registry in "
      "plaintext. Give --tls-cert and --tls-key (and --tls-client-ca to require client certificates), listen on "
      "127.0.0.1, or pass --insecure if the network is protected otherwise"));
}

std::string DiagnoseListenFailure(const std::string& address) {
  HostPort parts;
  if (!SplitHostPort(address, &parts)) return "";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(parts.host.empty() ? nullptr : parts.host.c_str(), parts.port.c_str(), &hints, &found);
      rc != 0) {
    return absl::StrCat("cannot resolve `", parts.host, "`: ", gai_strerror(rc));
  }
  std::string reason;
  for (addrinfo* ai = found; ai != nullptr && reason.empty(); ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;  // as gRPC does, so that connections in TIME_WAIT do not count
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno == EADDRINUSE) {
        reason = absl::StrCat("port ", parts.port, " is already in use (another modelregd?)");
      } else if (errno == EADDRNOTAVAIL) {
        reason = absl::StrCat("`", parts.host, "` is not an address of this machine");
      } else if (errno == EACCES) {
        reason = absl::StrCat("no permission to bind port ", parts.port);
      }
    }
    close(fd);
  }
  freeaddrinfo(found);
  return reason;
}

}  // namespace modelreg

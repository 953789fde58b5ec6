// Who is calling, as far as the transport proves it: the subject of a client certificate that the server verified
// (mTLS, modelregd --tls-client-ca). For the adapter layer, e.g. to bind a certificate subject to roles.
#pragma once

#include <grpcpp/security/auth_context.h>
#include <grpcpp/server_context.h>

#include <optional>
#include <string>
#include <vector>

namespace modelreg {

struct PeerCertificate {
  std::string subject;                         // RFC 2253, e.g. "CN=alice,O=ml-platform"
  std::string common_name;                     // the subject's CN, empty if it has none
  std::vector<std::string> subject_alt_names;  // DNS names, IP addresses, URIs, emails of the certificate
};

// The client certificate of the call when the TLS handshake verified it against --tls-client-ca; nullopt for a
// plaintext call, TLS without client certificates, or an in-process call.
std::optional<PeerCertificate> VerifiedPeerCertificate(const grpc::AuthContext& auth);
std::optional<PeerCertificate> VerifiedPeerCertificate(const grpc::ServerContext& context);

}  // namespace modelreg

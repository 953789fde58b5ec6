#include "server/api/peer_identity.h"

#include <grpc/grpc_security_constants.h>

namespace modelreg {
namespace {

std::vector<std::string> Values(const grpc::AuthContext& auth, const char* property) {
  std::vector<std::string> values;
  for (const grpc::string_ref& value : auth.FindPropertyValues(property)) {
    values.emplace_back(value.data(), value.size());
  }
  return values;
}

}  // namespace

std::optional<PeerCertificate> VerifiedPeerCertificate(const grpc::AuthContext& auth) {
  // gRPC marks the peer authenticated only once its certificate chain was verified against the configured roots.
  if (!auth.IsPeerAuthenticated()) return std::nullopt;
  const std::vector<std::string> type = Values(auth, GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME);
  if (type.empty() || type.front() != GRPC_SSL_TRANSPORT_SECURITY_TYPE) return std::nullopt;
  const std::vector<std::string> subject = Values(auth, GRPC_X509_SUBJECT_PROPERTY_NAME);
  if (subject.empty()) return std::nullopt;
  PeerCertificate peer;
  peer.subject = subject.front();
  const std::vector<std::string> common_name = Values(auth, GRPC_X509_CN_PROPERTY_NAME);
  if (!common_name.empty()) peer.common_name = common_name.front();
  peer.subject_alt_names = Values(auth, GRPC_X509_SAN_PROPERTY_NAME);
  return peer;
}

std::optional<PeerCertificate> VerifiedPeerCertificate(const grpc::ServerContext& context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return std::nullopt;
  return VerifiedPeerCertificate(*auth);
}

}  // namespace modelreg

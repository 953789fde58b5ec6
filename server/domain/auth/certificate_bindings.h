// Client certificates bound to roles (mTLS): the (role, scope) bindings each verified client certificate subject
// holds, as read from the YAML file of modelregd --tls-client-bindings. A call without a bearer token whose client
// certificate's subject is listed acts as that subject's principal (server/api/call_auth.h). Pure: text in, table out.
//
//   # subject: the certificate's subject in RFC 2253 form, most specific first, compared exactly
//   - subject: CN=hub-ingest,O=Example Hub
//     principal: hub-ingest                        # optional; default `cert:` + subject
//     bindings: [editor=publishers/acme, viewer=licenses]
#pragma once

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/auth/auth.h"

namespace modelreg {

class CertificateBindings {
 public:
  // INVALID_ARGUMENT naming `source` (a flag or file) and the entry for malformed YAML, an entry without a subject
  // or bindings, an unknown key, role or scope, or a subject listed twice.
  static absl::StatusOr<CertificateBindings> Parse(absl::string_view yaml, absl::string_view source);

  // The principal bound to `subject`, or null when it has no binding.
  const Principal* Find(absl::string_view subject) const;
  size_t size() const { return by_subject_.size(); }

 private:
  std::map<std::string, Principal, std::less<>> by_subject_;
};

}  // namespace modelreg

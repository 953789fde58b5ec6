// The API token resource kind: `tokens/{token}`, table `tokens`, alias `t`; records are
// modelreg.storage.v1.StoredToken (the token and the SHA-256 of its secret).
#pragma once

#include "server/domain/resource/resource_kind.h"

namespace modelreg {

const ResourceKind& TokenKind();

}  // namespace modelreg

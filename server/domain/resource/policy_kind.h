// The policy resource kind: `organizations/{organization}/policies/{policy}`, table `policies`, alias `p`.
#pragma once

#include "server/domain/resource/resource_kind.h"

namespace modelreg {

const ResourceKind& PolicyKind();

}  // namespace modelreg

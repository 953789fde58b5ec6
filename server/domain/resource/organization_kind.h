// The organization resource kind: `organizations/{organization}`, table `organizations`, alias `o`.
#pragma once

#include "server/domain/resource/resource_kind.h"

namespace modelreg {

const ResourceKind& OrganizationKind();

}  // namespace modelreg

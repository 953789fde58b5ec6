// The license resource kind: `licenses/{license}`, table `licenses`, alias `l`.
#pragma once

#include "server/domain/resource/resource_kind.h"

namespace modelreg {

const ResourceKind& LicenseKind();

}  // namespace modelreg

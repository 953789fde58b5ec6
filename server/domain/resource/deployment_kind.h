// The deployment resource kind: `organizations/{organization}/deployments/{deployment}`, table `deployments`, alias
// `d`. Its `model.*` fields are the model kind's, read through the deployment's `model` column.
#pragma once

#include "server/domain/resource/resource_kind.h"

namespace modelreg {

const ResourceKind& DeploymentKind();

}  // namespace modelreg

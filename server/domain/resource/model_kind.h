// The model resource kind: `publishers/{publisher}/models/{model}`, table `models`, alias `m`.
#pragma once

#include <string>
#include <vector>

#include "modelreg/v1/model.pb.h"
#include "server/domain/resource/resource_kind.h"

namespace modelreg {

const ResourceKind& ModelKind();

// The ids of every license the model names (weights, components, datasets), sorted and unique. A reference that is
// not `licenses/{id}` is skipped here; validation rejects it.
std::vector<std::string> LicenseIdsOf(const v1::Model& model);

}  // namespace modelreg

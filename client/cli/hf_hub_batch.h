// One batch of `modelreg import hf-hub` on the wire: its BatchCreateModels request and request id, sending it (or, for
// a listing imported before, reading which of its models are stored and creating the others), and reading the
// errors that name one of its items or stop the run. hf_hub_command.cc settles the answers in the listing's order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/client.h"
#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "modelreg/v1/model_registry.pb.h"

namespace modelreg::cli {

// A model of the listing, mapped and validated, with the line it came from and the licenses it introduces.
struct HubItem {
  int64_t line = 0;
  v1::Model model;
  std::vector<v1::License> new_licenses;
};

// What the sending thread did with a batch.
struct BatchAnswer {
  // Whether its stored models were read first (with a few Lists), and the models not stored then sent.
  bool looked_up = false;
  absl::Status lookup;                      // the lookup's error
  std::map<std::string, v1::Model> stored;  // its stored models (soft-deleted ones included), by name
  // The BatchCreateModels of its models (of those not stored, when looked up); an empty answer when none was sent.
  absl::StatusOr<v1::BatchCreateModelsResponse> created = v1::BatchCreateModelsResponse();
};

// The request id of the batch starting at `offset`: the run's id with the offset in its last 16 hex digits. The
// same batch sent again after an interruption (a resume) carries the same id, so the server answers a batch it had
// already written with that batch's response (AIP-155) instead of ALREADY_EXISTS.
std::string BatchRequestId(const std::string& run_id, uint64_t offset);

// The BatchCreateModels request creating `items` (valid model names).
v1::BatchCreateModelsRequest BatchRequest(const std::vector<HubItem>& items, std::string request_id);

// Sends a batch: BatchCreateModels of its models, or, `look_up_first`, reads which are stored and creates the others
// (with a fresh request id: the same batch looked up again, after a resume, may find another set stored).
BatchAnswer SendBatch(Client& client, v1::BatchCreateModelsRequest request, bool look_up_first);

// Errors after which no later write can succeed either: the run stops (its state saved) instead of failing every
// remaining model.
bool StopsImport(const absl::Status& status);

// The item a batch error names (`requests[3].model.weights.license` -> 3), or -1.
int ItemOf(const absl::Status& status);

}  // namespace modelreg::cli

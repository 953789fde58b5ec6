#include "server/service/idempotent_calls.h"

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/logging.h"
#include "server/domain/request_fingerprint.h"

namespace modelreg {

IdempotentCalls::~IdempotentCalls() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (pruner_.joinable()) pruner_.join();
}

IdempotentCalls& IdempotentCalls::Unrecorded() {
  static auto* unrecorded = new IdempotentCalls(nullptr);
  return *unrecorded;
}

absl::StatusOr<std::optional<IdempotentCalls::Keyed>> IdempotentCalls::KeyOf(
    const Principal& actor, const google::protobuf::Message& request) const {
  const std::string id = RequestIdOf(request);
  if (id.empty()) return std::nullopt;
  MODELREG_ASSIGN_OR_RETURN(std::string normalized, CheckRequestId(id));
  if (records_ == nullptr) {
    return absl::FailedPreconditionError("request_id: this service instance does not record request ids");
  }
  return Keyed{{actor.name, std::move(normalized)}, request.GetDescriptor()->full_name(), RequestFingerprint(request)};
}

absl::Status IdempotentCalls::CheckSameRequest(const Keyed& keyed, const RequestIdRepository::Record& recorded) {
  if (recorded.request_hash == keyed.hash) return absl::OkStatus();
  const std::string what = recorded.method == keyed.method
                               ? "a different request"
                               : absl::StrCat("a different request (", recorded.method, ")");
  return InvalidFieldError("request_id",
                           absl::StrCat("`", keyed.key.request_id, "` was already used by this principal for ", what,
                                        "; a retry must repeat the request exactly, a new request needs a new "
                                        "request_id"),
                           "REQUEST_ID_REUSED");
}

absl::StatusOr<int64_t> IdempotentCalls::Prune() {
  if (records_ == nullptr) return 0;
  int64_t total = 0;
  while (true) {
    MODELREG_ASSIGN_OR_RETURN(int64_t deleted, records_->DeleteOlderThan(options_.retention, options_.prune_batch));
    total += deleted;
    if (deleted < options_.prune_batch) return total;
    absl::MutexLock lock(&mutex_);
    if (stopping_) return total;
  }
}

void IdempotentCalls::StartPruning() {
  if (records_ == nullptr || pruner_.joinable()) return;
  pruner_ = std::thread([this] { PruneLoop(); });
}

void IdempotentCalls::PruneLoop() {
  while (true) {
    absl::StatusOr<int64_t> pruned = Prune();
    if (!pruned.ok()) {
      MODELREG_LOG(WARNING) << "pruning request ids failed (retried in " << options_.prune_interval
                            << "): " << pruned.status();
    } else if (*pruned > 0) {
      MODELREG_LOG(DEBUG) << "pruned " << *pruned << " request ids older than " << options_.retention;
    }
    absl::MutexLock lock(&mutex_);
    mutex_.AwaitWithTimeout(absl::Condition(&stopping_), options_.prune_interval);
    if (stopping_) return;
  }
}

}  // namespace modelreg

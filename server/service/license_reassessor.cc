#include "server/service/license_reassessor.h"

#include "server/common/change_author.h"
#include "server/common/logging.h"
#include "server/common/status_macros.h"

namespace modelreg {

absl::StatusOr<bool> LicenseReassessor::RunBatch() {
  int64_t read = 0;  // of the last attempt (RunTransaction may retry the body)
  MODELREG_ASSIGN_OR_RETURN(const bool ran, queue_->RunBatch([&](Transaction& tx, const ReassessmentQueue::Claim& claim)
                                                                 -> absl::StatusOr<ModelRepository::ReassessBatch> {
    const ScopedChangeAuthor author(claim.author);  // the REASSESS revisions name who changed the license
    MODELREG_ASSIGN_OR_RETURN(ModelRepository::ReassessBatch done,
                              models_->ReassessLicenseBatch(tx, claim.license_id, claim.after_name, options_.batch));
    read = done.read;
    return done;
  }));
  models_done_ += read;
  return ran;
}

absl::StatusOr<int64_t> LicenseReassessor::Drain() {
  int64_t batches = 0;
  while (true) {
    MODELREG_ASSIGN_OR_RETURN(bool ran, RunBatch());
    if (!ran) return batches;
    ++batches;
  }
}

void LicenseReassessor::Start() {
  if (thread_.joinable()) return;
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void LicenseReassessor::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void LicenseReassessor::Wake() {
  absl::MutexLock lock(&mutex_);
  woken_ = true;
}

void LicenseReassessor::Loop() {
  while (true) {
    const absl::StatusOr<bool> ran = RunBatch();
    if (!ran.ok()) MODELREG_LOG(WARNING) << "license reassessment batch failed (retried): " << ran.status();
    absl::MutexLock lock(&mutex_);
    if (stopping_) return;
    if (ran.ok() && *ran) continue;  // more work may be queued: no wait
    const auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return stopping_ || woken_; };
    mutex_.AwaitWithTimeout(absl::Condition(&wake), options_.idle_poll);
    woken_ = false;
    if (stopping_) return;
  }
}

}  // namespace modelreg

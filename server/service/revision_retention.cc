#include "server/service/revision_retention.h"

#include "server/common/logging.h"

namespace modelreg {

RevisionRetention::~RevisionRetention() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int64_t> RevisionRetention::Prune() {
  return history_->DeleteRevisionsBefore(absl::Now() - options_.retention, options_.batch);
}

void RevisionRetention::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void RevisionRetention::Loop() {
  while (true) {
    absl::StatusOr<int64_t> pruned = Prune();
    if (!pruned.ok()) {
      MODELREG_LOG(WARNING) << "revision retention failed (retried in " << options_.interval
                            << "): " << pruned.status();
    } else if (*pruned > 0) {
      MODELREG_LOG(INFO) << "revision retention: deleted " << *pruned << " revisions older than " << options_.retention;
    }
    absl::MutexLock lock(&mutex_);
    mutex_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval);
    if (stopping_) return;
  }
}

}  // namespace modelreg

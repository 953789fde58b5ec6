// Background reassessment of the models using a license after it changed (LicenseService::UpdateLicense queues it;
// the queue is schema/0013_license_reassessments.sql). A thread takes queued entries, one batch of models per
// transaction: each model whose assessment changes gets a REASSESS revision (history and change stream) in that
// transaction, authored by whoever updated the license, and the entry's cursor moves on in the same transaction. So
// a restart resumes after the last committed batch, several modelregd on one database share the work (a license is
// claimed by one worker at a time, ReassessmentStore), and an update during a pass restarts it from the first model,
// so every model ends up assessed against the newest license.
//
// What a model read shows meanwhile: the stored model as it is, i.e. its previous assessment with its previous etag
// until its batch commits, then the new one with the new etag. Each read is consistent with the model's own revision;
// the license's `reassessment_state` and `reassessment_pending_models` tell how far the pass has got (the first
// batch of a pass counts the models, so UpdateLicense does not).
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/service/model_service.h"
#include "server/storage/repositories.h"

namespace modelreg {

class LicenseReassessor {
 public:
  struct Options {
    // Models per transaction.
    int batch = 1000;
    // How often an idle worker looks for queued entries (another replica's updates, entries left by a restart);
    // Wake() starts it at once after an update made here.
    absl::Duration idle_poll = absl::Seconds(1);
  };

  LicenseReassessor(ReassessmentQueue* queue, ModelService* models, Options options)
      : queue_(queue), models_(models), options_(options) {}
  LicenseReassessor(const LicenseReassessor&) = delete;
  LicenseReassessor& operator=(const LicenseReassessor&) = delete;
  // Stops the background thread (after the batch it is running; the rest stays queued).
  ~LicenseReassessor() { Stop(); }

  // Runs one batch of some queued entry. Returns false when no entry was free.
  absl::StatusOr<bool> RunBatch();
  // Runs batches until no entry is free; returns how many ran.
  absl::StatusOr<int64_t> Drain();
  // Starts the background thread: batches back to back while there is work, else waits idle_poll or a Wake().
  void Start();
  // Stops the background thread after its current batch; Start may be called again.
  void Stop();
  // Ends the current idle wait (an entry was just queued).
  void Wake();
  // Models this reassessor has read and recomputed in committed batches (for logs, tests and the benchmark).
  int64_t models_done() const { return models_done_.load(); }

 private:
  void Loop();

  ReassessmentQueue* queue_;
  ModelService* models_;
  Options options_;
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  bool woken_ ABSL_GUARDED_BY(mutex_) = false;
  std::atomic<int64_t> models_done_{0};
  std::thread thread_;
};

}  // namespace modelreg

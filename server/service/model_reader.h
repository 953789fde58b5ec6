// GetModel for the hot path. A model in the store's cache is answered at once on the caller's thread; the others
// are queued, and reader threads answer them with one `name = ANY($1)` query per batch, so no gRPC thread waits on
// PostgreSQL and 64 concurrent misses cost a few queries instead of 64 round trips.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "modelreg/v1/model_registry.pb.h"
#include "server/storage/model_store.h"

namespace modelreg {

class ModelReader {
 public:
  // Receives the model or the error (INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE...): on the calling thread for an
  // invalid name or a cached model, else on a reader thread.
  using Done = absl::AnyInvocable<void(absl::StatusOr<v1::Model>) &&>;

  // Starts `threads` (>= 1) reader threads; each runs one query at a time over at most `max_batch` names.
  ModelReader(ModelStore* store, int threads, int max_batch);
  // Answers every queued read, then joins the threads.
  ~ModelReader();
  ModelReader(const ModelReader&) = delete;
  ModelReader& operator=(const ModelReader&) = delete;

  // Same result as ModelService::GetModel, delivered to `done` exactly once.
  void GetModel(const v1::GetModelRequest& request, Done done);

 private:
  struct Read {
    std::string name;
    Done done;
  };

  void Run();
  // Answers `batch` from one query.
  void Serve(std::vector<Read>& batch);

  ModelStore* store_;
  const size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable pending_;
  std::deque<Read> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace modelreg

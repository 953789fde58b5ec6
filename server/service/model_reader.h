// GetModel and BatchGetModels, the hot read paths. Models in the store's cache are answered at once on the caller's
// thread; the others are queued, and reader threads answer them with one `name = ANY($1)` query per batch of queued
// reads, so no gRPC thread waits on PostgreSQL and 64 concurrent misses cost a few queries instead of 64 round trips.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "modelreg/v1/model_registry.pb.h"
#include "server/storage/model_store.h"

namespace modelreg {

class ModelReader {
 public:
  // Each receives the result (models or the error: INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE...) exactly once: on the
  // calling thread for an invalid request or cached models, else on a reader thread.
  using ModelDone = absl::AnyInvocable<void(absl::StatusOr<v1::Model>) &&>;
  // The models in wire form (serialized v1::Model, output-only fields filled), in the order of the request's names
  // (a name given twice, twice): the gRPC adapter writes them into the response without parsing them.
  using ModelsDone = absl::AnyInvocable<void(absl::StatusOr<std::vector<std::shared_ptr<const std::string>>>) &&>;

  // Starts `threads` (>= 1) reader threads; each runs one query at a time over the names of queued reads, at most
  // `max_batch` of them (a single read with more names is queried whole).
  ModelReader(ModelStore* store, int threads, int max_batch);
  // Answers every queued read, then joins the threads.
  ~ModelReader();
  ModelReader(const ModelReader&) = delete;
  ModelReader& operator=(const ModelReader&) = delete;

  // INVALID_ARGUMENT (the name), NOT_FOUND.
  void GetModel(const v1::GetModelRequest& request, ModelDone done);
  // All or nothing. INVALID_ARGUMENT (no names or more than kMaxBatch, a malformed name as `names[i]`, a name outside
  // `parent`, BATCH_TOO_LARGE when the models exceed what one response may carry), NOT_FOUND naming the first
  // missing name.
  void BatchGetModels(const v1::BatchGetModelsRequest& request, ModelsDone done);

 private:
  // What one query found, by name.
  using Found = absl::flat_hash_map<std::string, std::shared_ptr<const std::string>>;
  // Names that missed the cache, and what to do with the query's result (an error, or what it found, which may hold
  // other reads' models too).
  struct Read {
    std::vector<std::string> names;
    absl::AnyInvocable<void(const absl::Status&, const Found&) &&> done;
  };

  void Enqueue(Read read);
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

#include "server/service/model_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/limits.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"

namespace modelreg {
namespace {

absl::Status NotFound(const std::string& name) {
  return absl::NotFoundError(absl::StrCat("model `", name, "` not found"));
}

// OK for a BatchGetModels request this server can answer; else the error naming the field.
absl::Status ValidateBatchGet(const v1::BatchGetModelsRequest& request) {
  std::string publisher = "-";  // no parent: any publisher
  if (!request.parent().empty()) {
    MODELREG_ASSIGN_OR_RETURN(
        publisher, WithReason(ParsePublisherName(request.parent(), /*allow_wildcard=*/true), "INVALID_NAME"));
  }
  if (request.names_size() == 0 || request.names_size() > kMaxBatch) {
    return InvalidFieldError("names", absl::StrCat("give 1 to ", kMaxBatch, " names, not ", request.names_size()),
                             "INVALID_BATCH_SIZE");
  }
  for (int i = 0; i < request.names_size(); ++i) {
    const std::string& name = request.names(i);
    absl::StatusOr<ModelName> parsed = ParseModelName(name);
    if (!parsed.ok()) {  // again, for the error naming the field
      return WithReason(ParseModelName(name, absl::StrCat("names[", i, "]")).status(), "INVALID_NAME");
    }
    if (publisher != "-" && parsed->publisher != publisher) {
      return InvalidFieldError(absl::StrCat("names[", i, "]"),
                               absl::StrCat("`", name, "` is not under `", request.parent(), "`"), "PARENT_MISMATCH");
    }
  }
  return absl::OkStatus();
}

// Completes a BatchGetModels whose cache misses (null entries of `models`) are in `found`.
absl::StatusOr<std::vector<std::shared_ptr<const std::string>>> CompleteBatch(
    const v1::BatchGetModelsRequest& request, std::vector<std::shared_ptr<const std::string>> models,
    const absl::flat_hash_map<std::string, std::shared_ptr<const std::string>>* found) {
  int64_t bytes = 0;
  for (int i = 0; i < request.names_size(); ++i) {
    if (models[i] == nullptr && found != nullptr) {
      const auto it = found->find(request.names(i));
      if (it != found->end()) models[i] = it->second;
    }
    if (models[i] == nullptr) return NotFound(request.names(i));
    bytes += static_cast<int64_t>(models[i]->size()) + kResponseBytesPerRecord;
  }
  MODELREG_RETURN_IF_ERROR(CheckResponseBudget("names", bytes));
  return models;
}

}  // namespace

ModelReader::ModelReader(ModelStore* store, int threads, int max_batch)
    : store_(store), max_batch_(static_cast<size_t>(std::max(1, max_batch))) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Run(); });
}

ModelReader::~ModelReader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  pending_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void ModelReader::GetModel(const v1::GetModelRequest& request, ModelDone done) {
  if (absl::Status valid = WithReason(ParseModelName(request.name()).status(), "INVALID_NAME"); !valid.ok()) {
    std::move(done)(std::move(valid));
    return;
  }
  if (std::shared_ptr<const std::string> cached = store_->GetCached(request.name())) {
    std::move(done)(ModelStore::ParseModel(*cached));
    return;
  }
  Enqueue({{request.name()},
           [name = request.name(), done = std::move(done)](const absl::Status& status, const Found& found) mutable {
             if (!status.ok()) return std::move(done)(status);
             const auto it = found.find(name);
             std::move(done)(it == found.end() ? NotFound(name) : ModelStore::ParseModel(*it->second));
           }});
}

void ModelReader::BatchGetModels(const v1::BatchGetModelsRequest& request, ModelsDone done) {
  if (absl::Status valid = ValidateBatchGet(request); !valid.ok()) {
    std::move(done)(std::move(valid));
    return;
  }
  std::vector<std::shared_ptr<const std::string>> models(request.names_size());
  std::vector<std::string> missed;
  for (int i = 0; i < request.names_size(); ++i) {
    models[i] = store_->GetCached(request.names(i));
    if (models[i] == nullptr) missed.push_back(request.names(i));
  }
  if (missed.empty()) {
    std::move(done)(CompleteBatch(request, std::move(models), nullptr));
    return;
  }
  // The request is copied: the caller's may be gone before a reader thread answers.
  Enqueue({std::move(missed), [request, models = std::move(models), done = std::move(done)](
                                  const absl::Status& status, const Found& found) mutable {
             if (!status.ok()) return std::move(done)(status);
             std::move(done)(CompleteBatch(request, std::move(models), &found));
           }});
}

void ModelReader::Enqueue(Read read) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(read));
  }
  pending_.notify_one();
}

void ModelReader::Run() {
  std::vector<Read> batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      pending_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every read has been answered or taken by another thread
      size_t names = 0;
      while (!queue_.empty() && (batch.empty() || names + queue_.front().names.size() <= max_batch_)) {
        names += queue_.front().names.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Serve(batch);
    batch.clear();
  }
}

void ModelReader::Serve(std::vector<Read>& batch) {
  std::vector<std::string> names;
  for (const Read& read : batch) names.insert(names.end(), read.names.begin(), read.names.end());
  absl::StatusOr<std::vector<ModelRepository::SerializedModel>> fetched = store_->Fetch(names);
  Found found;
  if (fetched.ok()) {
    for (ModelRepository::SerializedModel& model : *fetched)
      found.emplace(std::move(model.name), std::move(model.bytes));
  }
  for (Read& read : batch) std::move(read.done)(fetched.status(), found);
}

}  // namespace modelreg

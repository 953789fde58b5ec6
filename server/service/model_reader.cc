#include "server/service/model_reader.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/domain/names.h"

namespace modelreg {

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

void ModelReader::GetModel(const v1::GetModelRequest& request, Done done) {
  if (absl::Status valid = WithReason(ParseModelName(request.name()).status(), "INVALID_NAME"); !valid.ok()) {
    std::move(done)(std::move(valid));
    return;
  }
  if (v1::Model model; store_->GetCached(request.name(), &model)) {
    std::move(done)(std::move(model));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(Read{request.name(), std::move(done)});
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
      const size_t take = std::min(max_batch_, queue_.size());
      for (size_t i = 0; i < take; ++i) {
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
  names.reserve(batch.size());
  for (const Read& read : batch) names.push_back(read.name);
  // GetModel has just missed the cache.
  absl::StatusOr<std::vector<ModelRepository::SerializedModel>> found = store_->Fetch(names);
  if (!found.ok()) {
    for (Read& read : batch) std::move(read.done)(found.status());
    return;
  }
  std::unordered_map<std::string, const std::string*> by_name;
  for (const auto& model : *found) by_name.emplace(model.name, model.bytes.get());
  for (Read& read : batch) {
    auto it = by_name.find(read.name);
    v1::Model model;
    if (it == by_name.end()) {
      std::move(read.done)(absl::NotFoundError(absl::StrCat("model `", read.name, "` not found")));
    } else if (!model.ParseFromString(*it->second)) {
      std::move(read.done)(absl::InternalError("internal storage error"));
    } else {
      std::move(read.done)(std::move(model));
    }
  }
}

}  // namespace modelreg

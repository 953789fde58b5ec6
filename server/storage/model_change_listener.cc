#include "server/storage/model_change_listener.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <stdexcept>
#include <utility>
#include <vector>

#include "server/common/logging.h"

namespace modelreg {
namespace {

constexpr int kWarmBatch = 1000;
constexpr double kWarmFill = 0.9;  // stop warming at this fraction of the capacity, leaving room for reads
constexpr absl::Duration kPollInterval = absl::Milliseconds(200);
constexpr absl::Duration kMaxBackoff = absl::Seconds(5);
constexpr absl::Duration kPrimaryCheckInterval = absl::Seconds(1);

class Invalidator final : public pqxx::notification_receiver {
 public:
  Invalidator(pqxx::connection_base& connection, ModelCache* cache)
      : pqxx::notification_receiver(connection, ModelChangeListener::kChannel), cache_(cache) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override { cache_->Invalidate(payload); }

 private:
  ModelCache* cache_;
};

}  // namespace

ModelChangeListener::ModelChangeListener(std::string url, ModelCache* cache, ModelStore* store)
    : url_(std::move(url)), cache_(cache), store_(store), thread_([this] { Run(); }) {}

ModelChangeListener::~ModelChangeListener() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  cache_->SetEnabled(false);
}

bool ModelChangeListener::WaitUntilWarm(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [this] { return warm_; });
}

bool ModelChangeListener::stopping() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

bool ModelChangeListener::SleepUnlessStopped(absl::Duration duration) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !changed_.wait_for(lock, absl::ToChronoNanoseconds(duration), [this] { return stopping_; });
}

void ModelChangeListener::Run() {
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stopping()) {
    try {
      Listen();
      backoff = absl::Milliseconds(100);
    } catch (const std::exception& e) {
      MODELREG_LOG(WARNING) << "model cache: change listener disconnected (" << e.what()
                            << "); cache disabled until it reconnects";
    }
    cache_->SetEnabled(false);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      warm_ = false;
    }
    if (!SleepUnlessStopped(backoff)) break;
    backoff = std::min(2 * backoff, kMaxBackoff);
  }
}

void ModelChangeListener::Listen() {
  pqxx::connection connection(url_);
  Invalidator invalidator(connection, cache_);  // issues LISTEN
  cache_->SetEnabled(true);

  // Warm-up. A batch read before a change committed is invalidated by the change's notification, handled right
  // after the batch is cached, or dropped by Insert if the change came through this process.
  const absl::Time start = absl::Now();
  std::string after;
  int64_t warmed = 0;
  while (!stopping() && !cache_->FilledTo(kWarmFill)) {
    const uint64_t epoch = cache_->Epoch();
    absl::StatusOr<std::vector<ModelRepository::SerializedModel>> batch = store_->Scan(after, kWarmBatch);
    if (!batch.ok()) {
      MODELREG_LOG(WARNING) << "model cache: warm-up stopped: " << batch.status();
      break;
    }
    for (const auto& model : *batch)
      warmed += cache_->Insert(epoch, model.name, model.bytes, model.row_version) ? 1 : 0;
    connection.get_notifs();
    if (batch->size() < static_cast<size_t>(kWarmBatch)) break;
    after = batch->back().name;
  }
  const ModelCache::Stats stats = cache_->stats();
  MODELREG_LOG(INFO) << "model cache: listening; warmed " << warmed << " models in " << absl::Now() - start << " ("
                     << stats.entries << " cached, " << stats.bytes / (1 << 20) << " MiB)";
  {
    std::lock_guard<std::mutex> lock(mutex_);
    warm_ = true;
  }
  changed_.notify_all();

  // Notifications come only from the primary: once this server no longer accepts writes (demoted without a
  // restart, or turned read-only), reconnect through the URI, which leads to the current primary.
  absl::Time next_check = absl::Now() + kPrimaryCheckInterval;
  while (!stopping()) {
    connection.await_notification(0, absl::ToInt64Microseconds(kPollInterval));
    if (absl::Now() < next_check) continue;
    next_check = absl::Now() + kPrimaryCheckInterval;
    if (pqxx::nontransaction(connection)
            .exec1("SELECT current_setting('transaction_read_only')::boolean")[0]
            .as<bool>()) {
      throw std::runtime_error("the database server no longer accepts writes");
    }
  }
}

}  // namespace modelreg

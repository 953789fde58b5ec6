// Keeps a ModelCache coherent with writes by every process: a thread holds its own PostgreSQL connection, LISTENs on
// the channel that schema/0003_model_change_notify.sql notifies, and invalidates each changed model. The cache is
// enabled only while that connection is listening (notifications sent while disconnected are lost); after each
// (re)connect the thread warms the cache with models in name order until it is nearly full or holds them all. Every
// second it checks that its server still accepts writes, and reconnects (through the URI, to the current primary)
// when it does not: after a failover the old primary's notifications would never come.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "server/storage/model_cache.h"
#include "server/storage/model_store.h"

namespace modelreg {

class ModelChangeListener {
 public:
  // Starts the thread. `store` (which reads through `cache`) serves the warm-up reads; `url` is the database.
  ModelChangeListener(std::string url, ModelCache* cache, ModelStore* store);
  // Stops the thread and disables the cache.
  ~ModelChangeListener();
  ModelChangeListener(const ModelChangeListener&) = delete;
  ModelChangeListener& operator=(const ModelChangeListener&) = delete;

  // Blocks until the warm-up after the latest connect has finished (the cache is enabled and filled), or `timeout`.
  bool WaitUntilWarm(absl::Duration timeout);

  static constexpr const char* kChannel = "modelreg_model_changes";

 private:
  void Run();
  // One connection's life: LISTEN, enable the cache, warm it, then wait for notifications until stopped or broken.
  void Listen();
  // Sleeps for `duration` or until stopped; returns false when stopped.
  bool SleepUnlessStopped(absl::Duration duration);
  bool stopping();

  const std::string url_;
  ModelCache* cache_;
  ModelStore* store_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool warm_ = false;
  std::thread thread_;
};

}  // namespace modelreg

#include "server/graceful_shutdown.h"

#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace modelreg {

ShutdownReport ShutDownGracefully(grpc::Server& server, ConnectionPool& pool, absl::Duration grace) {
  const absl::Time start = absl::Now();
  grace = std::max(grace, absl::ZeroDuration());
  if (grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService(); health != nullptr) {
    health->SetServingStatus(false);
  }
  ShutdownReport report;
  std::mutex mutex;
  std::condition_variable calls_ended;
  bool ended = false;
  // Cancels the pool's statements near the end of the grace period, until every call has ended.
  std::thread canceller([&] {
    const absl::Duration until_cancel = grace - std::min(kShutdownReplyMargin, grace / 2);
    const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(until_cancel);
    std::unique_lock<std::mutex> lock(mutex);
    if (calls_ended.wait_until(lock, deadline, [&] { return ended; })) return;
    report.cancelled = true;
    while (!ended) {
      lock.unlock();
      const int sent = pool.CancelAll();
      lock.lock();
      report.cancel_requests += sent;
      calls_ended.wait_for(lock, std::chrono::milliseconds(100), [&] { return ended; });
    }
  });
  // Blocks until every call has ended; cancels those still running at the given time.
  server.Shutdown(absl::ToChronoTime(start + grace));
  server.Wait();
  {
    std::lock_guard<std::mutex> lock(mutex);
    ended = true;
  }
  calls_ended.notify_all();
  canceller.join();
  report.took = absl::Now() - start;
  return report;
}

}  // namespace modelreg

// `modelregd --metrics-listen`: a minimal HTTP/1.1 server for Prometheus scrapes. `GET /metrics` answers 200 with
// the page `render` returns (text exposition format), any other path 404, any other method 405; every response
// closes its connection.
//
// Hand-written rather than cpp-httplib (Debian's libcpp-httplib-dev is not installed by the project and would be one
// more package for one endpoint): one thread accepts and answers connections one at a time, each bounded by a 2 s
// read/write timeout and an 8 KiB request head, so a slow or hostile client delays a scrape but holds nothing else.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace modelreg {

class MetricsHttpServer {
 public:
  // Listens on `address` (host:port, [v6]:port; port 0 picks a free one) and starts the thread.
  // INVALID_ARGUMENT for a malformed address, UNAVAILABLE when it cannot listen.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& address,
                                                                  std::function<std::string()> render);
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;
  // Stops accepting, finishes the response being written, joins the thread.
  ~MetricsHttpServer();

  int port() const { return port_; }

 private:
  MetricsHttpServer(int listen_fd, int wake_fd, int port, std::function<std::string()> render);
  void Run();
  void Serve(int fd);

  const int listen_fd_;
  const int wake_fd_;  // an eventfd: written by the destructor to end Run
  const int port_;
  const std::function<std::string()> render_;
  std::thread thread_;
};

}  // namespace modelreg

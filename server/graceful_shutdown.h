// modelregd's shutdown after SIGTERM/SIGINT, bounded by its grace period (--shutdown-grace).
#pragma once

#include <grpcpp/server.h>

#include "absl/time/time.h"
#include "server/storage/connection_pool.h"

namespace modelreg {

// The end of the grace period kept for the replies of calls whose statements were cancelled (at most half of it).
inline constexpr absl::Duration kShutdownReplyMargin = absl::Seconds(1);

struct ShutdownReport {
  absl::Duration took;      // from the start of ShutDownGracefully until the last call ended
  bool cancelled = false;   // calls outlived the grace period's start and the pool's statements were cancelled
  int cancel_requests = 0;  // cancel requests sent to PostgreSQL (ConnectionPool::CancelAll)
};

// Stops `server` within `grace`, and returns once no call runs any more:
// 1. health NOT_SERVING at once, and new calls are refused (grpc::Server::Shutdown; a client sees UNAVAILABLE);
// 2. in-flight calls may finish during the grace period;
// 3. kShutdownReplyMargin before its end (or half-way through a grace of less than 2 s), the statements they still
//    run are cancelled (`pool.CancelAll()`, again every 100 ms until every call has ended): PostgreSQL rolls their
//    transactions back, no COMMIT starts any more, and those calls end UNAVAILABLE (SHUTTING_DOWN), nothing written;
// 4. at the end of the grace period gRPC cancels every call still open (e.g. health Watch streams).
// The caller then stops the database (the embedded PostgreSQL: a fast shutdown).
ShutdownReport ShutDownGracefully(grpc::Server& server, ConnectionPool& pool, absl::Duration grace);

}  // namespace modelreg

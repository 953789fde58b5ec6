// Who is making the changes the current thread writes: the principal of the RPC being served and its request id,
// recorded with every revision (storage/resource_table.cc writes the history). Set by the gRPC adapter wrapper
// (server/api/unary_call.h, RunUnary) once the call is authenticated, for the whole synchronous handler; threads
// serving no call (catalog sync, backfill, start-up) record the principal `system`.
//
// Thread-local by design, like the call deadline (call_deadline.h): a handler runs on one thread from start to end.
#pragma once

#include <string>

namespace modelreg {

struct ChangeAuthor {
  std::string principal = "system";
  std::string request_id;  // "" when the call carried none

  bool operator==(const ChangeAuthor& other) const {
    return principal == other.principal && request_id == other.request_id;
  }
};

// The current thread's author; {"system", ""} when none is set.
const ChangeAuthor& CurrentChangeAuthor();

// Sets the current thread's author for its lifetime, restoring the previous one when destroyed.
class ScopedChangeAuthor {
 public:
  explicit ScopedChangeAuthor(ChangeAuthor author);
  ScopedChangeAuthor(const ScopedChangeAuthor&) = delete;
  ScopedChangeAuthor& operator=(const ScopedChangeAuthor&) = delete;
  ~ScopedChangeAuthor();

 private:
  ChangeAuthor previous_;
};

}  // namespace modelreg

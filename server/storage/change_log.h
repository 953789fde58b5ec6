// The change stream's reads of the history (table `revisions`), on a connection of their own: the feed's position
// reads (schema/0012_change_stream.sql explains them), pages of changes, the retention boundary, and the
// LISTEN/NOTIFY wake-up between modelregd processes. One thread uses it (service/change_feed.h); every method may
// throw what libpqxx throws on a broken connection, after which the owner connects again.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "modelreg/v1/history.pb.h"

namespace pqxx {
class connect_direct;
template <typename CONNECTPOLICY>
class basic_connection_base;
using connection = basic_connection_base<connect_direct>;
}  // namespace pqxx

namespace modelreg {

class ChangeLog {
 public:
  // Connects to `url`, prepares the statements and LISTENs on kChannel.
  explicit ChangeLog(const std::string& url);
  ~ChangeLog();
  ChangeLog(const ChangeLog&) = delete;
  ChangeLog& operator=(const ChangeLog&) = delete;

  static constexpr const char* kChannel = "modelreg_changes";

  // The last sequence number handed out, whether its transaction committed, aborted or still runs.
  int64_t AllocatedSequence();
  // A new transaction id: above the id of every transaction that has one now.
  int64_t FenceTransaction();
  // The oldest transaction id still running (or the next one to be assigned when none runs).
  int64_t OldestRunningTransaction();
  // Who runs the oldest transaction that has an id (database, pid, state, age, start of its query), for a log line
  // when the horizon is held back; "" when none.
  std::string OldestRunningTransactionHolder();

  struct Page {
    std::vector<v1::ChangeEvent> events;  // in sequence order
    int64_t read_to = 0;                  // every change after `after` up to this one was read
  };
  // The changes with after < sequence <= upto, at most `limit`, with their records when `with_records`.
  absl::StatusOr<Page> Read(int64_t after, int64_t upto, int limit, bool with_records);

  // When the changes after `after` reach back before `cutoff` (the first of them committed before it): the oldest
  // sequence still available. nullopt when none of them is that old.
  std::optional<int64_t> OldestAvailableIfExpired(int64_t after, absl::Time cutoff);

  // Tells every listening process that changes were committed.
  void Notify();
  // Waits up to `timeout` for a notification on kChannel; returns how many arrived.
  int AwaitNotifications(absl::Duration timeout);

 private:
  struct Listener;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<Listener> listener_;
};

}  // namespace modelreg

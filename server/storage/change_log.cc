#include "server/storage/change_log.h"

#include <pqxx/pqxx>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/storage/history_store.h"
#include "server/storage/record_codec.h"

namespace modelreg {
namespace {

constexpr char kAllocated[] = "modelreg_changes_allocated";
constexpr char kFence[] = "modelreg_changes_fence";
constexpr char kOldestRunning[] = "modelreg_changes_oldest_running";
constexpr char kRead[] = "modelreg_changes_read";
constexpr char kFirstAfter[] = "modelreg_changes_first_after";
constexpr char kOldestSince[] = "modelreg_changes_oldest_since";
constexpr char kHolder[] = "modelreg_changes_holder";

}  // namespace

// LISTENs on the channel; a notification only wakes the feed (AwaitNotifications counts them).
struct ChangeLog::Listener final : pqxx::notification_receiver {
  explicit Listener(pqxx::connection_base& connection) : pqxx::notification_receiver(connection, kChannel) {}
  void operator()(const std::string& /*payload*/, int /*backend_pid*/) override {}
};

ChangeLog::ChangeLog(const std::string& url) : connection_(std::make_unique<pqxx::connection>(url)) {
  pqxx::connection& c = *connection_;
  // The fence transactions write nothing worth waiting for a disk flush.
  pqxx::nontransaction(c).exec("SET synchronous_commit TO off; SET statement_timeout TO '30s'");
  c.prepare(kAllocated, "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM revisions_sequence");
  c.prepare(kFence, "SELECT pg_current_xact_id()::text::bigint");
  c.prepare(kOldestRunning, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint");
  c.prepare(kRead, absl::StrCat("SELECT ", storage_internal::RevisionColumns("CASE WHEN $4::boolean THEN record END"),
                                ", resource FROM revisions WHERE sequence > $1 AND sequence <= $2 ORDER BY sequence "
                                "LIMIT $3::integer"));
  c.prepare(kFirstAfter,
            "SELECT commit_time < to_timestamp($2::bigint / 1000000.0) FROM revisions WHERE sequence > $1 "
            "ORDER BY sequence LIMIT 1");
  c.prepare(kOldestSince,
            "SELECT sequence FROM revisions WHERE sequence > $1 AND commit_time >= to_timestamp($2::bigint / "
            "1000000.0) ORDER BY sequence LIMIT 1");
  c.prepare(kHolder,
            "SELECT concat_ws(' ', 'database', datname, 'pid', pid, 'xid', backend_xid, state, 'for', "
            "date_trunc('second', now() - xact_start), left(query, 80)) FROM pg_stat_activity WHERE backend_xid IS "
            "NOT NULL ORDER BY age(backend_xid) DESC LIMIT 1");
  listener_ = std::make_unique<Listener>(c);
}

ChangeLog::~ChangeLog() = default;

int64_t ChangeLog::AllocatedSequence() {
  return pqxx::nontransaction(*connection_).exec_prepared1(kAllocated)[0].as<int64_t>();
}

int64_t ChangeLog::FenceTransaction() {
  return pqxx::nontransaction(*connection_).exec_prepared1(kFence)[0].as<int64_t>();
}

int64_t ChangeLog::OldestRunningTransaction() {
  return pqxx::nontransaction(*connection_).exec_prepared1(kOldestRunning)[0].as<int64_t>();
}

std::string ChangeLog::OldestRunningTransactionHolder() {
  const pqxx::result rows = pqxx::nontransaction(*connection_).exec_prepared(kHolder);
  return rows.empty() ? "" : rows[0][0].c_str();
}

absl::StatusOr<ChangeLog::Page> ChangeLog::Read(int64_t after, int64_t upto, int limit, bool with_records) {
  Page page;
  page.read_to = upto;
  const pqxx::result rows = pqxx::nontransaction(*connection_).exec_prepared(kRead, after, upto, limit, with_records);
  page.events.reserve(rows.size());
  for (const pqxx::row& row : rows) {
    const auto resource = row[11].as<std::string>();
    v1::ChangeEvent event;
    event.set_kind(row[5].as<std::string>());
    MODELREG_ASSIGN_OR_RETURN(*event.mutable_revision(), storage_internal::RevisionFromRow(resource, row));
    page.events.push_back(std::move(event));
  }
  if (rows.size() == static_cast<size_t>(limit)) page.read_to = page.events.back().revision().sequence();
  return page;
}

std::optional<int64_t> ChangeLog::OldestAvailableIfExpired(int64_t after, absl::Time cutoff) {
  pqxx::nontransaction tx(*connection_);
  const int64_t cutoff_micros = absl::ToUnixMicros(cutoff);
  const pqxx::result first = tx.exec_prepared(kFirstAfter, after, cutoff_micros);
  if (first.empty() || !first[0][0].as<bool>()) return std::nullopt;
  const pqxx::result oldest = tx.exec_prepared(kOldestSince, after, cutoff_micros);
  if (!oldest.empty()) return oldest[0][0].as<int64_t>();
  return tx.exec_prepared1(kAllocated)[0].as<int64_t>() + 1;
}

void ChangeLog::Notify() { pqxx::nontransaction(*connection_).exec(absl::StrCat("NOTIFY ", kChannel)); }

int ChangeLog::AwaitNotifications(absl::Duration timeout) {
  const int64_t micros = absl::ToInt64Microseconds(timeout);
  return connection_->await_notification(micros / 1000000, micros % 1000000);
}

}  // namespace modelreg

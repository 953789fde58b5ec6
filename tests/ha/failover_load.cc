// The load and the checks of the HA failover test (tests/ha/failover_test.sh starts the cluster and passes its
// own path as --control). Writers create models through two modelregd replicas with the client library (request
// ids, retries); a prober updates one model through replica A and reads it through replica B. Phase 1 runs
// `CONTROL kill-primary` (SIGKILL of the primary's postmaster and its Patroni), phase 2 `CONTROL switchover`.
// Prints the figures, checks every acknowledged model through both replicas, and exits 1 when a must-condition
// fails: an acknowledged write lost, a stale read after the failover, a replica not serving again within 60 s, or
// a call that failed during the switchover (after the client library's retries).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/client.h"

namespace modelreg {
namespace {

constexpr int kWriters = 8;
constexpr char kPublisher[] = "publishers/ha";
constexpr char kProbe[] = "publishers/ha/models/probe";

// A retry budget longer than a switchover (a few seconds without a primary): ~7-13 s over 10 attempts.
RetryPolicy RideThroughPolicy() {
  RetryPolicy policy;
  policy.max_attempts = 10;
  policy.initial_backoff = absl::Milliseconds(200);
  policy.max_backoff = absl::Seconds(2);
  return policy;
}

std::unique_ptr<Client> NewClient(const std::string& address, const std::string& token) {
  auto client = std::make_unique<Client>(address, token);
  client->set_deadline(absl::Seconds(5));
  client->set_retry_policy(RideThroughPolicy());
  return client;
}

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

// What the writers and the prober record; one mutex, few events per second.
struct Record {
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::vector<std::pair<absl::Time, int>> ok_times;  // completion of every acknowledged write, and its replica
  std::map<int, absl::Time> first_ok_after_kill;     // replica -> completion of its first write sent after the kill
  std::map<std::string, int> failures_by_code;       // failed after the client's retries
  int failed_in_phase[2] = {0, 0};
  int stale_reads = 0;
  std::string first_stale;
};

class FailoverLoad {
 public:
  FailoverLoad(std::vector<std::string> servers, std::string token, std::string control)
      : servers_(std::move(servers)), token_(std::move(token)), control_(std::move(control)) {}

  int Run() {
    if (!CreateProbe()) return 1;
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) threads.emplace_back([this, w] { Write(w); });
    threads.emplace_back([this] { Probe(); });

    absl::SleepFor(absl::Seconds(5));
    if (std::system((control_ + " kill-primary").c_str()) != 0) {
      std::fprintf(stderr, "kill-primary failed\n");
      stop_ = true;
      for (std::thread& t : threads) t.join();
      return 1;
    }
    const absl::Time killed = absl::Now();  // the kill is the script's last step
    kill_time_.store(absl::ToUnixNanos(killed));
    const bool recovered = WaitForBothReplicas(killed, absl::Seconds(60));
    const absl::Time recovered_at = absl::Now();
    absl::SleepFor(absl::Seconds(5));

    phase_.store(1);
    const absl::Time switch_start = absl::Now();
    const int switch_rc = std::system((control_ + " switchover").c_str());
    const absl::Duration switch_took = absl::Now() - switch_start;
    absl::SleepFor(absl::Seconds(5));
    stop_ = true;
    for (std::thread& t : threads) t.join();

    return Report(killed, recovered, recovered_at, switch_rc == 0, switch_start, switch_took);
  }

 private:
  bool CreateProbe() {
    std::unique_ptr<Client> a = NewClient(servers_[0], token_);
    v1::CreateModelRequest request;
    request.set_parent(kPublisher);
    request.set_model_id("probe");
    request.mutable_model()->set_display_name("probe");
    request.mutable_model()->set_description("0");
    if (absl::StatusOr<v1::Model> created = a->CreateModel(request); !created.ok()) {
      std::fprintf(stderr, "cannot create the probe model: %s\n", created.status().ToString().c_str());
      return false;
    }
    return true;
  }

  void Write(int w) {
    const int replica = w % static_cast<int>(servers_.size());
    std::unique_ptr<Client> client = NewClient(servers_[replica], token_);
    for (int i = 0; !stop_.load(); ++i) {
      v1::CreateModelRequest request;
      request.set_parent(kPublisher);
      request.set_model_id(absl::StrCat("w", w, "-", i));
      request.mutable_model()->set_display_name(absl::StrCat("writer ", w, " model ", i));
      const absl::Time sent = absl::Now();
      const int phase = phase_.load();
      absl::StatusOr<v1::Model> created = client->CreateModel(request);
      const absl::Time done = absl::Now();
      std::lock_guard<std::mutex> lock(record_.mutex);
      if (created.ok()) {
        record_.acknowledged.push_back(created->name());
        record_.ok_times.emplace_back(done, replica);
        const int64_t kill_ns = kill_time_.load();
        if (kill_ns != 0 && sent > absl::FromUnixNanos(kill_ns)) record_.first_ok_after_kill.emplace(replica, done);
      } else {
        ++record_.failed_in_phase[phase];
        ++record_.failures_by_code[absl::StatusCodeToString(created.status().code())];
      }
    }
  }

  // Updates the probe through replica A (description = a counter) and, once acknowledged, reads it through replica
  // B. A change reaches B's cache by notification within milliseconds: a read through B that starts more than
  // 1 s after the update was acknowledged and still returns an older description is stale.
  void Probe() {
    std::unique_ptr<Client> a = NewClient(servers_[0], token_);
    std::unique_ptr<Client> b = NewClient(servers_.back(), token_);
    for (int k = 1; !stop_.load(); ++k) {
      v1::UpdateModelRequest update;
      update.mutable_model()->set_name(kProbe);
      update.mutable_model()->set_description(absl::StrCat(k));
      update.mutable_update_mask()->add_paths("description");
      if (!a->UpdateModel(update).ok()) continue;
      const absl::Time acknowledged = absl::Now();
      while (!stop_.load()) {
        const absl::Time read_start = absl::Now();
        v1::GetModelRequest get;
        get.set_name(kProbe);
        absl::StatusOr<v1::Model> seen = b->GetModel(get);
        if (seen.ok()) {
          int version = 0;
          if (absl::SimpleAtoi(seen->description(), &version) && version >= k) break;
          if (read_start - acknowledged > absl::Seconds(1)) {
            std::lock_guard<std::mutex> lock(record_.mutex);
            if (record_.stale_reads++ == 0) {
              record_.first_stale =
                  absl::StrCat("replica B returned description ", seen->description(), " ",
                               Seconds(read_start - acknowledged), " s after ", k, " was acknowledged through A");
            }
            break;
          }
        }
        absl::SleepFor(absl::Milliseconds(20));
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  bool WaitForBothReplicas(absl::Time killed, absl::Duration limit) {
    while (absl::Now() - killed < limit) {
      {
        std::lock_guard<std::mutex> lock(record_.mutex);
        if (record_.first_ok_after_kill.size() == servers_.size()) return true;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  // Each acknowledged model through every replica: BatchGetModels, 100 names a call.
  int CountLost(const std::string& server, const std::vector<std::string>& names) {
    std::unique_ptr<Client> client = NewClient(server, token_);
    int lost = 0;
    for (size_t i = 0; i < names.size(); i += 100) {
      v1::BatchGetModelsRequest request;
      for (size_t j = i; j < std::min(names.size(), i + 100); ++j) request.add_names(names[j]);
      absl::StatusOr<v1::BatchGetModelsResponse> got = client->BatchGetModels(request);
      if (got.ok() && got->models_size() == request.names_size()) continue;
      // One by one, to count exactly.
      for (const std::string& name : request.names()) {
        v1::GetModelRequest get;
        get.set_name(name);
        if (!client->GetModel(get).ok()) {
          if (lost++ < 5) std::fprintf(stderr, "lost through %s: %s\n", server.c_str(), name.c_str());
        }
      }
    }
    return lost;
  }

  int Report(absl::Time killed, bool recovered, absl::Time recovered_at, bool switched, absl::Time switch_start,
             absl::Duration switch_took) {
    std::lock_guard<std::mutex> lock(record_.mutex);
    std::vector<std::pair<absl::Time, int>> times = record_.ok_times;
    std::sort(times.begin(), times.end());
    // The longest time without an acknowledged write between `from` and `to`.
    auto longest_gap = [&times](absl::Time from, absl::Time to) {
      absl::Duration gap;
      absl::Time previous = from;
      for (const auto& [t, replica] : times) {
        if (t < from) continue;
        if (t > to) break;
        gap = std::max(gap, t - previous);
        previous = t;
      }
      return gap;
    };
    // Acknowledged writes per second and replica, from 2 s before `at` for `seconds` seconds.
    auto timeline = [&](const char* what, absl::Time at, int seconds) {
      for (size_t r = 0; r < servers_.size(); ++r) {
        std::vector<int> per_second(static_cast<size_t>(seconds), 0);
        for (const auto& [t, replica] : times) {
          const int64_t bucket = absl::ToInt64Seconds(t - at + absl::Seconds(2));
          if (replica == static_cast<int>(r) && t >= at - absl::Seconds(2) && bucket < seconds) {
            ++per_second[static_cast<size_t>(bucket)];
          }
        }
        std::printf("  %s: writes acknowledged per second through replica %c from 2 s before:", what,
                    static_cast<char>('A' + r));
        for (int n : per_second) std::printf(" %d", n);
        std::printf("\n");
      }
    };
    int lost = 0;
    for (const std::string& server : servers_) lost = std::max(lost, CountLost(server, record_.acknowledged));

    std::printf("HA failover test (%d writers through %zu modelregd replicas)\n", kWriters, servers_.size());
    std::printf("  writes acknowledged:                      %zu\n", record_.acknowledged.size());
    std::printf("  acknowledged writes lost:                 %d (checked through every replica)\n", lost);
    std::printf("  failover: seconds without successful writes: %.1f\n", Seconds(longest_gap(killed, recovered_at)));
    std::printf("  failover: seconds until both replicas serve again: %s\n",
                recovered ? absl::StrCat(Seconds(recovered_at - killed)).c_str() : "never (within 60 s)");
    std::printf("  failover: writes failed after the client's retries: %d\n", record_.failed_in_phase[0]);
    std::printf("  stale cache reads (B > 1 s behind A):     %d%s%s\n", record_.stale_reads,
                record_.stale_reads > 0 ? ": " : "", record_.first_stale.c_str());
    std::printf("  switchover: the script took %.1f s (patronictl %s); seconds without successful writes: %.1f\n",
                Seconds(switch_took), switched ? "ok" : "FAILED",
                Seconds(longest_gap(switch_start, switch_start + switch_took + absl::Seconds(5))));
    timeline("failover", killed, 20);
    timeline("switchover", switch_start, static_cast<int>(absl::ToInt64Seconds(switch_took)) + 6);
    std::printf("  switchover: calls failed after the client's retries: %d\n", record_.failed_in_phase[1]);
    for (const auto& [code, count] : record_.failures_by_code) {
      std::printf("  failed calls with %s: %d\n", code.c_str(), count);
    }
    const bool pass = lost == 0 && recovered && record_.stale_reads == 0 && switched &&
                      record_.failed_in_phase[1] == 0 && !record_.acknowledged.empty();
    std::printf("%s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
  }

  const std::vector<std::string> servers_;
  const std::string token_;
  const std::string control_;
  std::atomic<bool> stop_{false};
  std::atomic<int> phase_{0};
  std::atomic<int64_t> kill_time_{0};
  Record record_;
};

}  // namespace
}  // namespace modelreg

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s SERVER_A,SERVER_B TOKEN_FILE CONTROL_SCRIPT\n", argv[0]);
    return 2;
  }
  std::vector<std::string> servers = absl::StrSplit(argv[1], ',', absl::SkipEmpty());
  std::ifstream token_file(argv[2]);
  std::string token;
  std::getline(token_file, token);
  if (servers.size() < 2 || token.empty()) {
    std::fprintf(stderr, "need two servers and a token\n");
    return 2;
  }
  return modelreg::FailoverLoad(std::move(servers), token, argv[3]).Run();
}

// Idempotent mutations (AIP-155), once for every RPC: a mutation whose request carries a `request_id` runs at most
// once per (principal, request id). A retry with the same id by the same principal gets the first call's response
// and changes nothing; the same id with a different request is INVALID_ARGUMENT (reason REQUEST_ID_REUSED); a failed
// call is not recorded, so its retry runs again. The check, the mutation and the record of its response are one
// transaction (RequestIdRepository::RunOnce: the store calls the mutation makes join it), so a committed change always
// has its response recorded, and a concurrent duplicate waits for the first call and then returns its response.
//
// A service method wraps the part of its work that must happen once:
//   return calls_->Run<v1::Model>(actor, request, [&]() -> absl::StatusOr<v1::Model> { ... store calls ... });
// Everything the wrapped function does through the stores is atomic; work that must follow the commit (a
// reassessment, a cache flush) goes after Run. Records are kept for Options::retention and then pruned.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "server/common/status_macros.h"
#include "server/domain/auth/auth.h"
#include "server/storage/repositories.h"

namespace modelreg {

class IdempotentCalls {
 public:
  struct Options {
    // How long a request id is remembered (modelregd --request-id-retention); at least this long.
    absl::Duration retention = absl::Hours(24);
    // How often StartPruning's thread deletes older records.
    absl::Duration prune_interval = absl::Minutes(5);
    // Records deleted per statement (each its own short transaction).
    int prune_batch = 5000;
  };

  // How a response is recorded and replayed, for responses that must not be stored whole.
  template <typename Response>
  struct ReplayRules {
    // Applied to a copy of the response before it is recorded (e.g. clears a secret).
    std::function<void(Response&)> redact;
    // What a retry gets from the recorded response; default: the recorded response itself.
    std::function<absl::StatusOr<Response>(Response recorded)> replay;
  };

  // `records` may be null: then a request with a request_id fails (FAILED_PRECONDITION), one without runs as is
  // (in-process uses such as `modelregd tokens` and service unit tests that do not exercise request ids).
  explicit IdempotentCalls(RequestIdRepository* records) : IdempotentCalls(records, Options()) {}
  IdempotentCalls(RequestIdRepository* records, Options options) : records_(records), options_(options) {}
  IdempotentCalls(const IdempotentCalls&) = delete;
  IdempotentCalls& operator=(const IdempotentCalls&) = delete;
  ~IdempotentCalls();

  // An instance that records nothing (null repository), for services constructed without one.
  static IdempotentCalls& Unrecorded();

  // Runs `call` (returning the RPC's response) for `actor`'s `request` at most once per request id; without a
  // request_id it just runs `call`. INVALID_ARGUMENT naming `request_id` when it is not a UUID or was used for a
  // different request; errors of `call`. `replayed`, when given, is set to whether the response was a replay.
  template <typename Response>
  absl::StatusOr<Response> Run(const Principal& actor, const google::protobuf::Message& request,
                               const std::function<absl::StatusOr<Response>()>& call,
                               const ReplayRules<Response>& rules = {}, bool* replayed = nullptr);

  // Deletes the records older than the retention, in batches; returns how many.
  absl::StatusOr<int64_t> Prune();
  // Prunes now, then every prune_interval, on a background thread until this object is destroyed. Failures are
  // logged and retried at the next interval.
  void StartPruning();

  const Options& options() const { return options_; }

 private:
  // A request with a request id, ready to be recorded.
  struct Keyed {
    RequestIdRepository::Key key;
    std::string method;
    std::string hash;
  };
  // nullopt for a request without request_id; INVALID_ARGUMENT for a malformed one.
  absl::StatusOr<std::optional<Keyed>> KeyOf(const Principal& actor, const google::protobuf::Message& request) const;
  // OK when `recorded` was made by the same request; INVALID_ARGUMENT (REQUEST_ID_REUSED) otherwise.
  static absl::Status CheckSameRequest(const Keyed& keyed, const RequestIdRepository::Record& recorded);
  void PruneLoop();

  RequestIdRepository* records_;
  Options options_;
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread pruner_;
};

template <typename Response>
absl::StatusOr<Response> IdempotentCalls::Run(const Principal& actor, const google::protobuf::Message& request,
                                              const std::function<absl::StatusOr<Response>()>& call,
                                              const ReplayRules<Response>& rules, bool* replayed) {
  if (replayed != nullptr) *replayed = false;
  MODELREG_ASSIGN_OR_RETURN(std::optional<Keyed> keyed, KeyOf(actor, request));
  if (!keyed.has_value()) return call();
  std::optional<Response> fresh;
  MODELREG_ASSIGN_OR_RETURN(
      std::optional<RequestIdRepository::Record> recorded,
      records_->RunOnce(keyed->key, keyed->method, keyed->hash, [&]() -> absl::StatusOr<std::string> {
        fresh.reset();  // the transaction may run this again after a conflict
        absl::StatusOr<Response> response = call();
        if (!response.ok()) return response.status();
        fresh = *std::move(response);
        if (!rules.redact) return fresh->SerializeAsString();
        Response stored = *fresh;
        rules.redact(stored);
        return stored.SerializeAsString();
      }));
  if (!recorded.has_value()) return *std::move(fresh);
  MODELREG_RETURN_IF_ERROR(CheckSameRequest(*keyed, *recorded));
  Response response;
  if (!response.ParseFromString(recorded->response)) {
    return absl::InternalError("unreadable recorded response");
  }
  if (replayed != nullptr) *replayed = true;
  if (rules.replay) return rules.replay(std::move(response));
  return response;
}

}  // namespace modelreg

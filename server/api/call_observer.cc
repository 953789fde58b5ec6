#include "server/api/call_observer.h"

#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "server/common/logging.h"
#include "server/domain/request_fingerprint.h"
#include "server/domain/request_id.h"

namespace modelreg {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr int kCodes = 17;  // OK .. UNAUTHENTICATED

// Principals and request ids of the calls in flight, by ServerContext, while the access log is on.
class CallIdentities {
 public:
  struct Identity {
    std::string principal;
    std::string request_id;
  };
  static CallIdentities& Get() {
    static CallIdentities* const identities = new CallIdentities();
    return *identities;
  }
  std::atomic<bool> enabled{false};

  void Note(const void* call, Identity identity) {
    Shard& shard = ShardOf(call);
    std::lock_guard<std::mutex> lock(shard.mutex);
    shard.calls[call] = std::move(identity);
  }
  Identity Take(const void* call) {
    Shard& shard = ShardOf(call);
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.calls.find(call);
    if (it == shard.calls.end()) return {};
    Identity identity = std::move(it->second);
    shard.calls.erase(it);
    return identity;
  }

 private:
  struct Shard {
    std::mutex mutex;
    std::unordered_map<const void*, Identity> calls;
  };
  Shard& ShardOf(const void* call) { return shards_[(reinterpret_cast<uintptr_t>(call) >> 4) % shards_.size()]; }
  std::array<Shard, 16> shards_;
};

// One method's series; the per-code counters are created on a code's first call.
struct MethodSeries {
  std::string name;  // "modelreg.v1.ModelRegistry/GetModel"
  Histogram* duration = nullptr;
  std::array<std::atomic<Counter*>, kCodes> calls{};
};

class CallObserverFactory;

class CallObserverInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallObserverInterceptor(CallObserverFactory* factory, MethodSeries* series, const grpc::ServerContextBase* context)
      : factory_(factory), series_(series), context_(context), start_(std::chrono::steady_clock::now()) {}
  ~CallObserverInterceptor() override;
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override;

 private:
  CallObserverFactory* factory_;
  MethodSeries* series_;
  const grpc::ServerContextBase* context_;
  const std::chrono::steady_clock::time_point start_;
  bool recorded_ = false;
};

class CallObserverFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallObserverFactory(const CallObserverOptions& options) : options_(options) {
    if (options_.log_calls) CallIdentities::Get().enabled.store(true);
  }
  ~CallObserverFactory() override {
    if (options_.log_calls) CallIdentities::Get().enabled.store(false);
  }

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new CallObserverInterceptor(this, SeriesOf(info->method()), info->server_context());
  }

  void Record(MethodSeries* series, grpc::StatusCode code, double seconds,
              const grpc::ServerContextBase* context) const {
    const int index = static_cast<int>(code) >= 0 && static_cast<int>(code) < kCodes ? static_cast<int>(code)
                                                                                     : grpc::StatusCode::UNKNOWN;
    if (options_.metrics != nullptr) {
      Counter* counter = series->calls[static_cast<size_t>(index)].load(std::memory_order_acquire);
      if (counter == nullptr) {
        counter = options_.metrics->GetCounter(
            "modelreg_grpc_calls_total", "gRPC calls answered, by method and status code",
            {{"method", series->name}, {"code", std::string(GrpcCodeName(static_cast<grpc::StatusCode>(index)))}});
        series->calls[static_cast<size_t>(index)].store(counter, std::memory_order_release);
      }
      counter->Add();
      series->duration->Observe(seconds);
    }
    if (options_.log_calls) {
      const CallIdentities::Identity identity = CallIdentities::Get().Take(context);
      LogLine(LogLevel::kInfo, "call",
              {{"method", series->name},
               {"code", std::string(GrpcCodeName(static_cast<grpc::StatusCode>(index)))},
               {"duration", absl::StrFormat("%.6f", seconds), true},
               {"principal", identity.principal},
               {"request_id", identity.request_id}});
    }
  }

  void Forget(const grpc::ServerContextBase* context) const {
    if (options_.log_calls) CallIdentities::Get().Take(context);
  }

 private:
  MethodSeries* SeriesOf(const char* method) {
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      if (auto it = methods_.find(method); it != methods_.end()) return it->second.get();
    }
    std::unique_lock<std::shared_mutex> lock(mutex_);
    std::unique_ptr<MethodSeries>& series = methods_[method];
    if (series == nullptr) {
      series = std::make_unique<MethodSeries>();
      absl::string_view name = method != nullptr ? method : "";
      absl::ConsumePrefix(&name, "/");
      series->name = std::string(name);
      if (options_.metrics != nullptr) {
        series->duration = options_.metrics->GetHistogram("modelreg_grpc_call_duration_seconds",
                                                          "Time from a call's arrival to its status, by method",
                                                          {{"method", series->name}}, LatencyBucketsSeconds());
      }
    }
    return series.get();
  }

  const CallObserverOptions options_;
  std::shared_mutex mutex_;
  std::unordered_map<const char*, std::unique_ptr<MethodSeries>> methods_;
};

CallObserverInterceptor::~CallObserverInterceptor() {
  if (!recorded_) factory_->Forget(context_);
}

void CallObserverInterceptor::Intercept(grpc::experimental::InterceptorBatchMethods* methods) {
  if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) && !recorded_) {
    recorded_ = true;
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
    factory_->Record(series_, methods->GetSendStatus().error_code(), took.count(), context_);
  }
  methods->Proceed();
}

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallObserver(
    const CallObserverOptions& options) {
  if (options.metrics == nullptr && !options.log_calls) return nullptr;
  return std::make_unique<CallObserverFactory>(options);
}

void NoteCallIdentity(const grpc::ServerContextBase& context, const std::string& principal,
                      const google::protobuf::Message& request) {
  CallIdentities& identities = CallIdentities::Get();
  if (!identities.enabled.load(std::memory_order_relaxed)) return;
  identities.Note(&context, {principal, NormalizeRequestId(RequestIdOf(request))});
}

absl::string_view GrpcCodeName(grpc::StatusCode code) {
  static constexpr std::array<const char*, kCodes> kNames = {
      "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
      "DATA_LOSS", "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index < kCodes ? kNames[static_cast<size_t>(index)] : "UNKNOWN";
}

}  // namespace modelreg

#include "server/api/malformed_request.h"

#include <google/protobuf/stubs/logging.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/api/grpc_status.h"
#include "server/api/server_limits.h"
#include "server/common/errors.h"
#include "server/common/logging.h"

namespace modelreg {
namespace {

using grpc::experimental::InterceptionHookPoints;

// The field named by protobuf's last "invalid UTF-8" log line on this thread, until the interceptor takes it.
thread_local std::string last_invalid_utf8_field;

// protobuf's log, through ours. The invalid-UTF-8 line a client can provoke at will is kept for the interceptor and
// logged at DEBUG only.
void ProtobufLogHandler(google::protobuf::LogLevel level, const char* filename, int line, const std::string& message) {
  constexpr absl::string_view kPrefix = "String field '";
  if (absl::StartsWith(message, kPrefix) && absl::StrContains(message, "invalid UTF-8 data when parsing")) {
    const size_t end = message.find('\'', kPrefix.size());
    if (end != std::string::npos) last_invalid_utf8_field = message.substr(kPrefix.size(), end - kPrefix.size());
    MODELREG_LOG(DEBUG) << "protobuf: " << message;
    return;
  }
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      MODELREG_LOG(INFO) << "protobuf (" << filename << ":" << line << "): " << message;
      break;
    case google::protobuf::LOGLEVEL_WARNING:
      MODELREG_LOG(WARNING) << "protobuf (" << filename << ":" << line << "): " << message;
      break;
    default:
      MODELREG_LOG(ERROR) << "protobuf (" << filename << ":" << line << "): " << message;
      break;
  }
}

class MalformedRequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MalformedRequestInterceptor(const char* method) : method_(method != nullptr ? method : "") {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // Same thread as the parse: take what it logged, so that a later call on this thread cannot see it.
      std::string field = std::exchange(last_invalid_utf8_field, std::string());
      if (methods->GetRecvMessage() == nullptr) {
        malformed_ = true;
        utf8_field_ = std::move(field);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      // A call that found no free handler thread also has no request message (gRPC's resource-exhausted handler
      // drops it unparsed): it is not malformed, it is refused for lack of threads (server_limits.h).
      if (IsServerThreadsExhausted(status)) {
        methods->ModifySendStatus(ToGrpcStatus(ServerBusyError()));
      } else if (malformed_ && !status.ok()) {
        methods->ModifySendStatus(ToGrpcStatus(MalformedRequestError(method_, utf8_field_)));
      }
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  bool malformed_ = false;
  std::string utf8_field_;
};

class MalformedRequestInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new MalformedRequestInterceptor(info->method());
  }
};

}  // namespace

absl::Status MalformedRequestError(absl::string_view method, absl::string_view utf8_field) {
  const std::string what = utf8_field.empty()
                               ? std::string("malformed request: not a valid encoding of the method's request message")
                               : absl::StrCat("malformed request: invalid UTF-8 in string field `", utf8_field,
                                              "`; every string field must be valid UTF-8");
  MODELREG_LOG(DEBUG) << method << ": " << what;
  return ErrorWithReason(absl::StatusCode::kInvalidArgument, "MALFORMED_REQUEST", what);
}

absl::Status ParseRawRequest(const grpc::ByteBuffer& bytes, absl::string_view method,
                             google::protobuf::Message* request) {
  grpc::ByteBuffer shared(bytes);  // the same slices, referenced again: the reader consumes its buffer
  grpc::ProtoBufferReader reader(&shared);
  const bool parsed = request->ParseFromZeroCopyStream(&reader);
  // Taken whether or not the parse failed, like the interceptor does.
  const std::string utf8_field = std::exchange(last_invalid_utf8_field, std::string());
  return parsed ? absl::OkStatus() : MalformedRequestError(method, utf8_field);
}

void InstallMalformedRequestHandling(grpc::ServerBuilder& builder,
                                     std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> after) {
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&ProtobufLogHandler); });
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<MalformedRequestInterceptorFactory>());
  if (after != nullptr) creators.push_back(std::move(after));
  builder.experimental().SetInterceptorCreators(std::move(creators));
}

}  // namespace modelreg

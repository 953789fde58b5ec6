// Requests whose bytes are not a valid encoding of their message, sent as raw bytes over real gRPC (GenericStub):
// every method of both services answers INVALID_ARGUMENT with reason MALFORMED_REQUEST and a message naming the
// problem, GetModel (a callback method) and BatchGetModels (a raw one, parsed by the handler) included; never gRPC's
// INTERNAL or UNIMPLEMENTED with an empty message.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "tests/integration/api/api_test_server.h"

namespace modelreg {
namespace {

using ::testing::HasSubstr;

std::string Varint(uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

// A length-delimited field: tag, length, bytes.
std::string LengthDelimited(int number, const std::string& bytes) {
  return Varint((static_cast<uint64_t>(number) << 3) | 2) + Varint(bytes.size()) + bytes;
}

// An encoding of `type` whose first reachable string field holds invalid UTF-8; sets `field` to its full name.
// Empty when `type` reaches no string field.
std::string WithInvalidUtf8(const google::protobuf::Descriptor* type, std::string* field, int depth = 0) {
  if (depth > 4) return "";
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = type->field(i);
    if (f->type() == google::protobuf::FieldDescriptor::TYPE_STRING && !f->is_map()) {
      *field = f->full_name();
      return LengthDelimited(f->number(), "bad \xff\xfe utf-8");
    }
  }
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = type->field(i);
    if (f->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE && !f->is_map()) {
      const std::string inner = WithInvalidUtf8(f->message_type(), field, depth + 1);
      if (!inner.empty()) return LengthDelimited(f->number(), inner);
    }
  }
  return "";
}

struct RawResult {
  grpc::Status status;
  std::string reason;
};

RawResult CallRawBytes(grpc::GenericStub& stub, const std::string& method, const std::string& bytes) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&done](const grpc::Status& status) { done.set_value(status); });
  RawResult result{done.get_future().get(), ""};
  google::rpc::Status details;
  if (details.ParseFromString(result.status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info)) result.reason = info.reason();
    }
  }
  return result;
}

class MalformedRequestTest : public testing::SharedApiServerTest {};

TEST_F(MalformedRequestTest, InvalidUtf8InAnyMethodIsInvalidArgumentNamingTheField) {
  grpc::GenericStub stub(server_->channel());
  int methods = 0;
  for (const char* service_name : {"modelreg.v1.ModelRegistry", "modelreg.v1.LicenseCatalog"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << service_name;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      std::string field;
      const std::string bytes = WithInvalidUtf8(method->input_type(), &field);
      ASSERT_FALSE(bytes.empty()) << method->full_name() << " has no string field to corrupt";
      const std::string path = "/" + std::string(service_name) + "/" + method->name();
      const RawResult result = CallRawBytes(stub, path, bytes);
      EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << path << ": " << result.status.error_code() << " " << result.status.error_message();
      EXPECT_THAT(result.status.error_message(), HasSubstr("invalid UTF-8 in string field `" + field + "`")) << path;
      EXPECT_EQ(result.reason, "MALFORMED_REQUEST") << path;
      ++methods;
    }
  }
  EXPECT_GE(methods, 10);
}

TEST_F(MalformedRequestTest, TruncatedEncodingIsInvalidArgument) {
  grpc::GenericStub stub(server_->channel());
  const std::string truncated = "\x0a\x20only a few bytes";  // field 1 announces 32 bytes, 16 follow
  for (const char* method : {"/modelreg.v1.ModelRegistry/GetModel", "/modelreg.v1.ModelRegistry/BatchGetModels",
                             "/modelreg.v1.ModelRegistry/CreateModel", "/modelreg.v1.LicenseCatalog/ListLicenses"}) {
    const RawResult result = CallRawBytes(stub, method, truncated);
    EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << method;
    EXPECT_THAT(result.status.error_message(), HasSubstr("malformed request: not a valid encoding")) << method;
    EXPECT_EQ(result.reason, "MALFORMED_REQUEST") << method;
  }
}

TEST_F(MalformedRequestTest, ValidRequestsAfterAMalformedOneAreUnaffected) {
  grpc::GenericStub stub(server_->channel());
  for (int i = 0; i < 20; ++i) {
    const RawResult bad =
        CallRawBytes(stub, "/modelreg.v1.ModelRegistry/GetModel", LengthDelimited(1, "publishers/\xc0/models/x"));
    ASSERT_EQ(bad.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    const RawResult good = CallRawBytes(stub, "/modelreg.v1.ModelRegistry/GetModel",
                                        LengthDelimited(1, "publishers/nobody/models/nothing"));
    EXPECT_EQ(good.status.error_code(), grpc::StatusCode::NOT_FOUND) << good.status.error_message();
    EXPECT_NE(good.reason, "MALFORMED_REQUEST");
  }
}

}  // namespace
}  // namespace modelreg

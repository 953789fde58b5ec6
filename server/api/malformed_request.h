// Requests whose bytes do not parse as their message answer INVALID_ARGUMENT, not gRPC's INTERNAL/UNIMPLEMENTED.
//
// A request that is not a valid encoding of its message (invalid UTF-8 in a proto3 `string` field, which protobuf's
// parser rejects; a truncated or otherwise malformed encoding) never reaches a handler: gRPC 1.51 deserializes it
// in grpc::GenericDeserialize (grpcpp/impl/codegen/proto_utils.h), which fails the call with INTERNAL and an empty
// message; for a callback method (GetModel) CallbackUnaryHandler then answers UNIMPLEMENTED with an empty message.
// A raw method (BatchGetModels) parses its request itself, with ParseRawRequest below, which gives the same errors.
//
// Why an interceptor: the generated handlers deserialize through SerializationTraits<grpc::protobuf::MessageLite>
// (the generated code names MessageLite as the base request type), so a validating SerializationTraits
// specialization would have to replace the one libgrpc++ and every generated file already instantiate (an ODR
// violation), and raw (ByteBuffer) methods would turn every synchronous handler into a hand-written parser. gRPC's
// server interceptors see the failed parse on every path, sync and callback alike: at POST_RECV_MESSAGE the
// message pointer is null when deserialization failed, and at PRE_SEND_STATUS the status can be replaced.
//
// Naming the field: protobuf reports the offending field only in a log line ("String field 'modelreg.v1.Model.
// display_name' contains invalid UTF-8 data when parsing ..."), written on the thread that parses, which is the
// thread that then runs the interceptor. InstallMalformedRequestHandling routes protobuf's log through
// MODELREG_LOG and keeps that field name for the interceptor (and logs the line at DEBUG, so a client cannot flood
// the log with it). Without such a line the message says the encoding is malformed.
//
// The same interceptor gives a call refused for lack of handler threads its error naming the limit
// (ServerBusyError, server_limits.h): such a call has no parsed request either.
//
// The error: INVALID_ARGUMENT, reason MALFORMED_REQUEST (proto/README.md), e.g.
//   "malformed request: invalid UTF-8 in string field `modelreg.v1.GetModelRequest.name`; every string field must
//   be valid UTF-8" (no BadRequest: the proto field's full name is not a request field path).
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/byte_buffer.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace modelreg {

// Sets the builder's interceptors: this one, then `after` (null entries skipped), which therefore see the status it
// set (gRPC runs server interceptors in order at PRE_SEND_STATUS); installs the protobuf log handler (once per
// process).
void InstallMalformedRequestHandling(
    grpc::ServerBuilder& builder,
    std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> after = nullptr);

// Parses the request of a raw (grpc::ByteBuffer) method of `method` into `request`: OK, or the error the interceptor
// gives the other methods' malformed requests.
absl::Status ParseRawRequest(const grpc::ByteBuffer& bytes, absl::string_view method,
                             google::protobuf::Message* request);

// The error for a request of `method` ("/modelreg.v1.ModelRegistry/GetModel") that did not parse; `utf8_field` is
// the full name of the string field holding invalid UTF-8, or empty when unknown.
absl::Status MalformedRequestError(absl::string_view method, absl::string_view utf8_field);

}  // namespace modelreg

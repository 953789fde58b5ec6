#include "server/api/model_registry_service.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/wire_format_lite.h"
#include "server/api/grpc_status.h"
#include "server/api/malformed_request.h"
#include "server/api/unary_call.h"
#include "server/common/status_macros.h"

namespace modelreg {
namespace {

// Appends `model` (a serialized v1::Model, as the store's List hands it out) to `response`'s `models` without
// parsing it: as an unknown field numbered like `models`, which protobuf writes out as it is, length-delimited, the
// same encoding as a parsed entry of `repeated Model models`. Clients parse them as models. Parsing each model here
// only to serialize it again cost more than the rest of the call.
void AddSerializedModel(std::string&& model, v1::ListModelsResponse* response) {
  *response->GetReflection()->MutableUnknownFields(response)->AddLengthDelimited(
      v1::ListModelsResponse::kModelsFieldNumber) = std::move(model);
}

// The encoding of a BatchGetModelsResponse holding `models` (each a serialized v1::Model), in one slice: each model
// copied once, after its field tag and length, never parsed.
grpc::ByteBuffer EncodeModelsResponse(const std::vector<std::shared_ptr<const std::string>>& models) {
  using google::protobuf::internal::WireFormatLite;
  using google::protobuf::io::CodedOutputStream;
  constexpr uint32_t kTag = WireFormatLite::MakeTag(v1::BatchGetModelsResponse::kModelsFieldNumber,
                                                    WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  size_t size = 0;
  for (const auto& model : models) {
    size += CodedOutputStream::VarintSize32(kTag) + CodedOutputStream::VarintSize32(model->size()) + model->size();
  }
  grpc::Slice slice(size);
  auto* out = const_cast<uint8_t*>(slice.begin());  // a fresh slice, ours to fill
  for (const auto& model : models) {
    out = CodedOutputStream::WriteVarint32ToArray(kTag, out);
    out = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(model->size()), out);
    // As bytes: std::copy from `char` to `uint8_t` (different types) would copy them one by one, not with memmove.
    const auto* bytes = reinterpret_cast<const uint8_t*>(model->data());
    out = std::copy(bytes, bytes + model->size(), out);
  }
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace

grpc::Status ModelRegistryService::CreateModel(grpc::ServerContext* context, const v1::CreateModelRequest* request,
                                               v1::Model* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.ModelRegistry/CreateModel", *request, response,
                  [&](const Principal& actor) { return service_->CreateModel(*request, actor); });
}

grpc::Status ModelRegistryService::BatchCreateModels(grpc::ServerContext* context,
                                                     const v1::BatchCreateModelsRequest* request,
                                                     v1::BatchCreateModelsResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.ModelRegistry/BatchCreateModels", *request, response,
                  [&](const Principal& actor) { return service_->BatchCreateModels(*request, actor); });
}

grpc::ServerUnaryReactor* ModelRegistryService::GetModel(grpc::CallbackServerContext* context,
                                                         const v1::GetModelRequest* request, v1::Model* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::StatusOr<Principal> principal = auth_->Check(*context, "/modelreg.v1.ModelRegistry/GetModel", *request);
      !principal.ok()) {
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  if (request->has_read_time()) {
    // A read from the history, not the cache: one query on this thread, bounded by the call's deadline.
    const ScopedCallDeadline deadline(DeadlineOf(*context));
    absl::StatusOr<v1::Model> model = absl::InternalError("internal error");
    try {
      model = history_->ModelAt(request->name(), request->read_time());
    } catch (const std::exception& e) {
      MODELREG_LOG(ERROR) << "GetModel with read_time: unexpected exception: " << e.what();
    }
    const absl::Status status = model.status();
    if (status.ok()) *response = *std::move(model);
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  }
  // `request` and `response` live until Finish.
  reader_->GetModel(*request, [reactor, response](absl::StatusOr<v1::Model> model) {
    if (!model.ok()) {
      reactor->Finish(ToGrpcStatus(model.status()));
      return;
    }
    *response = *std::move(model);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ModelRegistryService::BatchGetModels(grpc::CallbackServerContext* context,
                                                               const grpc::ByteBuffer* request_bytes,
                                                               grpc::ByteBuffer* response) {
  static constexpr char kMethod[] = "/modelreg.v1.ModelRegistry/BatchGetModels";
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::BatchGetModelsRequest request;
  absl::Status status = ParseRawRequest(*request_bytes, kMethod, &request);
  if (status.ok()) status = auth_->Check(*context, kMethod, request).status();
  if (!status.ok()) {
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  }
  // `response` lives until Finish.
  reader_->BatchGetModels(request, [reactor, response](auto models) {
    if (!models.ok()) {
      reactor->Finish(ToGrpcStatus(models.status()));
      return;
    }
    *response = EncodeModelsResponse(*models);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::Status ModelRegistryService::UpdateModel(grpc::ServerContext* context, const v1::UpdateModelRequest* request,
                                               v1::Model* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.ModelRegistry/UpdateModel", *request, response,
                  [&](const Principal& actor) { return service_->UpdateModel(*request, actor); });
}

grpc::Status ModelRegistryService::DeleteModel(grpc::ServerContext* context, const v1::DeleteModelRequest* request,
                                               v1::Model* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.ModelRegistry/DeleteModel", *request, response,
                  [&](const Principal& actor) { return service_->DeleteModel(*request, actor); });
}

grpc::Status ModelRegistryService::UndeleteModel(grpc::ServerContext* context, const v1::UndeleteModelRequest* request,
                                                 v1::Model* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.ModelRegistry/UndeleteModel", *request, response,
                  [&](const Principal& actor) { return service_->UndeleteModel(*request, actor); });
}

grpc::Status ModelRegistryService::ListModels(grpc::ServerContext* context, const v1::ListModelsRequest* request,
                                              v1::ListModelsResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.ModelRegistry/ListModels", *request, response,
                  [&](const Principal& actor) -> absl::StatusOr<v1::ListModelsResponse> {
                    MODELREG_ASSIGN_OR_RETURN(auto page, service_->ListModels(*request, actor));
                    v1::ListModelsResponse listed;
                    for (std::string& model : page.models) AddSerializedModel(std::move(model), &listed);
                    listed.set_next_page_token(std::move(page.next_page_token));
                    return listed;
                  });
}

grpc::Status ModelRegistryService::ClassifyModel(grpc::ServerContext* context, const v1::ClassifyModelRequest* request,
                                                 v1::Openness* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.ModelRegistry/ClassifyModel", *request, response,
                  [&](const Principal& actor) { return service_->ClassifyModel(*request, actor); });
}

}  // namespace modelreg

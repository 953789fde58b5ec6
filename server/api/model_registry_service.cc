#include "server/api/model_registry_service.h"

#include "server/api/grpc_status.h"
#include "server/api/unary_call.h"

namespace modelreg {

grpc::Status ModelRegistryService::CreateModel(grpc::ServerContext* context, const v1::CreateModelRequest* request,
                                               v1::Model* response) {
  return RunUnary(context, "CreateModel", response, [&] { return service_->CreateModel(*request); });
}

grpc::Status ModelRegistryService::BatchCreateModels(grpc::ServerContext* context,
                                                     const v1::BatchCreateModelsRequest* request,
                                                     v1::BatchCreateModelsResponse* response) {
  return RunUnary(context, "BatchCreateModels", response, [&] { return service_->BatchCreateModels(*request); });
}

grpc::ServerUnaryReactor* ModelRegistryService::GetModel(grpc::CallbackServerContext* context,
                                                         const v1::GetModelRequest* request, v1::Model* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // `request` and `response` live until Finish.
  reader_->GetModel(*request, [reactor, response](absl::StatusOr<v1::Model> model) {
    if (model.ok()) *response = std::move(model).value();
    reactor->Finish(ToGrpcStatus(model.status()));
  });
  return reactor;
}

grpc::Status ModelRegistryService::UpdateModel(grpc::ServerContext* context, const v1::UpdateModelRequest* request,
                                               v1::Model* response) {
  return RunUnary(context, "UpdateModel", response, [&] { return service_->UpdateModel(*request); });
}

grpc::Status ModelRegistryService::DeleteModel(grpc::ServerContext* context, const v1::DeleteModelRequest* request,
                                               v1::Model* response) {
  return RunUnary(context, "DeleteModel", response, [&] { return service_->DeleteModel(*request); });
}

grpc::Status ModelRegistryService::UndeleteModel(grpc::ServerContext* context, const v1::UndeleteModelRequest* request,
                                                 v1::Model* response) {
  return RunUnary(context, "UndeleteModel", response, [&] { return service_->UndeleteModel(*request); });
}

grpc::Status ModelRegistryService::ListModels(grpc::ServerContext* context, const v1::ListModelsRequest* request,
                                              v1::ListModelsResponse* response) {
  return RunUnary(context, "ListModels", response, [&] { return service_->ListModels(*request); });
}

grpc::Status ModelRegistryService::ClassifyModel(grpc::ServerContext* context, const v1::ClassifyModelRequest* request,
                                                 v1::Openness* response) {
  return RunUnary(context, "ClassifyModel", response, [&] { return service_->ClassifyModel(*request); });
}

}  // namespace modelreg

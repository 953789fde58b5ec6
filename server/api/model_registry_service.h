// gRPC adapter of modelreg.v1.ModelRegistry: unpacks requests, calls ModelService, converts the status. No logic.
// GetModel and BatchGetModels, the hot read paths, use gRPC's callback API and ModelReader, so no thread waits on
// PostgreSQL for them; BatchGetModels is a raw method (request and response as bytes) so that the cached models go
// into its response as they are. The other methods are synchronous handlers.
#pragma once

#include "modelreg/v1/model_registry.grpc.pb.h"
#include "server/api/call_auth.h"
#include "server/service/history_service.h"
#include "server/service/model_reader.h"
#include "server/service/model_service.h"

namespace modelreg {

class ModelRegistryService final
    : public v1::ModelRegistry::WithCallbackMethod_GetModel<
          v1::ModelRegistry::WithRawCallbackMethod_BatchGetModels<v1::ModelRegistry::Service>> {
 public:
  // `history` answers GetModel with a `read_time`.
  ModelRegistryService(ModelService* service, ModelReader* reader, HistoryService* history, const CallAuth* auth)
      : service_(service), reader_(reader), history_(history), auth_(auth) {}

  grpc::Status CreateModel(grpc::ServerContext* context, const v1::CreateModelRequest* request,
                           v1::Model* response) override;
  grpc::Status BatchCreateModels(grpc::ServerContext* context, const v1::BatchCreateModelsRequest* request,
                                 v1::BatchCreateModelsResponse* response) override;
  grpc::ServerUnaryReactor* GetModel(grpc::CallbackServerContext* context, const v1::GetModelRequest* request,
                                     v1::Model* response) override;
  grpc::ServerUnaryReactor* BatchGetModels(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::Status UpdateModel(grpc::ServerContext* context, const v1::UpdateModelRequest* request,
                           v1::Model* response) override;
  grpc::Status DeleteModel(grpc::ServerContext* context, const v1::DeleteModelRequest* request,
                           v1::Model* response) override;
  grpc::Status UndeleteModel(grpc::ServerContext* context, const v1::UndeleteModelRequest* request,
                             v1::Model* response) override;
  grpc::Status ListModels(grpc::ServerContext* context, const v1::ListModelsRequest* request,
                          v1::ListModelsResponse* response) override;
  grpc::Status ClassifyModel(grpc::ServerContext* context, const v1::ClassifyModelRequest* request,
                             v1::Openness* response) override;

 private:
  ModelService* service_;
  ModelReader* reader_;
  HistoryService* history_;
  const CallAuth* auth_;
};

}  // namespace modelreg

// gRPC adapter of modelreg.v1.History: unpacks requests, calls HistoryService, converts the status.
#pragma once

#include "modelreg/v1/history.grpc.pb.h"
#include "server/api/call_auth.h"
#include "server/service/history_service.h"

namespace modelreg {

class HistoryAdapter final : public v1::History::Service {
 public:
  HistoryAdapter(HistoryService* service, const CallAuth* auth) : service_(service), auth_(auth) {}

  grpc::Status ListRevisions(grpc::ServerContext* context, const v1::ListRevisionsRequest* request,
                             v1::ListRevisionsResponse* response) override;
  grpc::Status GetRevision(grpc::ServerContext* context, const v1::GetRevisionRequest* request,
                           v1::Revision* response) override;
  grpc::Status Purge(grpc::ServerContext* context, const v1::PurgeRequest* request, v1::Revision* response) override;

 private:
  HistoryService* service_;
  const CallAuth* auth_;
};

}  // namespace modelreg

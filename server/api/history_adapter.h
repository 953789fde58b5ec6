// gRPC adapter of modelreg.v1.History: unpacks requests, calls HistoryService, converts the status. WatchChanges is
// a callback-API stream (server/api/watch_reactor.h) served by the ChangeFeed, so a watcher holds no thread.
#pragma once

#include "modelreg/v1/history.grpc.pb.h"
#include "server/api/call_auth.h"
#include "server/service/change_feed.h"
#include "server/service/history_service.h"

namespace modelreg {

class HistoryAdapter final : public v1::History::WithCallbackMethod_WatchChanges<v1::History::Service> {
 public:
  HistoryAdapter(HistoryService* service, ChangeFeed* feed, const CallAuth* auth)
      : service_(service), feed_(feed), auth_(auth) {}

  grpc::Status ListRevisions(grpc::ServerContext* context, const v1::ListRevisionsRequest* request,
                             v1::ListRevisionsResponse* response) override;
  grpc::Status GetRevision(grpc::ServerContext* context, const v1::GetRevisionRequest* request,
                           v1::Revision* response) override;
  grpc::ServerWriteReactor<v1::ChangeEvent>* WatchChanges(grpc::CallbackServerContext* context,
                                                          const v1::WatchChangesRequest* request) override;
  grpc::Status Purge(grpc::ServerContext* context, const v1::PurgeRequest* request, v1::Revision* response) override;

 private:
  HistoryService* service_;
  ChangeFeed* feed_;
  const CallAuth* auth_;
};

}  // namespace modelreg

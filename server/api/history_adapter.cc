#include "server/api/history_adapter.h"

#include "server/api/unary_call.h"

namespace modelreg {

grpc::Status HistoryAdapter::ListRevisions(grpc::ServerContext* context, const v1::ListRevisionsRequest* request,
                                           v1::ListRevisionsResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.History/ListRevisions", *request, response,
                  [&](const Principal& actor) { return service_->ListRevisions(*request, actor); });
}

grpc::Status HistoryAdapter::GetRevision(grpc::ServerContext* context, const v1::GetRevisionRequest* request,
                                         v1::Revision* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.History/GetRevision", *request, response,
                  [&](const Principal& actor) { return service_->GetRevision(*request, actor); });
}

grpc::Status HistoryAdapter::Purge(grpc::ServerContext* context, const v1::PurgeRequest* request,
                                   v1::Revision* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.History/Purge", *request, response,
                  [&](const Principal& actor) { return service_->Purge(*request, actor); });
}

}  // namespace modelreg

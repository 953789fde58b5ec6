#include "server/api/history_adapter.h"

#include <exception>

#include "server/api/unary_call.h"
#include "server/api/watch_reactor.h"
#include "server/common/logging.h"

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

grpc::ServerWriteReactor<v1::ChangeEvent>* HistoryAdapter::WatchChanges(grpc::CallbackServerContext* context,
                                                                        const v1::WatchChangesRequest* request) {
  absl::StatusOr<Principal> principal;
  try {
    principal = auth_->Check(*context, "/modelreg.v1.History/WatchChanges", *request);
  } catch (const std::exception& e) {
    MODELREG_LOG(ERROR) << "WatchChanges: unexpected exception: " << e.what();
    principal = absl::InternalError("internal error");
  }
  return new WatchReactor(feed_, principal, *request);
}

grpc::Status HistoryAdapter::Purge(grpc::ServerContext* context, const v1::PurgeRequest* request,
                                   v1::Revision* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.History/Purge", *request, response,
                  [&](const Principal& actor) { return service_->Purge(*request, actor); });
}

}  // namespace modelreg

#include "server/api/admin_service.h"

#include "server/api/unary_call.h"

namespace modelreg {

grpc::Status AdminService::CreateToken(grpc::ServerContext* context, const v1::CreateTokenRequest* request,
                                       v1::CreateTokenResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Admin/CreateToken", *request, response,
                  [&](const Principal& actor) { return service_->CreateToken(*request, actor); });
}

grpc::Status AdminService::ListTokens(grpc::ServerContext* context, const v1::ListTokensRequest* request,
                                      v1::ListTokensResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Admin/ListTokens", *request, response,
                  [&](const Principal& actor) { return service_->ListTokens(*request, actor); });
}

grpc::Status AdminService::RevokeToken(grpc::ServerContext* context, const v1::RevokeTokenRequest* request,
                                       v1::Token* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Admin/RevokeToken", *request, response,
                  [&](const Principal& actor) { return service_->RevokeToken(*request, actor); });
}

}  // namespace modelreg

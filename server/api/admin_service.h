// gRPC adapter of modelreg.v1.Admin (API tokens): unpacks requests, calls TokenService, converts the status.
#pragma once

#include "modelreg/v1/admin.grpc.pb.h"
#include "server/api/call_auth.h"
#include "server/service/token_service.h"

namespace modelreg {

class AdminService final : public v1::Admin::Service {
 public:
  AdminService(TokenService* service, const CallAuth* auth) : service_(service), auth_(auth) {}

  grpc::Status CreateToken(grpc::ServerContext* context, const v1::CreateTokenRequest* request,
                           v1::CreateTokenResponse* response) override;
  grpc::Status ListTokens(grpc::ServerContext* context, const v1::ListTokensRequest* request,
                          v1::ListTokensResponse* response) override;
  grpc::Status RevokeToken(grpc::ServerContext* context, const v1::RevokeTokenRequest* request,
                           v1::Token* response) override;

 private:
  TokenService* service_;
  const CallAuth* auth_;
};

}  // namespace modelreg

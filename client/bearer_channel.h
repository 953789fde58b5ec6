// A channel whose every call carries `authorization: Bearer <token>` (a client interceptor), so stubs need no
// per-call code. An empty token gives a plain channel.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace modelreg {

std::shared_ptr<grpc::Channel> CreateBearerChannel(const std::string& address,
                                                   const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                                                   const std::string& token);

}  // namespace modelreg

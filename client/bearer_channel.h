// A channel whose every call carries `authorization: Bearer <token>` (a client interceptor), so stubs need no
// per-call code. An empty token gives a plain channel. `args` tune the channel (tests: a small receive window).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace modelreg {

std::shared_ptr<grpc::Channel> CreateBearerChannel(const std::string& address,
                                                   const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                                                   const std::string& token,
                                                   const grpc::ChannelArguments& args = grpc::ChannelArguments());

}  // namespace modelreg

// Several modelregd replicas behind one client: the gRPC target for a list of servers, and channel arguments that
// balance calls round-robin over every address of the target (gRPC's own `round_robin` load-balancing policy).
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/statusor.h"

namespace modelreg {

// The gRPC target for `servers`:
// - `host:port`: unchanged (gRPC resolves the name; with round_robin, calls spread over all its addresses);
// - a comma list of IP addresses with ports, `10.0.0.1:7411,10.0.0.2:7411` or `[::1]:7411,[::1]:7412`: the
//   multi-address target `ipv4:10.0.0.1:7411,10.0.0.2:7411` (or `ipv6:...`), spaces around commas ignored;
// - a gRPC target URI (`dns:///name:port`, `ipv4:...`, `ipv6:...`, `unix:...`): unchanged.
// INVALID_ARGUMENT for an empty entry, an entry without a port, a host name in a list (name one that resolves to
// several addresses with dns:///name:port instead), or IPv4 and IPv6 addresses mixed in one list.
absl::StatusOr<std::string> ServerTarget(const std::string& servers);

// `args` plus the service config `{"loadBalancingConfig":[{"round_robin":{}}]}`: each call goes to the next READY
// address; a server that goes away is skipped until it is back.
grpc::ChannelArguments RoundRobinArguments(grpc::ChannelArguments args = grpc::ChannelArguments());

}  // namespace modelreg

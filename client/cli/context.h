// State shared by every command: global flags, the client, exit codes and printing of results and errors.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "client/channel_options.h"
#include "client/cli/output.h"
#include "client/client.h"
#include "google/protobuf/message.h"

namespace modelreg::cli {

// Exit codes, as grpcurl uses them.
constexpr int kExitOk = 0;
constexpr int kExitLocalFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRpcBase = 64;  // + the gRPC status code
// `modelreg check`: the verdict, when the use is not allowed (ALLOWED and ALLOWED_WITH_OBLIGATIONS exit 0). The
// numbers are the verdicts' enum values (usage.proto).
constexpr int kExitVerdictUnknown = 3;
constexpr int kExitVerdictLicenseRequired = 4;
constexpr int kExitVerdictProhibited = 5;
// `modelreg compliance`: at least one deployment shown is STATUS_NON_COMPLIANT (review and overridden ones exit 0).
constexpr int kExitNonCompliant = 6;

struct Context {
  // Global flags.
  std::string server = "127.0.0.1:7411";
  double timeout_seconds = 10;
  // --token; empty: MODELREG_TOKEN, else the config file (client/credentials.h).
  std::string token;
  std::string output = "table";
  ChannelOptions channel;  // --ca-file, --cert-file, --key-file, --tls

  // Set by the command that ran.
  int exit_code = kExitOk;

  // The output format from --output; exits with kExitUsage (through UsageError) when it is bad.
  OutputFormat format() const;
  // A client for --server with the --timeout deadline and the TLS flags; created on first use. Exits the process
  // (kExitLocalFailure) when a certificate or key file cannot be used.
  Client& client();

 private:
  std::unique_ptr<Client> client_;
};

// Print "error: ..." to stderr and return the exit code for the kind of failure.
int UsageError(const absl::Status& status);
int LocalError(const absl::Status& status);
int RpcError(const Context& ctx, const absl::Status& status);
void Warn(const std::string& message);

// Prints `message` to stdout: the `table` text in table mode, else the message as JSON or YAML.
int Print(const Context& ctx, const google::protobuf::Message& message, const std::string& table);

}  // namespace modelreg::cli

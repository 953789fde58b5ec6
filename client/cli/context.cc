#include "client/cli/context.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "client/credentials.h"

namespace modelreg::cli {

OutputFormat Context::format() const {
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(output);
  return format.ok() ? *format : OutputFormat::kTable;  // validated in main before any command runs
}

Client& Context::client() {
  if (client_ == nullptr) {
    absl::StatusOr<std::unique_ptr<Client>> client = Client::Connect(server, channel, ResolveToken(token));
    if (!client.ok()) std::exit(LocalError(client.status()));
    client_ = *std::move(client);
    client_->set_deadline(absl::Milliseconds(timeout_seconds * 1000));
  }
  return *client_;
}

int UsageError(const absl::Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return kExitUsage;
}

int LocalError(const absl::Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return kExitLocalFailure;
}

int RpcError(const Context& ctx, const absl::Status& status) {
  std::cerr << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message() << "\n"
            << ErrorDetailLines(GetErrorDetails(status));
  if (status.code() == absl::StatusCode::kUnavailable) {
    std::cerr << "hint: is modelregd running at " << ctx.server << "? (set --server or MODELREG_SERVER)\n";
    if (!ctx.channel.UsesTls()) std::cerr << "hint: if it serves TLS, give its CA with --ca-file\n";
  } else if (status.code() == absl::StatusCode::kUnauthenticated) {
    std::cerr << "hint: pass a token with --token, MODELREG_TOKEN or `token = ...` in ~/.config/modelreg/config\n";
  } else if (status.code() == absl::StatusCode::kDeadlineExceeded) {
    std::cerr << "hint: no answer within " << ctx.timeout_seconds << " s (raise --timeout)\n";
  }
  return kExitRpcBase + static_cast<int>(status.code());
}

void Warn(const std::string& message) { std::cerr << "warning: " << message << "\n"; }

int Print(const Context& ctx, const google::protobuf::Message& message, const std::string& table) {
  const OutputFormat format = ctx.format();
  if (format == OutputFormat::kTable) {
    std::cout << table;
    return kExitOk;
  }
  absl::StatusOr<std::string> text = FormatStructured(message, format);
  if (!text.ok()) return LocalError(text.status());
  std::cout << *text;
  return kExitOk;
}

}  // namespace modelreg::cli

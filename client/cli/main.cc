// modelreg: command-line client of the modelreg registry (modelreg.v1 over gRPC).
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "client/cli/catalog_commands.h"
#include "client/cli/check_commands.h"
#include "client/cli/context.h"
#include "client/cli/governance_commands.h"
#include "client/cli/history_commands.h"
#include "client/cli/import_commands.h"
#include "client/cli/license_commands.h"
#include "client/cli/model_commands.h"
#include "client/cli/token_commands.h"
#include "client/cli/watch_commands.h"

namespace {

int Run(int argc, char** argv) {
  using modelreg::cli::Context;
  Context ctx;
  CLI::App app{
      "modelreg: model registry client. Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 local "
      "failure, 2 usage error, 64 + gRPC code for an RPC error; `check` also 3, 4, 5, `compliance` also 6 (see their "
      "--help).",
      "modelreg"};
  app.fallthrough();  // global flags are accepted after the subcommand too
  app.require_subcommand(1);
  app.add_option("--server", ctx.server,
                 "Server address host:port; or several, balanced round-robin: ip:port,ip:port or dns:///name:port")
      ->envname("MODELREG_SERVER")
      ->capture_default_str();
  app.add_option("--timeout", ctx.timeout_seconds, "Deadline of each call, in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--ca-file", ctx.channel.ca_file, "Connect over TLS, verifying the server with this PEM CA file")
      ->envname("MODELREG_CA_FILE");
  app.add_option("--cert-file", ctx.channel.cert_file, "PEM client certificate, for a server that requires one")
      ->envname("MODELREG_CERT_FILE");
  app.add_option("--key-file", ctx.channel.key_file, "PEM private key of --cert-file")->envname("MODELREG_KEY_FILE");
  app.add_flag("--tls", ctx.channel.tls, "Connect over TLS, verifying the server with the system's trusted CAs");
  app.add_option("--token", ctx.token,
                 "API token (default: $MODELREG_TOKEN, else `token = ...` in ~/.config/modelreg/config)");
  app.add_option("-o,--output", ctx.output, "Output format")
      ->check(CLI::IsMember({"table", "json", "yaml"}, CLI::ignore_case))
      ->capture_default_str();

  modelreg::cli::AddModelCommands(app, ctx);
  modelreg::cli::AddLicenseCommands(app, ctx);
  modelreg::cli::AddImportCommands(app, ctx);
  modelreg::cli::AddCatalogCommands(app, ctx);
  modelreg::cli::AddTokenCommands(app, ctx);
  modelreg::cli::AddCheckCommand(app, ctx);
  modelreg::cli::AddGovernanceCommands(app, ctx);
  modelreg::cli::AddHistoryCommand(app, ctx);
  modelreg::cli::AddWatchCommand(app, ctx);
  modelreg::cli::AddPurgeCommand(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help to stdout, errors to stderr
    return rc == 0 ? modelreg::cli::kExitOk : modelreg::cli::kExitUsage;
  }
  return ctx.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    // A backstop: commands report their errors themselves; anything escaping is a local failure, not an abort.
    std::cerr << "error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "error: unknown exception\n";
  }
  return modelreg::cli::kExitLocalFailure;
}

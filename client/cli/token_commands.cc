#include "client/cli/token_commands.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "server/common/status_macros.h"
#include "server/domain/auth/token_args.h"

namespace modelreg::cli {
namespace {

struct CreateOptions {
  std::string principal;
  std::string role;
  std::string scope = "*";
  std::vector<std::string> bindings;  // role=scope
  std::string expires;
};

std::string TimeText(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t.seconds()), absl::UTCTimeZone());
}

std::string TokenLine(const v1::Token& token) {
  std::vector<std::string> bindings;
  for (const auto& b : token.bindings()) bindings.push_back(absl::StrCat(RoleShortName(b.role()), "@", b.scope()));
  return absl::StrCat(token.name(), "  ", token.principal(), "  ", absl::StrJoin(bindings, ","), "  created ",
                      TimeText(token.create_time()), "  expires ", TimeText(token.expire_time()), "  revoked ",
                      TimeText(token.revoke_time()), "  last used ", TimeText(token.last_use_time()), "\n");
}

int Create(Context& ctx, const CreateOptions& opts) {
  v1::CreateTokenRequest request;
  request.mutable_token()->set_principal(opts.principal);
  auto add = [&](const std::string& role_text, const std::string& scope) -> absl::Status {
    MODELREG_ASSIGN_OR_RETURN(v1::Role role, ParseRoleName(role_text));
    v1::TokenBinding* b = request.mutable_token()->add_bindings();
    b->set_role(role);
    b->set_scope(scope);
    return absl::OkStatus();
  };
  if (!opts.role.empty()) {
    if (absl::Status s = add(opts.role, opts.scope); !s.ok()) return UsageError(s);
  }
  for (const std::string& binding : opts.bindings) {
    const auto eq = binding.find('=');
    if (eq == std::string::npos) {
      return UsageError(
          absl::InvalidArgumentError(absl::StrCat("--binding: expected ROLE=SCOPE, got `", binding, "`")));
    }
    if (absl::Status s = add(binding.substr(0, eq), binding.substr(eq + 1)); !s.ok()) return UsageError(s);
  }
  if (request.token().bindings().empty()) {
    return UsageError(absl::InvalidArgumentError("give --role (with --scope) or --binding ROLE=SCOPE"));
  }
  absl::StatusOr<absl::Duration> ttl = ParseTokenLifetime(opts.expires);
  if (!ttl.ok()) return UsageError(ttl.status());
  request.mutable_ttl()->set_seconds(absl::ToInt64Seconds(*ttl));
  absl::StatusOr<v1::CreateTokenResponse> created = ctx.client().CreateToken(request);
  if (!created.ok()) return RpcError(ctx, created.status());
  std::cerr << "created " << created->token().name() << "; the secret below is shown only once\n";
  return Print(ctx, *created, created->secret() + "\n");
}

int List(Context& ctx) {
  v1::ListTokensRequest request;
  v1::ListTokensResponse all;
  while (true) {
    absl::StatusOr<v1::ListTokensResponse> page = ctx.client().ListTokens(request);
    if (!page.ok()) return RpcError(ctx, page.status());
    for (const auto& token : page->tokens()) *all.add_tokens() = token;
    if (page->next_page_token().empty()) break;
    request.set_page_token(page->next_page_token());
  }
  std::string table;
  for (const auto& token : all.tokens()) table += TokenLine(token);
  return Print(ctx, all, table);
}

int Revoke(Context& ctx, const std::string& name) {
  v1::RevokeTokenRequest request;
  request.set_name(name.rfind("tokens/", 0) == 0 ? name : "tokens/" + name);
  absl::StatusOr<v1::Token> token = ctx.client().RevokeToken(request);
  if (!token.ok()) return RpcError(ctx, token.status());
  return Print(ctx, *token, TokenLine(*token));
}

}  // namespace

void AddTokenCommands(CLI::App& app, Context& ctx) {
  CLI::App* tokens = app.add_subcommand("tokens", "Create, list and revoke API tokens (needs an admin token)");
  tokens->require_subcommand(1);
  {
    auto opts = std::make_shared<CreateOptions>();
    CLI::App* cmd = tokens->add_subcommand("create", "Create a token; prints its secret on stdout, once");
    cmd->add_option("--principal", opts->principal, "Who uses the token (a person or service)")->required();
    cmd->add_option("--role", opts->role, "viewer, editor or admin");
    cmd->add_option("--scope", opts->scope, "The --role's scope: *, licenses, publishers/{publisher}")
        ->capture_default_str();
    cmd->add_option("--binding", opts->bindings, "Another ROLE=SCOPE binding (repeatable)");
    cmd->add_option("--expires", opts->expires, "Lifetime, e.g. 90d, 12h (default: never)");
    cmd->callback([&ctx, opts] { ctx.exit_code = Create(ctx, *opts); });
  }
  {
    CLI::App* cmd = tokens->add_subcommand("list", "List tokens (never their secrets)");
    cmd->callback([&ctx] { ctx.exit_code = List(ctx); });
  }
  {
    auto name = std::make_shared<std::string>();
    CLI::App* cmd = tokens->add_subcommand("revoke", "Revoke a token");
    cmd->add_option("name,--name", *name, "tokens/{id} or the id")->required();
    cmd->callback([&ctx, name] { ctx.exit_code = Revoke(ctx, *name); });
  }
}

}  // namespace modelreg::cli

#include "client/cli/history_commands.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli/history_output.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

// The resource name for a shorthand: `licenses/...`, `organizations/...`, `tokens/...` and `publishers/...` as
// given; `OWNER/REPO` as a model.
absl::StatusOr<std::string> ResourceName(const std::string& text) {
  for (const char* prefix : {"publishers/", "licenses/", "organizations/", "tokens/"}) {
    if (absl::StartsWith(text, prefix)) return text;
  }
  absl::StatusOr<ModelName> model = ParseModelShorthand(text);
  if (!model.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("`", text,
                     "`: expected a resource name (publishers/P/models/M, licenses/L, organizations/O[/...], tokens/T) "
                     "or a model as OWNER/REPO"));
  }
  return model->name();
}

int History(Context& ctx, const std::string& text) {
  absl::StatusOr<std::string> name = ResourceName(text);
  if (!name.ok()) return UsageError(name.status());
  v1::ListRevisionsRequest request;
  request.set_name(*name);
  absl::StatusOr<v1::ListRevisionsResponse> response = ctx.client().ListAllRevisions(request);
  if (!response.ok()) return RpcError(ctx, response.status());
  return Print(ctx, *response,
               HistoryDetail(std::vector<v1::Revision>(response->revisions().begin(), response->revisions().end())));
}

int Purge(Context& ctx, const std::string& text, const std::string& etag) {
  absl::StatusOr<std::string> name = ResourceName(text);
  if (!name.ok()) return UsageError(name.status());
  v1::PurgeRequest request;
  request.set_name(*name);
  request.set_etag(etag);
  absl::StatusOr<v1::Revision> tombstone = ctx.client().Purge(request);
  if (!tombstone.ok()) return RpcError(ctx, tombstone.status());
  return Print(ctx, *tombstone, HistoryDetail({*tombstone}));
}

}  // namespace

void AddHistoryCommand(CLI::App& app, Context& ctx) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "history",
      "Show every revision of a resource (model, license, organization, deployment, policy, token): who changed "
      "what, when, under which request id, and each change's fields as old -> new");
  cmd->add_option("name", *name, "The resource name, or a model as OWNER/REPO")->required();
  cmd->callback([&ctx, name] { ctx.exit_code = History(ctx, *name); });
}

void AddPurgeCommand(CLI::App& app, Context& ctx) {
  auto name = std::make_shared<std::string>();
  auto etag = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "purge",
      "Remove a soft-deleted resource's data for good (admin role): its record and the records of its earlier "
      "revisions; its history keeps who changed it when, and gains a PURGE revision, which is printed");
  cmd->add_option("name", *name, "The resource name, or a model as OWNER/REPO")->required();
  cmd->add_option("--etag", *etag, "Purge only if the resource's etag is still this one");
  cmd->callback([&ctx, name, etag] { ctx.exit_code = Purge(ctx, *name, *etag); });
}

}  // namespace modelreg::cli

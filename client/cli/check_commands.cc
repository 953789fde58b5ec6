#include "client/cli/check_commands.h"

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

struct CheckOptions {
  std::string model;
  std::string org;
  int64_t monthly_active_users = 0;
  int64_t annual_revenue_usd = 0;
  int64_t monthly_revenue_usd = 0;
  bool commercial = false;
  bool non_commercial = false;
  std::string hosting;
  std::string distribute_as;
  bool train_on_outputs = false;
  bool distillation = false;
  std::string country;
  // The options whose presence matters (an absent figure is unknown, not zero).
  CLI::Option* mau_option = nullptr;
  CLI::Option* annual_revenue_option = nullptr;
  CLI::Option* monthly_revenue_option = nullptr;
};

v1::Hosting ParseHosting(const std::string& text) {
  if (text == "self-hosted") return v1::HOSTING_SELF_HOSTED;
  if (text == "provider-api") return v1::HOSTING_PROVIDER_API;
  return v1::HOSTING_UNSPECIFIED;
}

int VerdictExitCode(v1::Verdict verdict) {
  switch (verdict) {
    case v1::VERDICT_ALLOWED:
    case v1::VERDICT_ALLOWED_WITH_OBLIGATIONS:
      return kExitOk;
    case v1::VERDICT_UNKNOWN:
      return kExitVerdictUnknown;
    case v1::VERDICT_LICENSE_REQUIRED:
      return kExitVerdictLicenseRequired;
    case v1::VERDICT_PROHIBITED:
      return kExitVerdictProhibited;
    default:
      return LocalError(absl::InternalError(absl::StrCat("the server answered no verdict (", verdict, ")")));
  }
}

int Check(Context& ctx, const CheckOptions& opts) {
  absl::StatusOr<ModelName> model = ParseModelShorthand(opts.model);
  if (!model.ok()) return UsageError(model.status());
  v1::CheckUsageRequest request;
  request.set_model(model->name());
  const bool figures = opts.mau_option->count() > 0 || opts.annual_revenue_option->count() > 0 ||
                       opts.monthly_revenue_option->count() > 0 || opts.commercial || opts.non_commercial ||
                       !opts.country.empty();
  if (!opts.org.empty()) {
    if (figures) {
      return UsageError(absl::InvalidArgumentError(
          "--org takes the figures from the organization: drop --mau, --annual-revenue-usd, --monthly-revenue-usd, "
          "--commercial, --non-commercial and --country"));
    }
    request.set_organization(absl::StartsWith(opts.org, "organizations/") ? opts.org
                                                                          : absl::StrCat("organizations/", opts.org));
    v1::PlannedUse* use = request.mutable_planned_use();
    use->set_hosting(ParseHosting(opts.hosting));
    use->set_distribute_as(opts.distribute_as);
    use->set_train_on_outputs(opts.train_on_outputs);
    use->set_distillation(opts.distillation);
  } else {
    v1::UsageProfile* profile = request.mutable_profile();
    if (opts.mau_option->count() > 0) profile->set_monthly_active_users(opts.monthly_active_users);
    if (opts.annual_revenue_option->count() > 0) profile->set_annual_revenue_usd(opts.annual_revenue_usd);
    if (opts.monthly_revenue_option->count() > 0) profile->set_monthly_revenue_usd(opts.monthly_revenue_usd);
    if (opts.commercial || opts.non_commercial) profile->set_commercial(opts.commercial);
    profile->set_hosting(ParseHosting(opts.hosting));
    profile->set_distribute_as(opts.distribute_as);
    profile->set_train_on_outputs(opts.train_on_outputs);
    profile->set_distillation(opts.distillation);
    profile->set_country(opts.country);
  }
  absl::StatusOr<v1::CheckUsageResponse> response = ctx.client().CheckUsage(request);
  if (!response.ok()) return RpcError(ctx, response.status());
  if (int rc = Print(ctx, *response, UsageCheckDetail(request.model(), *response)); rc != kExitOk) return rc;
  return VerdictExitCode(response->verdict());
}

}  // namespace

void AddCheckCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Check a use of a model against the license terms of the model and of every model it derives from. Exit code: "
      "0 allowed (with or without obligations), 3 unknown (a needed fact is missing), 4 license required, "
      "5 prohibited; 64 + gRPC code for an RPC error");
  cmd->add_option("model,--model", opts->model, "publishers/P/models/M or P/M, e.g. meta-llama/llama-3.1-8b")
      ->required();
  cmd->add_option("--org", opts->org,
                  "ORG or organizations/ORG: take users, revenue, commercial use and country from the organization");
  opts->mau_option = cmd->add_option("--mau", opts->monthly_active_users,
                                     "Monthly active users, affiliates included (absent: unknown)")
                         ->check(CLI::NonNegativeNumber);
  opts->annual_revenue_option = cmd->add_option("--annual-revenue-usd", opts->annual_revenue_usd,
                                                "Annual revenue in US dollars, affiliates included (absent: unknown)")
                                    ->check(CLI::NonNegativeNumber);
  opts->monthly_revenue_option = cmd->add_option("--monthly-revenue-usd", opts->monthly_revenue_usd,
                                                 "Monthly revenue in US dollars, affiliates included (absent: unknown)")
                                     ->check(CLI::NonNegativeNumber);
  CLI::Option* commercial = cmd->add_flag("--commercial", opts->commercial, "The use is commercial");
  CLI::Option* non_commercial =
      cmd->add_flag("--non-commercial", opts->non_commercial, "The use is not commercial (neither flag: unknown)");
  commercial->excludes(non_commercial);
  cmd->add_option("--hosting", opts->hosting, "Where the model runs (absent: unknown)")
      ->check(CLI::IsMember({"self-hosted", "provider-api"}));
  cmd->add_option("--distribute-as", opts->distribute_as, "Name under which a derivative model is distributed");
  cmd->add_flag("--train-on-outputs", opts->train_on_outputs, "The model's outputs train or improve other models");
  cmd->add_flag("--distillation", opts->distillation, "The model is distilled into another model");
  cmd->add_option("--country", opts->country, "Country of the licensee, ISO 3166-1 alpha-2 (e.g. US)");
  cmd->callback([&ctx, opts] { ctx.exit_code = Check(ctx, *opts); });
}

}  // namespace modelreg::cli

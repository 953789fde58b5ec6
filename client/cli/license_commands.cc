#include "client/cli/license_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/cli/command_options.h"
#include "client/cli/record_io.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

// Reads the record from -f and settles its name (`licenses/x`): the positional name, else the record's.
int LoadRecord(const RecordOptions& opts, v1::License* license, std::string* text) {
  absl::StatusOr<std::string> read = ReadFile(opts.file);
  if (!read.ok()) return LocalError(read.status());
  *text = *read;
  if (absl::Status s = ParseRecord(opts.file, *text, license); !s.ok()) return LocalError(s);
  if (opts.name.empty() && license->name().empty()) {
    return UsageError(
        absl::InvalidArgumentError(absl::StrCat("no license name: give NAME or set `name` in ", opts.file)));
  }
  absl::StatusOr<std::string> id = ParseLicenseShorthand(opts.name.empty() ? license->name() : opts.name);
  if (!id.ok()) return UsageError(id.status());
  if (!opts.name.empty() && !license->name().empty()) {
    absl::StatusOr<std::string> in_file = ParseLicenseShorthand(license->name());
    if (!in_file.ok() || *in_file != *id) {
      return UsageError(absl::InvalidArgumentError(
          absl::StrCat("NAME ", LicenseName(*id), " differs from the name in ", opts.file, ": ", license->name())));
    }
  }
  license->set_name(LicenseName(*id));
  return kExitOk;
}

int PrintLicense(const Context& ctx, const v1::License& license) { return Print(ctx, license, LicenseDetail(license)); }

int Create(Context& ctx, const RecordOptions& opts) {
  v1::CreateLicenseRequest request;
  std::string text;
  if (int rc = LoadRecord(opts, request.mutable_license(), &text); rc != kExitOk) return rc;
  request.set_license_id(LicenseIdOf(request.license().name()));  // LoadRecord checked the name
  absl::StatusOr<v1::License> license = ctx.client().CreateLicense(request);
  if (!license.ok()) return RpcError(ctx, license.status());
  return PrintLicense(ctx, *license);
}

int Get(Context& ctx, const NameOptions& opts) {
  // An id, or any name the license answers to (`"MIT License"`, `Apache-2.0`): the server resolves aliases.
  absl::StatusOr<std::string> id = ParseLicenseShorthand(opts.name);
  absl::string_view alias = opts.name;
  absl::ConsumePrefix(&alias, "licenses/");
  v1::GetLicenseRequest request;
  request.set_name(id.ok() ? LicenseName(*id) : absl::StrCat("licenses/", alias));
  absl::StatusOr<v1::License> license = ctx.client().GetLicense(request);
  if (!license.ok()) return RpcError(ctx, license.status());
  return PrintLicense(ctx, *license);
}

int Update(Context& ctx, const RecordOptions& opts) {
  v1::UpdateLicenseRequest request;
  std::string text;
  if (int rc = LoadRecord(opts, request.mutable_license(), &text); rc != kExitOk) return rc;
  absl::StatusOr<std::vector<std::string>> paths =
      opts.update_mask.empty() ? TopLevelFields(text, *v1::License::descriptor()) : ParseUpdateMask(opts.update_mask);
  if (!paths.ok()) return UsageError(paths.status());
  if (paths->empty()) {
    return UsageError(absl::InvalidArgumentError(
        absl::StrCat(opts.file, " sets no updatable field; give --update-mask to clear fields")));
  }
  for (const std::string& path : *paths) request.mutable_update_mask()->add_paths(path);
  absl::StatusOr<v1::License> license = ctx.client().UpdateLicense(request);
  if (!license.ok()) return RpcError(ctx, license.status());
  return PrintLicense(ctx, *license);
}

int Delete(Context& ctx, const NameOptions& opts, bool undelete) {
  absl::StatusOr<std::string> id = ParseLicenseShorthand(opts.name);
  if (!id.ok()) return UsageError(id.status());
  const std::string name = LicenseName(*id);
  absl::StatusOr<v1::License> license;
  if (undelete) {
    v1::UndeleteLicenseRequest request;
    request.set_name(name);
    request.set_etag(opts.etag);
    license = ctx.client().UndeleteLicense(request);
  } else {
    v1::DeleteLicenseRequest request;
    request.set_name(name);
    request.set_etag(opts.etag);
    license = ctx.client().DeleteLicense(request);
  }
  if (!license.ok()) return RpcError(ctx, license.status());
  return PrintLicense(ctx, *license);
}

int List(Context& ctx, const ListOptions& opts) {
  if (opts.page_size < 0) return UsageError(absl::InvalidArgumentError("--page-size must not be negative"));
  v1::ListLicensesRequest request;
  request.set_filter(opts.filter);
  request.set_order_by(opts.order_by);
  request.set_show_deleted(opts.show_deleted);
  request.set_page_size(opts.page_size);
  request.set_page_token(opts.page_token);

  v1::ListLicensesResponse response;
  if (opts.all) {
    absl::Status status = ctx.client().ForEachLicense(request, [&response](const v1::License& license) {
      *response.add_licenses() = license;
      return absl::OkStatus();
    });
    if (!status.ok()) return RpcError(ctx, status);
  } else {
    absl::StatusOr<v1::ListLicensesResponse> page = ctx.client().ListLicenses(request);
    if (!page.ok()) return RpcError(ctx, page.status());
    response = *std::move(page);
  }
  const int rc = Print(ctx, response,
                       LicensesTable(std::vector<v1::License>(response.licenses().begin(), response.licenses().end())));
  ReportPageHints(ctx, response.licenses_size(), response.next_page_token(), "licenses");
  return rc;
}

constexpr char kNameHelp[] = "licenses/ID or ID, e.g. apache-2.0";

}  // namespace

void AddLicenseCommands(CLI::App& app, Context& ctx) {
  CLI::App* licenses = app.add_subcommand("licenses", "Create, read, update, delete and list licenses");
  licenses->require_subcommand(1);

  {
    auto opts = std::make_shared<RecordOptions>();
    CLI::App* cmd = licenses->add_subcommand("create", "Create a license from a YAML or JSON record");
    cmd->add_option("name,--name", opts->name, std::string(kNameHelp) + "; default: the record's `name`");
    cmd->add_option("-f,--file", opts->file, "The record (YAML or JSON, proto3 JSON mapping); - for stdin")->required();
    cmd->callback([&ctx, opts] { ctx.exit_code = Create(ctx, *opts); });
  }
  {
    auto opts = std::make_shared<NameOptions>();
    CLI::App* cmd = licenses->add_subcommand("get", "Show a license and its structured terms");
    cmd->add_option("name,--name", opts->name, kNameHelp)->required();
    cmd->callback([&ctx, opts] { ctx.exit_code = Get(ctx, *opts); });
  }
  {
    auto opts = std::make_shared<RecordOptions>();
    CLI::App* cmd = licenses->add_subcommand("update", "Update fields of a license from a YAML or JSON record");
    cmd->add_option("name,--name", opts->name, std::string(kNameHelp) + "; default: the record's `name`");
    cmd->add_option("-f,--file", opts->file, "The record with the new values; its etag, if any, is checked")
        ->required();
    cmd->add_option("--update-mask", opts->update_mask,
                    "Comma-separated fields to update (default: the top-level fields present in the file)");
    cmd->callback([&ctx, opts] { ctx.exit_code = Update(ctx, *opts); });
  }
  AddDeleteCommands(
      licenses, "license", kNameHelp,
      [&ctx](const NameOptions& opts, bool undelete) { return Delete(ctx, opts, undelete); }, ctx);
  {
    auto opts = std::make_shared<ListOptions>();
    CLI::App* cmd = licenses->add_subcommand("list", "List licenses, filtered and ordered");
    AddListFlags(cmd, opts.get(), "licenses", "'osi_approved = true' or 'usage_thresholds:*'", "'category,name'");
    cmd->callback([&ctx, opts] { ctx.exit_code = List(ctx, *opts); });
  }
}

}  // namespace modelreg::cli

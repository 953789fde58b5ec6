#include "client/cli/catalog_commands.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/cli/catalog_target.h"
#include "client/cli/record_io.h"
#include "google/protobuf/struct.pb.h"
#include "server/common/status_macros.h"
#include "server/domain/catalog/catalog.h"

namespace modelreg::cli {
namespace {

struct LoadFlags {
  std::vector<std::string> files;
  bool dry_run = false;
};

absl::StatusOr<Catalog> ReadCatalog(const LoadFlags& flags) {
  if (flags.files.empty()) return LoadEmbeddedCatalog();
  Catalog merged;
  for (const std::string& path : flags.files) {
    MODELREG_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    absl::StatusOr<Catalog> catalog = ParseCatalog(text);
    if (!catalog.ok()) {
      return absl::Status(catalog.status().code(), absl::StrCat(path, ": ", catalog.status().message()));
    }
    for (auto& license : catalog->licenses) merged.licenses.push_back(std::move(license));
    for (auto& model : catalog->models) merged.models.push_back(std::move(model));
  }
  return merged;
}

// The report as a message, for -o json / yaml.
google::protobuf::Struct ReportMessage(const CatalogSyncReport& report, const std::vector<std::string>& planned,
                                       bool dry_run) {
  google::protobuf::Struct out;
  auto& fields = *out.mutable_fields();
  fields["dry_run"].set_bool_value(dry_run);
  fields["created"].set_number_value(report.created);
  fields["updated"].set_number_value(report.updated);
  fields["unchanged"].set_number_value(report.unchanged);
  for (const std::string& name : report.skipped) {
    fields["kept_user_modified"].mutable_list_value()->add_values()->set_string_value(name);
  }
  for (const std::string& step : planned) {
    fields["planned"].mutable_list_value()->add_values()->set_string_value(step);
  }
  return out;
}

int Load(Context& ctx, const LoadFlags& flags) {
  absl::StatusOr<Catalog> catalog = ReadCatalog(flags);
  if (!catalog.ok()) return LocalError(catalog.status());

  std::unique_ptr<ClientCatalogTarget> target = flags.dry_run ? std::make_unique<DryRunCatalogTarget>(&ctx.client())
                                                              : std::make_unique<ClientCatalogTarget>(&ctx.client());
  absl::StatusOr<CatalogSyncReport> report = SyncCatalog(*catalog, target.get());
  if (!report.ok()) {
    if (!flags.dry_run) {
      std::cerr << "catalog load stopped; records written before the error stay, and a rerun continues\n";
    }
    return RpcError(ctx, report.status());
  }
  std::vector<std::string> planned;
  if (flags.dry_run) planned = static_cast<DryRunCatalogTarget*>(target.get())->planned();

  std::string table;
  for (const std::string& step : planned) absl::StrAppend(&table, step, "\n");
  for (const std::string& name : report->skipped) absl::StrAppend(&table, "kept (changed by a user): ", name, "\n");
  absl::StrAppend(&table, flags.dry_run ? "dry run, would have: " : "catalog: ", report->Summary(), "\n");
  return Print(ctx, ReportMessage(*report, planned, flags.dry_run), table);
}

}  // namespace

void AddCatalogCommands(CLI::App& app, Context& ctx) {
  CLI::App* catalog = app.add_subcommand("catalog", "The shipped catalog of licenses and models");
  catalog->require_subcommand(1);

  auto flags = std::make_shared<LoadFlags>();
  CLI::App* load = catalog->add_subcommand(
      "load",
      "Create the shipped licenses and models that are missing and update the ones the catalog wrote and nobody "
      "changed since; records a user changed are left alone. Safe to rerun.");
  load->add_option("-f,--file", flags->files,
                   "Catalog YAML file(s) to load instead of the copy built into modelreg (schema/catalog/*.yaml)");
  load->add_flag("--dry-run", flags->dry_run, "Read the registry and print what would be written; write nothing");
  load->callback([&ctx, flags] { ctx.exit_code = Load(ctx, *flags); });
}

}  // namespace modelreg::cli

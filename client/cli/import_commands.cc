#include "client/cli/import_commands.h"

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/importers/hf_card.h"
#include "client/cli/importers/mof.h"
#include "client/cli/record_io.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

enum class Format { kHfCard, kMof };

struct ImportFlags {
  std::string file;
  std::string name;
  bool dry_run = false;
};

// Every license the record references, with the first field that does.
std::map<std::string, std::string> LicenseReferences(const v1::Model& model) {
  std::map<std::string, std::string> refs;
  if (!model.weights().license().empty()) refs.emplace(model.weights().license(), "weights.license");
  for (int i = 0; i < model.components_size(); ++i) {
    const v1::Component& c = model.components(i);
    if (!c.license().empty())
      refs.emplace(c.license(), absl::StrCat("components[", i, "] (", ComponentLabel(c.kind()), ")"));
  }
  for (int i = 0; i < model.data_disclosure().datasets_size(); ++i) {
    const v1::Dataset& d = model.data_disclosure().datasets(i);
    if (!d.license().empty()) refs.emplace(d.license(), absl::StrCat("data_disclosure.datasets[", i, "]"));
  }
  return refs;
}

// OK when every referenced license is in the catalog; INVALID_ARGUMENT naming the unknown ones (as the server would
// reject them); the RPC error when the catalog cannot be asked.
absl::Status CheckLicenses(Client& client, const v1::Model& model) {
  std::vector<std::string> unknown;
  for (const auto& [license, field] : LicenseReferences(model)) {
    v1::GetLicenseRequest request;
    request.set_name(license);
    absl::StatusOr<v1::License> found = client.GetLicense(request);
    if (found.ok() && found->has_delete_time()) {
      unknown.push_back(absl::StrCat(license, " (soft-deleted; used by ", field, ")"));
    } else if (!found.ok() && found.status().code() == absl::StatusCode::kNotFound) {
      unknown.push_back(absl::StrCat(license, " (used by ", field, ")"));
    } else if (!found.ok()) {
      return found.status();
    }
  }
  if (unknown.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("the catalog has no license ", absl::StrJoin(unknown, ", "),
                   "; add it with `modelreg licenses create` (or `modelreg catalog load`), or fix the source file"));
}

int Run(Context& ctx, Format format, const ImportFlags& flags) {
  if (format == Format::kHfCard && flags.name.empty()) {
    return UsageError(
        absl::InvalidArgumentError("a model card does not say which repository it describes: give --name OWNER/REPO or "
                                   "--name publishers/PUBLISHER/models/MODEL"));
  }
  if (!flags.name.empty()) {
    if (absl::StatusOr<ModelName> name = ParseModelShorthand(flags.name); !name.ok()) return UsageError(name.status());
  }
  absl::StatusOr<std::string> text = ReadFile(flags.file);
  if (!text.ok()) return LocalError(text.status());

  ImportOptions options;
  options.name = flags.name;
  absl::StatusOr<ImportResult> imported =
      format == Format::kHfCard ? ImportHfCard(*text, options) : ImportMof(*text, options);
  if (!imported.ok()) {
    return LocalError(
        absl::Status(imported.status().code(), absl::StrCat(flags.file, ": ", imported.status().message())));
  }
  for (const std::string& warning : imported->warnings) Warn(warning);
  v1::Model& model = imported->model;

  absl::Status licenses = CheckLicenses(ctx.client(), model);
  if (flags.dry_run) {
    absl::StatusOr<v1::Openness> openness = absl::UnknownError("not classified");
    if (licenses.ok()) {
      v1::ClassifyModelRequest request;
      *request.mutable_model() = model;
      openness = ctx.client().ClassifyModel(request);
    } else {
      openness = licenses;
    }
    if (openness.ok()) *model.mutable_openness() = *openness;
    const int rc = Print(ctx, model, ModelDetail(model));
    if (rc != kExitOk) return rc;
    if (!openness.ok()) {
      if (openness.status().code() == absl::StatusCode::kUnavailable) {
        std::cerr << "the record above was read from " << flags.file
                  << "; its assessment needs the server, which did not answer\n";
      }
      return RpcError(ctx, openness.status());
    }
    std::cerr << "dry run: nothing was created\n";
    return kExitOk;
  }

  if (!licenses.ok()) return RpcError(ctx, licenses);
  absl::StatusOr<ModelName> name = ParseModelShorthand(model.name());
  if (!name.ok()) return UsageError(name.status());
  v1::CreateModelRequest request;
  request.set_parent(name->parent());
  request.set_model_id(name->model);
  *request.mutable_model() = model;
  absl::StatusOr<v1::Model> created = ctx.client().CreateModel(request);
  if (!created.ok()) return RpcError(ctx, created.status());
  return Print(ctx, *created, ModelDetail(*created));
}

void AddImport(CLI::App* parent, Context& ctx, Format format, const char* command, const char* help,
               const char* file_help) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* cmd = parent->add_subcommand(command, help);
  cmd->add_option("file", flags->file, file_help)->required();
  cmd->add_option("--name", flags->name,
                  format == Format::kHfCard
                      ? "OWNER/REPO (also recorded as the Hugging Face repo) or publishers/PUBLISHER/models/MODEL; "
                        "required"
                      : "publishers/PUBLISHER/models/MODEL or OWNER/REPO (default: the file's Hugging Face URL, "
                        "else producer/name)");
  cmd->add_flag("--dry-run", flags->dry_run, "Print the record and its assessment (ClassifyModel); create nothing");
  cmd->callback([&ctx, flags, format] { ctx.exit_code = Run(ctx, format, *flags); });
}

}  // namespace

void AddImportCommands(CLI::App& app, Context& ctx) {
  CLI::App* import = app.add_subcommand("import", "Create a model from a Hugging Face model card or a MOF file");
  import->require_subcommand(1);
  AddImport(import, ctx, Format::kHfCard, "hf-card", "Import the YAML front matter of a Hugging Face model card",
            "The card, e.g. README.md");
  AddImport(import, ctx, Format::kMof, "mof", "Import a Model Openness Framework model file (Model Openness Tool YAML)",
            "The MOF file, e.g. Pythia-6.9B.yml");
}

}  // namespace modelreg::cli

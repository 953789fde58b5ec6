#include "client/cli/import_commands.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/hf_hub_command.h"
#include "client/cli/import_files.h"
#include "client/cli/importers/hf_card.h"
#include "client/cli/importers/mof.h"
#include "client/cli/record_io.h"
#include "client/error_details.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

enum class Format { kHfCard, kMof };

struct ImportFlags {
  std::vector<std::string> paths;
  std::string name;
  bool dry_run = false;
  std::string on_conflict = "skip";
  bool show_warnings = false;
  std::string default_access = "open";  // hf-card only
};

// --default-access's values, by name.
const std::map<std::string, v1::Weights::Access>& Accesses() {
  static const auto* accesses =
      new std::map<std::string, v1::Weights::Access>{{"open", v1::Weights::ACCESS_OPEN_DOWNLOAD},
                                                     {"unknown", v1::Weights::ACCESS_UNSPECIFIED},
                                                     {"gated", v1::Weights::ACCESS_GATED_APPROVAL_UNKNOWN},
                                                     {"click-through", v1::Weights::ACCESS_GATED_CLICK_THROUGH},
                                                     {"manual-approval", v1::Weights::ACCESS_GATED_MANUAL_APPROVAL}};
  return *accesses;
}

enum class Outcome { kCreated, kUpdated, kUnchanged, kSkipped, kFailed };

const char* OutcomeLabel(Outcome outcome, bool dry_run) {
  switch (outcome) {
    case Outcome::kCreated:
      return dry_run ? "would-create" : "created";
    case Outcome::kUpdated:
      return dry_run ? "would-update" : "updated";
    case Outcome::kUnchanged:
      return "unchanged";
    case Outcome::kSkipped:
      return "skipped";
    case Outcome::kFailed:
      return "failed";
  }
  return "";
}

// What became of one file.
struct FileResult {
  std::string file;
  Outcome outcome = Outcome::kFailed;
  absl::Status status;  // why it failed; for kSkipped, why it was skipped (OK status with no message otherwise)
  std::string reason;
  v1::Model model;  // as read, or as stored after the write; openness set when assessed
  std::vector<std::string> warnings;
  bool rpc_failure = false;  // the failure is the server's answer (else: the file)
};

// A copy of `model` without references to licenses not in the registry yet (a dry run does not create them): for the
// assessment, such a license is as unknown as one with no terms.
v1::Model WithoutPendingLicenses(v1::Model model, const std::set<std::string>& pending) {
  auto clear = [&](std::string* license) {
    if (pending.count(*license) > 0) license->clear();
  };
  clear(model.mutable_weights()->mutable_license());
  for (v1::Component& component : *model.mutable_components()) clear(component.mutable_license());
  for (v1::Dataset& dataset : *model.mutable_data_disclosure()->mutable_datasets()) clear(dataset.mutable_license());
  return model;
}

class Importer {
 public:
  Importer(Context& ctx, Format format, const ImportFlags& flags, ImportLicenses* licenses)
      : ctx_(ctx), format_(format), flags_(flags), licenses_(licenses) {}

  FileResult Import(const std::string& file, const std::string& name);

 private:
  FileResult Fail(FileResult result, const absl::Status& status, bool rpc) {
    result.outcome = Outcome::kFailed;
    result.status = status;
    result.reason = std::string(status.message());
    result.rpc_failure = rpc;
    return result;
  }
  // Creates the licenses the record needs that this run has not created yet.
  absl::Status CreateLicenses(const ImportResult& imported);
  // The assessment of a record not written (dry run).
  absl::StatusOr<v1::Openness> Classify(const v1::Model& model);
  // The outcome when the model already exists: unchanged, skipped, or updated (--on-conflict update).
  FileResult Existing(FileResult result);

  Context& ctx_;
  Format format_;
  const ImportFlags& flags_;
  ImportLicenses* licenses_;
  std::set<std::string> created_licenses_;
};

absl::Status Importer::CreateLicenses(const ImportResult& imported) {
  return CreateNewLicenses(ctx_.client(), imported.new_licenses, &created_licenses_);
}

absl::StatusOr<v1::Openness> Importer::Classify(const v1::Model& model) {
  std::set<std::string> pending;
  for (const auto& [name, license] : licenses_->created()) {
    if (created_licenses_.count(name) == 0) pending.insert(name);
  }
  v1::ClassifyModelRequest request;
  *request.mutable_model() = WithoutPendingLicenses(model, pending);
  return ctx_.client().ClassifyModel(request);
}

FileResult Importer::Existing(FileResult result) {
  std::string refused_etag;  // of the copy whose update was last refused as stale
  for (int round = 0;; ++round) {
    absl::StatusOr<v1::Model> stored = ReadModel(ctx_.client(), result.model.name(), refused_etag);
    if (!stored.ok()) return Fail(std::move(result), stored.status(), true);
    switch (CompareExisting(*stored, result.model, flags_.on_conflict == "update")) {
      case ExistingModel::kSoftDeleted: {
        absl::Status deleted = SoftDeletedError(result.model.name());
        return Fail(std::move(result), deleted, false);
      }
      case ExistingModel::kUnchanged:
        result.outcome = Outcome::kUnchanged;
        result.model = *std::move(stored);
        return result;
      case ExistingModel::kSkipped:
        result.outcome = Outcome::kSkipped;
        result.reason = "exists with other facts (--on-conflict update replaces it)";
        result.model = *std::move(stored);
        return result;
      case ExistingModel::kReplace:
        break;
    }
    if (flags_.dry_run) {
      result.outcome = Outcome::kUpdated;
      absl::StatusOr<v1::Openness> openness = Classify(result.model);
      if (!openness.ok()) return Fail(std::move(result), openness.status(), true);
      *result.model.mutable_openness() = *openness;
      return result;
    }
    absl::StatusOr<v1::Model> updated = ctx_.client().UpdateModel(ReplaceRequest(result.model, stored->etag()));
    if (!updated.ok() && round < kStaleEtagRounds && IsStaleEtag(updated.status())) {
      refused_etag = stored->etag();
      continue;
    }
    if (!updated.ok()) return Fail(std::move(result), updated.status(), true);
    result.outcome = Outcome::kUpdated;
    result.model = *std::move(updated);
    return result;
  }
}

FileResult Importer::Import(const std::string& file, const std::string& name) {
  FileResult result;
  result.file = file;
  absl::StatusOr<std::string> text = ReadFile(file);
  if (!text.ok()) return Fail(std::move(result), text.status(), false);

  ImportOptions options;
  options.name = name;
  options.source = file;
  options.unstated_access = Accesses().at(flags_.default_access);  // the flag's check admits only these
  absl::StatusOr<ImportResult> imported =
      format_ == Format::kHfCard ? ImportHfCard(*text, options, licenses_) : ImportMof(*text, options, licenses_);
  if (!imported.ok()) {
    return Fail(std::move(result),
                absl::Status(imported.status().code(), absl::StrCat(file, ": ", imported.status().message())), false);
  }
  result.model = imported->model;
  result.warnings = imported->warnings;

  if (flags_.dry_run) {
    v1::GetModelRequest get;
    get.set_name(result.model.name());
    absl::StatusOr<v1::Model> stored = ctx_.client().GetModel(get);
    if (stored.ok()) return Existing(std::move(result));
    if (stored.status().code() != absl::StatusCode::kNotFound) return Fail(std::move(result), stored.status(), true);
    absl::StatusOr<v1::Openness> openness = Classify(result.model);
    if (!openness.ok()) return Fail(std::move(result), openness.status(), true);
    *result.model.mutable_openness() = *openness;
    result.outcome = Outcome::kCreated;
    return result;
  }

  if (absl::Status status = CreateLicenses(*imported); !status.ok()) return Fail(std::move(result), status, true);
  absl::StatusOr<v1::CreateModelRequest> request = CreateRequest(result.model);
  if (!request.ok()) return Fail(std::move(result), request.status(), false);
  absl::StatusOr<v1::Model> created = ctx_.client().CreateModel(*request);
  if (created.ok()) {
    result.outcome = Outcome::kCreated;
    result.model = *std::move(created);
    return result;
  }
  if (created.status().code() == absl::StatusCode::kAlreadyExists) return Existing(std::move(result));
  return Fail(std::move(result), created.status(), true);
}

// `publishers/x/models/y` as `x/y`.
std::string ShortName(const std::string& name) {
  absl::StatusOr<ModelName> parsed = ParseModelName(name);
  return parsed.ok() ? absl::StrCat(parsed->publisher, "/", parsed->model) : name;
}

// The name a file is imported under: --name, else (cards) the OWNER/REPO directories above a README.md.
std::string NameFor(Format format, const ImportFlags& flags, const std::string& file) {
  if (!flags.name.empty()) return flags.name;
  return format == Format::kHfCard ? CardNameFromPath(file) : "";
}

std::string NoCardName(const std::string& file) {
  return absl::StrCat(file,
                      ": a model card does not say which repository it describes: give --name OWNER/REPO or "
                      "--name publishers/PUBLISHER/models/MODEL (or import it as OWNER/REPO/README.md)");
}

}  // namespace

absl::Status CreateNewLicenses(Client& client, const std::vector<v1::License>& licenses,
                               std::set<std::string>* created) {
  for (const v1::License& license : licenses) {
    if (created->count(license.name()) > 0) continue;
    v1::CreateLicenseRequest request;
    request.set_license_id(LicenseIdOf(license.name()));
    *request.mutable_license() = license;
    absl::StatusOr<v1::License> result = client.CreateLicense(request);
    if (!result.ok() && result.status().code() != absl::StatusCode::kAlreadyExists) {
      return absl::Status(result.status().code(),
                          absl::StrCat("creating ", license.name(), ": ", result.status().message()));
    }
    created->insert(license.name());
  }
  return absl::OkStatus();
}

namespace {

// One file given: the record (and its assessment) in full, warnings on stderr, the exit code of what went wrong.
int RunOne(Context& ctx, Format format, const ImportFlags& flags, const std::string& file) {
  // Read before connecting: an unreadable file fails without a server.
  absl::StatusOr<std::string> text = ReadFile(file);
  if (!text.ok()) return LocalError(text.status());
  const std::string name = NameFor(format, flags, file);
  if (format == Format::kHfCard && name.empty()) return UsageError(absl::InvalidArgumentError(NoCardName(file)));

  absl::StatusOr<std::vector<v1::License>> registry = RegistryLicenses(ctx.client());
  if (!registry.ok()) return RpcError(ctx, registry.status());
  ImportLicenses licenses(*registry);
  Importer importer(ctx, format, flags, &licenses);
  FileResult result = importer.Import(file, name);
  for (const std::string& warning : result.warnings) Warn(warning);
  if (result.outcome == Outcome::kFailed) {
    if (!result.rpc_failure) return LocalError(result.status);
    if (result.model.has_openness() || !result.model.name().empty()) {
      if (result.status.code() == absl::StatusCode::kUnavailable) {
        std::cerr << "the record was read from " << file << "; its assessment needs the server, which did not answer\n";
      }
    }
    return RpcError(ctx, result.status);
  }
  const int rc = Print(ctx, result.model, ModelDetail(result.model));
  if (rc != kExitOk) return rc;
  if (result.outcome == Outcome::kSkipped || result.outcome == Outcome::kUnchanged) {
    std::cerr << result.model.name() << " " << OutcomeLabel(result.outcome, flags.dry_run)
              << (result.reason.empty() ? "" : absl::StrCat(": ", result.reason)) << "\n";
  }
  if (flags.dry_run) std::cerr << "dry run: nothing was written\n";
  return kExitOk;
}

// Files and directories: one line per file, then the summary; progress on a terminal.
int RunMany(Context& ctx, Format format, const ImportFlags& flags) {
  std::vector<std::string> problems;
  const std::vector<std::string> files = ExpandImportPaths(
      flags.paths, format == Format::kMof ? ImportFileKind::kMof : ImportFileKind::kHfCard, &problems);
  for (const std::string& problem : problems) Warn(problem);
  if (files.empty()) {
    return LocalError(absl::NotFoundError(
        absl::StrCat("no ", format == Format::kMof ? "MOF files (*.yml, *.yaml)" : "model cards (*.md)", " in ",
                     absl::StrJoin(flags.paths, ", "))));
  }
  if (!flags.name.empty() && files.size() > 1) {
    return UsageError(
        absl::InvalidArgumentError(absl::StrCat("--name names one model, but ", files.size(), " files are given")));
  }
  absl::StatusOr<std::vector<v1::License>> registry = RegistryLicenses(ctx.client());
  if (!registry.ok()) return RpcError(ctx, registry.status());
  ImportLicenses licenses(*registry);
  Importer importer(ctx, format, flags, &licenses);

  ImportProgress progress(stderr, files.size());
  std::vector<FileResult> results;
  for (const std::string& file : files) {
    const std::string name = NameFor(format, flags, file);
    if (format == Format::kHfCard && name.empty()) {
      FileResult failed;
      failed.file = file;
      failed.reason = NoCardName(file);
      results.push_back(std::move(failed));
    } else {
      results.push_back(importer.Import(file, name));
    }
    progress.Tick();
  }
  progress.Finish();

  std::map<Outcome, int> counts;
  std::vector<std::vector<std::string>> rows;
  v1::ListModelsResponse records;
  for (const FileResult& r : results) {
    ++counts[r.outcome];
    rows.push_back({r.file, OutcomeLabel(r.outcome, flags.dry_run),
                    r.outcome == Outcome::kFailed ? "-" : ShortName(r.model.name()),
                    r.model.has_openness() ? LevelLabel(r.model.openness()) : "-",
                    r.model.has_openness() ? MofClassLabel(r.model.openness().mof_class()) : "-",
                    absl::StrCat(r.warnings.size())});
    if (r.outcome != Outcome::kFailed) *records.add_models() = r.model;
    if (flags.show_warnings) {
      for (const std::string& warning : r.warnings) std::cerr << r.file << ": warning: " << warning << "\n";
    }
  }

  std::string summary =
      absl::StrCat(flags.dry_run ? "dry run, nothing written: " : "", results.size(),
                   " files: ", OutcomeLabel(Outcome::kCreated, flags.dry_run), " ", counts[Outcome::kCreated], ", ",
                   OutcomeLabel(Outcome::kUpdated, flags.dry_run), " ", counts[Outcome::kUpdated], ", unchanged ",
                   counts[Outcome::kUnchanged], ", skipped ", counts[Outcome::kSkipped], ", failed ",
                   counts[Outcome::kFailed], "\n");
  if (!licenses.created().empty()) {
    absl::StrAppend(&summary, flags.dry_run ? "unverified licenses to create" : "unverified licenses created", " (",
                    licenses.created().size(),
                    ", terms unknown; record their terms with `modelreg licenses update`):\n");
    for (const auto& [name, license] : licenses.created()) {
      absl::StrAppend(&summary, "  ", name, "  \"", license.display_name(), "\"\n");
    }
  }
  if (counts[Outcome::kSkipped] > 0) {
    absl::StrAppend(&summary, "skipped (exist with other facts; --on-conflict update replaces them):\n");
    for (const FileResult& r : results) {
      if (r.outcome == Outcome::kSkipped) absl::StrAppend(&summary, "  ", r.file, ": ", r.model.name(), "\n");
    }
  }
  if (counts[Outcome::kFailed] > 0) {
    absl::StrAppend(&summary, "failed:\n");
    for (const FileResult& r : results) {
      if (r.outcome == Outcome::kFailed) absl::StrAppend(&summary, "  ", r.file, ": ", r.reason, "\n");
    }
  }

  if (ctx.format() == OutputFormat::kTable) {
    std::cout << RenderTable({"FILE", "RESULT", "NAME", "LEVEL", "MOF", "WARNINGS"}, rows) << "\n" << summary;
  } else {
    const int rc = Print(ctx, records, "");
    if (rc != kExitOk) return rc;
    std::cerr << summary;
  }
  return counts[Outcome::kFailed] > 0 ? kExitLocalFailure : kExitOk;
}

int Run(Context& ctx, Format format, const ImportFlags& flags) {
  if (!flags.name.empty()) {
    if (absl::StatusOr<ModelName> name = ParseModelShorthand(flags.name); !name.ok()) return UsageError(name.status());
  }
  std::error_code error;
  if (flags.paths.size() == 1 && !std::filesystem::is_directory(flags.paths.front(), error)) {
    return RunOne(ctx, format, flags, flags.paths.front());
  }
  return RunMany(ctx, format, flags);
}

void AddImport(CLI::App* parent, Context& ctx, Format format, const char* command, const char* help,
               const char* paths_help) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* cmd = parent->add_subcommand(command, help);
  cmd->add_option("paths", flags->paths, paths_help)->required();
  cmd->add_option("--name", flags->name,
                  format == Format::kHfCard
                      ? "OWNER/REPO (also recorded as the Hugging Face repo) or publishers/PUBLISHER/models/MODEL; "
                        "one file only (default: OWNER/REPO of a path ending in OWNER/REPO/README.md)"
                      : "publishers/PUBLISHER/models/MODEL or OWNER/REPO; one file only (default: the file's Hugging "
                        "Face repository, else producer/name)");
  cmd->add_flag("--dry-run", flags->dry_run,
                "Read and assess every file (ClassifyModel) and say what an import would do; write nothing");
  cmd->add_option("--on-conflict", flags->on_conflict,
                  "A model that exists with other facts: skip (default) leaves it, update replaces its facts")
      ->check(CLI::IsMember({"skip", "update"}));
  cmd->add_flag("--show-warnings", flags->show_warnings, "With several files, print each file's warnings on stderr");
  if (format == Format::kHfCard) {
    cmd->add_option("--default-access", flags->default_access,
                    "weights.access of a card that states no gate (no `gated`, no `extra_gated_*` fields): open "
                    "(default: a public repository without a gate), unknown, gated (approval kind unknown), "
                    "click-through, manual-approval")
        ->check(CLI::IsMember(Accesses()));
  }
  cmd->callback([&ctx, flags, format] { ctx.exit_code = Run(ctx, format, *flags); });
}

}  // namespace

ExistingModel CompareExisting(const v1::Model& stored, const v1::Model& imported, bool replace) {
  if (stored.has_delete_time()) return ExistingModel::kSoftDeleted;
  // Compared in place (no copy with those fields cleared): an import again compares every model of the listing.
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_message_field_comparison(google::protobuf::util::MessageDifferencer::EQUIVALENT);
  for (const char* output_only : {"create_time", "update_time", "delete_time", "etag", "revision", "openness"}) {
    differencer.IgnoreField(v1::Model::descriptor()->FindFieldByName(output_only));
  }
  if (differencer.Compare(stored, imported)) return ExistingModel::kUnchanged;
  return replace ? ExistingModel::kReplace : ExistingModel::kSkipped;
}

absl::Status SoftDeletedError(const std::string& name) {
  return absl::FailedPreconditionError(absl::StrCat(name, " exists as a soft-deleted model; undelete or rename it"));
}

absl::StatusOr<v1::CreateModelRequest> CreateRequest(const v1::Model& model) {
  MODELREG_ASSIGN_OR_RETURN(ModelName name, ParseModelName(model.name()));
  v1::CreateModelRequest request;
  request.set_parent(name.parent());
  request.set_model_id(name.model);
  *request.mutable_model() = model;
  return request;
}

v1::UpdateModelRequest ReplaceRequest(const v1::Model& imported, const std::string& etag) {
  v1::UpdateModelRequest update;
  v1::Model& model = *update.mutable_model();
  model = imported;
  model.clear_create_time();
  model.clear_update_time();
  model.clear_delete_time();
  model.clear_revision();
  model.clear_openness();
  model.set_etag(etag);
  update.mutable_update_mask()->add_paths("*");
  return update;
}

bool IsStaleEtag(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted && GetErrorDetails(status).reason == "STALE_ETAG";
}

absl::StatusOr<v1::Model> ReadModel(Client& client, const std::string& name, const std::string& refused_etag) {
  constexpr int kReads = 5;
  v1::GetModelRequest get;
  get.set_name(name);
  absl::StatusOr<v1::Model> stored = client.GetModel(get);
  for (int read = 1; read < kReads && !refused_etag.empty() && stored.ok() && stored->etag() == refused_etag; ++read) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10 << read));
    stored = client.GetModel(get);
  }
  return stored;
}

// Every license the registry holds, soft-deleted ones included (an alias of a deleted license must not become a new
// license).
absl::StatusOr<std::vector<v1::License>> RegistryLicenses(Client& client) {
  std::vector<v1::License> licenses;
  v1::ListLicensesRequest request;
  request.set_show_deleted(true);
  request.set_page_size(1000);
  absl::Status status = client.ForEachLicense(request, [&](const v1::License& license) {
    licenses.push_back(license);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return licenses;
}

void AddImportCommands(CLI::App& app, Context& ctx) {
  CLI::App* import =
      app.add_subcommand("import", "Create models from Hugging Face model cards, Hub listings or MOF files");
  import->require_subcommand(1);
  AddImport(import, ctx, Format::kHfCard, "hf-card", "Import the YAML front matter of Hugging Face model cards",
            "Cards (README.md) and directories of cards (*.md, recursively)");
  AddImport(import, ctx, Format::kMof, "mof", "Import Model Openness Framework model files (Model Openness Tool YAML)",
            "MOF files (e.g. Pythia-6.9B.yml) and directories of them (*.yml, *.yaml, recursively)");
  AddHfHubImport(import, ctx);
}

}  // namespace modelreg::cli

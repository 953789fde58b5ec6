#include "client/cli/model_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/cli/command_options.h"
#include "client/cli/record_io.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

// Reads the record from -f and settles its name: the positional name, else the record's. Returns an exit code
// (kExitOk when `model` and `name` are filled in) and the raw text in `text`.
int LoadRecord(const RecordOptions& opts, v1::Model* model, ModelName* name, std::string* text) {
  absl::StatusOr<std::string> read = ReadFile(opts.file);
  if (!read.ok()) return LocalError(read.status());
  *text = *read;
  if (absl::Status s = ParseRecord(opts.file, *text, model); !s.ok()) return LocalError(s);
  if (opts.name.empty() && model->name().empty()) {
    return UsageError(
        absl::InvalidArgumentError(absl::StrCat("no model name: give NAME or set `name` in ", opts.file)));
  }
  absl::StatusOr<ModelName> parsed = ParseModelShorthand(opts.name.empty() ? model->name() : opts.name);
  if (!parsed.ok()) return UsageError(parsed.status());
  if (!opts.name.empty() && !model->name().empty()) {
    absl::StatusOr<ModelName> in_file = ParseModelShorthand(model->name());
    if (!in_file.ok() || in_file->name() != parsed->name()) {
      return UsageError(absl::InvalidArgumentError(
          absl::StrCat("NAME ", parsed->name(), " differs from the name in ", opts.file, ": ", model->name())));
    }
  }
  *name = *parsed;
  model->set_name(parsed->name());
  return kExitOk;
}

int PrintModel(const Context& ctx, const v1::Model& model) { return Print(ctx, model, ModelDetail(model)); }

int Create(Context& ctx, const RecordOptions& opts) {
  v1::CreateModelRequest request;
  ModelName name;
  std::string text;
  if (int rc = LoadRecord(opts, request.mutable_model(), &name, &text); rc != kExitOk) return rc;
  request.set_parent(name.parent());
  request.set_model_id(name.model);
  absl::StatusOr<v1::Model> model = ctx.client().CreateModel(request);
  if (!model.ok()) return RpcError(ctx, model.status());
  return PrintModel(ctx, *model);
}

// One name: the model in detail (as it was at `at`, RFC 3339, when given). Several: one BatchGetModels call, a table
// in the order given (or the response).
int Get(Context& ctx, const std::vector<std::string>& names, const std::string& at) {
  v1::BatchGetModelsRequest batch;
  for (const std::string& text : names) {
    absl::StatusOr<ModelName> name = ParseModelShorthand(text);
    if (!name.ok()) return UsageError(name.status());
    batch.add_names(name->name());
  }
  if (!at.empty() && names.size() != 1) {
    return UsageError(absl::InvalidArgumentError("--at reads one model; give one name"));
  }
  if (names.size() == 1) {
    v1::GetModelRequest request;
    request.set_name(batch.names(0));
    if (absl::Status parsed = SetReadTime(at, request); !parsed.ok()) return UsageError(parsed);
    absl::StatusOr<v1::Model> model = ctx.client().GetModel(request);
    if (!model.ok()) return RpcError(ctx, model.status());
    return PrintModel(ctx, *model);
  }
  absl::StatusOr<v1::BatchGetModelsResponse> response = ctx.client().BatchGetModels(batch);
  if (!response.ok()) return RpcError(ctx, response.status());
  return Print(ctx, *response,
               ModelsTable(std::vector<v1::Model>(response->models().begin(), response->models().end())));
}

int Update(Context& ctx, const RecordOptions& opts) {
  v1::UpdateModelRequest request;
  ModelName name;
  std::string text;
  if (int rc = LoadRecord(opts, request.mutable_model(), &name, &text); rc != kExitOk) return rc;
  absl::StatusOr<std::vector<std::string>> paths =
      opts.update_mask.empty() ? TopLevelFields(text, *v1::Model::descriptor()) : ParseUpdateMask(opts.update_mask);
  if (!paths.ok()) return UsageError(paths.status());
  if (paths->empty()) {
    return UsageError(absl::InvalidArgumentError(
        absl::StrCat(opts.file, " sets no updatable field; give --update-mask to clear fields")));
  }
  for (const std::string& path : *paths) request.mutable_update_mask()->add_paths(path);
  absl::StatusOr<v1::Model> model = ctx.client().UpdateModel(request);
  if (!model.ok()) return RpcError(ctx, model.status());
  return PrintModel(ctx, *model);
}

int Delete(Context& ctx, const NameOptions& opts, bool undelete) {
  absl::StatusOr<ModelName> name = ParseModelShorthand(opts.name);
  if (!name.ok()) return UsageError(name.status());
  absl::StatusOr<v1::Model> model;
  if (undelete) {
    v1::UndeleteModelRequest request;
    request.set_name(name->name());
    request.set_etag(opts.etag);
    model = ctx.client().UndeleteModel(request);
  } else {
    v1::DeleteModelRequest request;
    request.set_name(name->name());
    request.set_etag(opts.etag);
    model = ctx.client().DeleteModel(request);
  }
  if (!model.ok()) return RpcError(ctx, model.status());
  return PrintModel(ctx, *model);
}

int List(Context& ctx, const ListOptions& opts) {
  absl::StatusOr<std::string> publisher = ParsePublisherShorthand(opts.parent);
  if (!publisher.ok()) return UsageError(publisher.status());
  if (opts.page_size < 0) return UsageError(absl::InvalidArgumentError("--page-size must not be negative"));
  v1::ListModelsRequest request;
  request.set_parent(PublisherName(*publisher));
  request.set_filter(opts.filter);
  request.set_order_by(opts.order_by);
  request.set_show_deleted(opts.show_deleted);
  request.set_page_size(opts.page_size);
  request.set_page_token(opts.page_token);
  if (absl::Status parsed = SetReadTime(opts.at, request); !parsed.ok()) return UsageError(parsed);

  v1::ListModelsResponse response;
  if (opts.all) {
    absl::Status status = ctx.client().ForEachModel(request, [&response](const v1::Model& model) {
      *response.add_models() = model;
      return absl::OkStatus();
    });
    if (!status.ok()) return RpcError(ctx, status);
  } else {
    absl::StatusOr<v1::ListModelsResponse> page = ctx.client().ListModels(request);
    if (!page.ok()) return RpcError(ctx, page.status());
    response = *std::move(page);
  }
  const int rc =
      Print(ctx, response, ModelsTable(std::vector<v1::Model>(response.models().begin(), response.models().end())));
  ReportPageHints(ctx, response.models_size(), response.next_page_token(), "models");
  return rc;
}

int Classify(Context& ctx, const RecordOptions& opts) {
  v1::ClassifyModelRequest request;
  if (!opts.file.empty()) {
    absl::StatusOr<std::string> text = ReadFile(opts.file);
    if (!text.ok()) return LocalError(text.status());
    if (absl::Status s = ParseRecord(opts.file, *text, request.mutable_model()); !s.ok()) return LocalError(s);
    if (!opts.name.empty()) return UsageError(absl::InvalidArgumentError("give NAME or -f FILE, not both"));
  } else if (!opts.name.empty()) {
    absl::StatusOr<ModelName> name = ParseModelShorthand(opts.name);
    if (!name.ok()) return UsageError(name.status());
    v1::GetModelRequest get;
    get.set_name(name->name());
    absl::StatusOr<v1::Model> model = ctx.client().GetModel(get);
    if (!model.ok()) return RpcError(ctx, model.status());
    *request.mutable_model() = *std::move(model);
  } else {
    return UsageError(absl::InvalidArgumentError("give NAME (a stored model) or -f FILE (a record to assess)"));
  }
  absl::StatusOr<v1::Openness> openness = ctx.client().ClassifyModel(request);
  if (!openness.ok()) return RpcError(ctx, openness.status());
  return Print(ctx, *openness, OpennessDetail(*openness));
}

constexpr char kNameHelp[] = "publishers/PUBLISHER/models/MODEL, or Hugging Face style OWNER/REPO (lowercased)";

}  // namespace

void AddModelCommands(CLI::App& app, Context& ctx) {
  CLI::App* models = app.add_subcommand("models", "Create, read, update, delete, list and classify models");
  models->require_subcommand(1);

  {
    auto opts = std::make_shared<RecordOptions>();
    CLI::App* cmd = models->add_subcommand("create", "Create a model from a YAML or JSON record");
    cmd->add_option("name,--name", opts->name, std::string(kNameHelp) + "; default: the record's `name`");
    cmd->add_option("-f,--file", opts->file, "The record (YAML or JSON, proto3 JSON mapping); - for stdin")->required();
    cmd->callback([&ctx, opts] { ctx.exit_code = Create(ctx, *opts); });
  }
  {
    auto names = std::make_shared<std::vector<std::string>>();
    auto at = std::make_shared<std::string>();
    CLI::App* cmd = models->add_subcommand(
        "get", "Show a model, its openness level and the reasons for it; several names: one row each, one call");
    cmd->add_option("names", *names, std::string(kNameHelp) + "; up to 1000")->required();
    cmd->add_option("--at", *at, AtHelp("the model"));
    cmd->callback([&ctx, names, at] { ctx.exit_code = Get(ctx, *names, *at); });
  }
  {
    auto opts = std::make_shared<RecordOptions>();
    CLI::App* cmd = models->add_subcommand("update", "Update fields of a model from a YAML or JSON record");
    cmd->add_option("name,--name", opts->name, std::string(kNameHelp) + "; default: the record's `name`");
    cmd->add_option("-f,--file", opts->file, "The record with the new values; its etag, if any, is checked")
        ->required();
    cmd->add_option("--update-mask", opts->update_mask,
                    "Comma-separated fields to update, e.g. weights.license,labels (default: the top-level fields "
                    "present in the file)");
    cmd->callback([&ctx, opts] { ctx.exit_code = Update(ctx, *opts); });
  }
  AddDeleteCommands(
      models, "model", kNameHelp,
      [&ctx](const NameOptions& opts, bool undelete) { return Delete(ctx, opts, undelete); }, ctx);
  {
    auto opts = std::make_shared<ListOptions>();
    CLI::App* cmd = models->add_subcommand("list", "List models, filtered and ordered");
    cmd->add_option("--parent", opts->parent, "publishers/PUBLISHER, PUBLISHER, or publishers/- for all")
        ->capture_default_str();
    AddListFlags(cmd, opts.get(), "models", "'openness.level >= 4'", "'release_date desc,name'");
    cmd->add_option("--at", opts->at, AtHelp("the list"));
    cmd->callback([&ctx, opts] { ctx.exit_code = List(ctx, *opts); });
  }
  {
    auto opts = std::make_shared<RecordOptions>();
    CLI::App* cmd = models->add_subcommand("classify", "Assess a record's openness without storing it");
    cmd->add_option("name,--name", opts->name, std::string("A stored model to reassess: ") + kNameHelp);
    cmd->add_option("-f,--file", opts->file, "A model record (YAML or JSON) to assess");
    cmd->callback([&ctx, opts] { ctx.exit_code = Classify(ctx, *opts); });
  }
}

}  // namespace modelreg::cli

#include "client/cli/hf_hub_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/cli/hf_hub_listing.h"
#include "client/cli/import_commands.h"
#include "client/cli/import_files.h"
#include "client/cli/importers/hf_hub.h"
#include "client/error_details.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/common/status_macros.h"
#include "server/domain/names.h"
#include "server/domain/request_id.h"
#include "server/domain/validation.h"

namespace modelreg::cli {
namespace {

namespace fs = std::filesystem;

struct HubFlags {
  std::string path;
  std::string on_conflict = "skip";
  int batch_size = 1000;
  std::string state;
  bool resume = false;
  bool show_warnings = false;
};

// The created models of a batch must fit one response (3 MiB, proto/README.md "Limits"): the batch is cut before
// its records, counted with room for their assessment, pass this.
constexpr size_t kBatchBudgetBytes = size_t{2} << 20;
constexpr size_t kAssessmentAllowance = 2048;
// Failures listed again in the summary (each is also reported as it happens).
constexpr size_t kSummaryFailures = 50;

struct Counts {
  int64_t read = 0, created = 0, updated = 0, unchanged = 0, skipped = 0, failed = 0, warnings = 0;
};

// The state file: where the last batch written ends, and the counts so far.
struct State {
  std::string input;
  ListingPosition position;
  std::string run_id;
  Counts counts;
};

std::string FormatName(ListingFormat format) {
  switch (format) {
    case ListingFormat::kJsonArray:
      return "array";
    case ListingFormat::kJsonLines:
      return "lines";
    case ListingFormat::kUnknown:
      break;
  }
  return "unknown";
}

absl::Status SaveState(const std::string& path, const State& state) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    const Counts& c = state.counts;
    out << "# modelreg import hf-hub: the listing's position after the last batch written; `--resume` continues "
           "from it, deleting this file starts over\n"
        << "input " << state.input << "\n"
        << "format " << FormatName(state.position.format) << "\n"
        << "offset " << state.position.offset << "\n"
        << "lines " << state.position.lines << "\n"
        << "entries " << state.position.entries << "\n"
        << "run_id " << state.run_id << "\n"
        << "counts " << c.read << " " << c.created << " " << c.updated << " " << c.unchanged << " " << c.skipped << " "
        << c.failed << " " << c.warnings << "\n";
    out.flush();
    if (!out) return absl::InternalError(absl::StrCat("cannot write the state file ", tmp));
  }
  // Durable before it replaces the previous state.
  const int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  std::error_code error;
  fs::rename(tmp, path, error);
  if (error) return absl::InternalError(absl::StrCat("cannot write the state file ", path, ": ", error.message()));
  return absl::OkStatus();
}

absl::StatusOr<State> LoadState(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("no state file ", path, " (nothing to resume)"));
  State state;
  std::string line;
  bool complete = false;
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat(path, ": not a state file of import hf-hub")); };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos) return bad();
    const std::string key = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    if (key == "input") {
      state.input = value;
    } else if (key == "format") {
      state.position.format = value == "array"   ? ListingFormat::kJsonArray
                              : value == "lines" ? ListingFormat::kJsonLines
                                                 : ListingFormat::kUnknown;
    } else if (key == "offset") {
      if (!absl::SimpleAtoi(value, &state.position.offset)) return bad();
    } else if (key == "lines") {
      if (!absl::SimpleAtoi(value, &state.position.lines)) return bad();
    } else if (key == "entries") {
      if (!absl::SimpleAtoi(value, &state.position.entries)) return bad();
    } else if (key == "run_id") {
      state.run_id = value;
    } else if (key == "counts") {
      std::vector<std::string> n = absl::StrSplit(value, ' ');
      Counts& c = state.counts;
      int64_t* fields[] = {&c.read, &c.created, &c.updated, &c.unchanged, &c.skipped, &c.failed, &c.warnings};
      if (n.size() != 7) return bad();
      for (size_t i = 0; i < n.size(); ++i) {
        if (!absl::SimpleAtoi(n[i], fields[i])) return bad();
      }
      complete = true;
    }
  }
  if (!complete || !IsValidRequestId(state.run_id)) return bad();
  return state;
}

// The request id of the batch starting at `offset`: the run's id with the offset in its last 16 hex digits. The
// same batch sent again after an interruption (a resume) carries the same id, so the server answers a batch it had
// already written with that batch's response (AIP-155) instead of ALREADY_EXISTS.
std::string BatchRequestId(const std::string& run_id, uint64_t offset) {
  const std::string hex = absl::StrFormat("%016x", offset);
  return absl::StrCat(run_id.substr(0, 19), hex.substr(0, 4), "-", hex.substr(4));
}

// Errors after which no later write can succeed either: the run stops (its state saved) instead of failing every
// remaining model.
bool Stops(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnimplemented:
      return true;
    default:
      return false;
  }
}

// The item a batch error names (`requests[3].model.weights.license` -> 3), or -1.
int ItemOf(const absl::Status& status) {
  for (const FieldViolation& violation : GetErrorDetails(status).field_violations) {
    absl::string_view field = violation.field;
    if (!absl::ConsumePrefix(&field, "requests[")) continue;
    const size_t end = field.find(']');
    int index = -1;
    if (end != absl::string_view::npos && absl::SimpleAtoi(field.substr(0, end), &index)) return index;
  }
  return -1;
}

struct Item {
  int64_t line = 0;
  v1::Model model;
  std::vector<v1::License> new_licenses;
};

class HubImport {
 public:
  HubImport(Context& ctx, const HubFlags& flags, std::string source, State state, ImportLicenses licenses)
      : ctx_(ctx), flags_(flags), source_(std::move(source)), state_(std::move(state)), licenses_(std::move(licenses)) {
    last_end_ = state_.position;
  }

  // Reads every entry of `reader`; a non-OK status stops the run (the state file holds the last batch written).
  absl::Status Run(ListingReader& reader, StreamProgress& progress);
  void PrintSummary(std::ostream& out) const;
  const Counts& counts() const { return state_.counts; }

 private:
  absl::Status Process(const ListingEntry& entry);
  void Fail(int64_t line, absl::string_view reason);
  absl::Status Flush();
  absl::Status CreateLicenses();
  // Sends the batch; items the server names as bad are reported and left out. Returns the error that is not about
  // one item (OK when the batch was written).
  absl::Status SendBatch();
  // Writes the batch model by model (after a batch error that names no item, e.g. a model that exists).
  absl::Status WriteEach();
  absl::Status Existing(const Item& item);

  Context& ctx_;
  const HubFlags& flags_;
  std::string source_;
  State state_;
  ImportLicenses licenses_;
  std::set<std::string> created_licenses_;
  std::vector<Item> batch_;
  std::set<std::string> batch_names_;
  size_t batch_bytes_ = 0;
  ListingPosition batch_start_;  // where the batch's first entry starts
  ListingPosition last_end_;     // after the last entry processed
  std::vector<std::string> failures_;
  std::vector<std::string> skipped_;
  // Clears the progress line before a message, on a terminal.
  const char* clear_line_ = isatty(STDERR_FILENO) == 1 ? "\r\033[K" : "";
};

void HubImport::Fail(int64_t line, absl::string_view reason) {
  ++state_.counts.failed;
  const std::string text = absl::StrCat("line ", line, ": ", reason);
  std::cerr << clear_line_ << source_ << ":" << line << ": error: " << reason << "\n";
  if (failures_.size() < kSummaryFailures) failures_.push_back(text);
}

absl::Status HubImport::Process(const ListingEntry& entry) {
  ++state_.counts.read;
  if (!entry.error.empty()) {
    Fail(entry.line, entry.error);
    last_end_ = entry.end;
    return absl::OkStatus();
  }
  ImportOptions options;
  options.source = absl::StrCat(source_, " line ", entry.line);
  absl::StatusOr<ImportResult> imported = ImportHfHubModel(entry.json, options, &licenses_);
  absl::Status valid = imported.ok() ? ValidateModel(imported->model, "model") : imported.status();
  if (!valid.ok()) {
    Fail(entry.line, valid.message());
    last_end_ = entry.end;
    return absl::OkStatus();
  }
  state_.counts.warnings += static_cast<int64_t>(imported->warnings.size());
  if (flags_.show_warnings) {
    for (const std::string& warning : imported->warnings) {
      std::cerr << clear_line_ << source_ << ":" << entry.line << ": warning: " << warning << "\n";
    }
  }
  const size_t bytes = imported->model.ByteSizeLong() + kAssessmentAllowance;
  // A name twice in one batch would fail it: the second goes to the next batch (and meets the first as existing).
  if (!batch_.empty() && (batch_names_.count(imported->model.name()) > 0 || batch_bytes_ + bytes > kBatchBudgetBytes)) {
    if (absl::Status status = Flush(); !status.ok()) return status;
  }
  if (batch_.empty()) batch_start_ = last_end_;
  batch_names_.insert(imported->model.name());
  batch_bytes_ += bytes;
  batch_.push_back(Item{entry.line, std::move(imported->model), std::move(imported->new_licenses)});
  last_end_ = entry.end;
  if (batch_.size() >= static_cast<size_t>(flags_.batch_size)) return Flush();
  return absl::OkStatus();
}

absl::Status HubImport::Run(ListingReader& reader, StreamProgress& progress) {
  ListingEntry entry;
  while (reader.Next(&entry)) {
    if (absl::Status status = Process(entry); !status.ok()) return status;
    progress.Update(state_.counts.read, state_.counts.failed, entry.end.offset);
  }
  return Flush();
}

absl::Status HubImport::CreateLicenses() {
  for (const Item& item : batch_) {
    MODELREG_RETURN_IF_ERROR(CreateNewLicenses(ctx_.client(), item.new_licenses, &created_licenses_));
  }
  return absl::OkStatus();
}

absl::Status HubImport::SendBatch() {
  for (bool first = true; !batch_.empty(); first = false) {
    v1::BatchCreateModelsRequest request;
    request.set_parent("publishers/-");
    // A resent batch (after an item was left out) is another request: a fresh id.
    request.set_request_id(first ? BatchRequestId(state_.run_id, batch_start_.offset) : GenerateRequestId());
    for (const Item& item : batch_) {
      absl::StatusOr<ModelName> name = ParseModelName(item.model.name());
      v1::CreateModelRequest* create = request.add_requests();
      create->set_parent(name->parent());
      create->set_model_id(name->model);
      *create->mutable_model() = item.model;
    }
    absl::StatusOr<v1::BatchCreateModelsResponse> response = ctx_.client().BatchCreateModels(request);
    if (response.ok()) {
      state_.counts.created += response->models_size();
      batch_.clear();
      return absl::OkStatus();
    }
    const int index = response.status().code() == absl::StatusCode::kInvalidArgument ? ItemOf(response.status()) : -1;
    if (index < 0 || index >= static_cast<int>(batch_.size())) return response.status();
    Fail(batch_[static_cast<size_t>(index)].line, response.status().message());
    batch_.erase(batch_.begin() + index);
  }
  return absl::OkStatus();
}

absl::Status HubImport::Existing(const Item& item) {
  v1::GetModelRequest get;
  get.set_name(item.model.name());
  absl::StatusOr<v1::Model> stored = ctx_.client().GetModel(get);
  if (!stored.ok()) {
    if (Stops(stored.status())) return stored.status();
    Fail(item.line, stored.status().message());
    return absl::OkStatus();
  }
  if (stored->has_delete_time()) {
    Fail(item.line, absl::StrCat(item.model.name(), " exists as a soft-deleted model; undelete or rename it"));
    return absl::OkStatus();
  }
  if (google::protobuf::util::MessageDifferencer::Equivalent(UserFields(*stored), UserFields(item.model))) {
    ++state_.counts.unchanged;
    return absl::OkStatus();
  }
  if (flags_.on_conflict != "update") {
    ++state_.counts.skipped;
    if (skipped_.size() < kSummaryFailures)
      skipped_.push_back(absl::StrCat("line ", item.line, ": ", item.model.name()));
    return absl::OkStatus();
  }
  v1::UpdateModelRequest update;
  *update.mutable_model() = UserFields(item.model);
  update.mutable_model()->set_etag(stored->etag());
  update.mutable_update_mask()->add_paths("*");
  absl::StatusOr<v1::Model> updated = ctx_.client().UpdateModel(update);
  if (!updated.ok()) {
    if (Stops(updated.status())) return updated.status();
    Fail(item.line, updated.status().message());
    return absl::OkStatus();
  }
  ++state_.counts.updated;
  return absl::OkStatus();
}

absl::Status HubImport::WriteEach() {
  for (const Item& item : batch_) {
    absl::StatusOr<ModelName> name = ParseModelName(item.model.name());
    v1::CreateModelRequest request;
    request.set_parent(name->parent());
    request.set_model_id(name->model);
    *request.mutable_model() = item.model;
    absl::StatusOr<v1::Model> created = ctx_.client().CreateModel(request);
    if (created.ok()) {
      ++state_.counts.created;
    } else if (created.status().code() == absl::StatusCode::kAlreadyExists) {
      if (absl::Status status = Existing(item); !status.ok()) return status;
    } else if (Stops(created.status())) {
      return created.status();
    } else {
      Fail(item.line, created.status().message());
    }
  }
  batch_.clear();
  return absl::OkStatus();
}

absl::Status HubImport::Flush() {
  if (!batch_.empty()) {
    if (absl::Status status = CreateLicenses(); !status.ok()) return status;
    absl::Status status = SendBatch();
    if (!status.ok()) {
      if (Stops(status)) return status;
      // ALREADY_EXISTS (a model exists), a reused request id, a denied publisher: model by model.
      status = WriteEach();
      if (!status.ok()) return status;
    }
  }
  batch_.clear();
  batch_names_.clear();
  batch_bytes_ = 0;
  state_.position = last_end_;
  if (flags_.state.empty()) return absl::OkStatus();
  return SaveState(flags_.state, state_);
}

void HubImport::PrintSummary(std::ostream& out) const {
  const Counts& c = state_.counts;
  out << source_ << ": read " << c.read << " models: created " << c.created << ", updated " << c.updated
      << ", unchanged " << c.unchanged << ", skipped " << c.skipped << ", failed " << c.failed << "; " << c.warnings
      << " warnings" << (flags_.show_warnings || c.warnings == 0 ? "" : " (--show-warnings prints them)") << "\n";
  if (!licenses_.created().empty()) {
    out << "unverified licenses created (" << licenses_.created().size()
        << ", terms unknown; record their terms with `modelreg licenses update`):\n";
    for (const auto& [name, license] : licenses_.created()) {
      out << "  " << name << "  \"" << license.display_name() << "\"\n";
    }
  }
  if (c.skipped > 0) {
    out << "skipped (exist with other facts; --on-conflict update replaces them):\n";
    for (const std::string& line : skipped_) out << "  " << line << "\n";
    if (static_cast<int64_t>(skipped_.size()) < c.skipped) out << "  ...\n";
  }
  if (c.failed > 0) {
    out << "failed:\n";
    for (const std::string& line : failures_) out << "  " << line << "\n";
    if (static_cast<int64_t>(failures_.size()) < c.failed) {
      out << "  ... and " << c.failed - static_cast<int64_t>(failures_.size())
          << " more (each reported above as it happened, or in the interrupted run)\n";
    }
  }
}

// The state file: --state, else FILE.hf-hub-state next to a file (none for stdin).
std::string StatePath(const HubFlags& flags) {
  if (!flags.state.empty()) return flags.state;
  if (flags.path == "-") return "";
  return flags.path + ".hf-hub-state";
}

int RunHubImport(Context& ctx, HubFlags flags) {
  flags.state = StatePath(flags);
  if (flags.resume && flags.state.empty()) {
    return UsageError(absl::InvalidArgumentError("--resume needs --state FILE when the listing is read from stdin"));
  }
  std::error_code error;
  State state;
  if (flags.resume) {
    absl::StatusOr<State> loaded = LoadState(flags.state);
    if (!loaded.ok()) return LocalError(loaded.status());
    state = *std::move(loaded);
    if (flags.path != "-" && state.input != fs::absolute(flags.path).string()) {
      return UsageError(absl::InvalidArgumentError(
          absl::StrCat(flags.state, " is the state of an import of ", state.input, ", not of ", flags.path)));
    }
  } else {
    if (!flags.state.empty() && fs::exists(flags.state, error)) {
      return UsageError(absl::FailedPreconditionError(
          absl::StrCat(flags.state,
                       " holds the state of an interrupted import: --resume continues it; delete the "
                       "file to start over")));
    }
    state.input = flags.path == "-" ? "-" : fs::absolute(flags.path).string();
    state.run_id = GenerateRequestId();
  }

  // Open the listing before connecting: an unreadable file fails without a server.
  std::ifstream file;
  std::istream* in = &std::cin;
  uint64_t total_bytes = 0;
  if (flags.path != "-") {
    if (fs::is_directory(flags.path, error)) {
      return LocalError(absl::InvalidArgumentError(absl::StrCat(flags.path, ": is a directory, not a listing")));
    }
    file.open(flags.path, std::ios::binary);
    if (!file) return LocalError(absl::NotFoundError(absl::StrCat(flags.path, ": cannot be opened")));
    const uintmax_t size = fs::file_size(flags.path, error);
    if (!error && fs::is_regular_file(flags.path, error)) total_bytes = size;
    in = &file;
  }
  if (state.position.offset > 0) {
    if (total_bytes > 0 && state.position.offset > total_bytes) {
      return LocalError(absl::FailedPreconditionError(absl::StrCat(
          flags.path, " is shorter than the position in ", flags.state, ": not the listing of the interrupted run")));
    }
    if (total_bytes > 0) {
      in->seekg(static_cast<std::streamoff>(state.position.offset));
    } else {
      in->ignore(static_cast<std::streamsize>(state.position.offset));
    }
    std::cerr << "resuming after line " << state.position.lines << " (" << state.position.entries << " entries, byte "
              << state.position.offset << ")\n";
  }

  absl::StatusOr<std::vector<v1::License>> registry = RegistryLicenses(ctx.client());
  if (!registry.ok()) return RpcError(ctx, registry.status());
  const std::string source = flags.path == "-" ? "stdin" : flags.path;
  HubImport import(ctx, flags, source, state, ImportLicenses(*registry));
  ListingReader reader(*in, state.position);
  StreamProgress progress(stderr, total_bytes);
  absl::Status status = import.Run(reader, progress);
  progress.Finish();
  import.PrintSummary(std::cout);
  if (!status.ok()) {
    if (!flags.state.empty()) {
      std::cerr << "stopped; " << flags.state << " records the last batch written: run again with --resume\n";
    }
    return RpcError(ctx, status);
  }
  if (!flags.state.empty()) fs::remove(flags.state, error);
  return import.counts().failed > 0 ? kExitLocalFailure : kExitOk;
}

}  // namespace

void AddHfHubImport(CLI::App* import, Context& ctx) {
  auto flags = std::make_shared<HubFlags>();
  CLI::App* cmd = import->add_subcommand(
      "hf-hub",
      "Import a Hugging Face Hub model listing (JSON Lines or a JSON array of /api/models?full=true&cardData=true)");
  cmd->add_option("file", flags->path, "The listing (- for stdin)")->required();
  cmd->add_option("--on-conflict", flags->on_conflict,
                  "A model that exists with other facts: skip (default) leaves it, update replaces its facts")
      ->check(CLI::IsMember({"skip", "update"}));
  cmd->add_option("--batch-size", flags->batch_size, "Models per BatchCreateModels call (1-1000, default 1000)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--state", flags->state,
                  "Where the position after each batch written is kept (default FILE.hf-hub-state; none for stdin); "
                  "removed when the import completes");
  cmd->add_flag("--resume", flags->resume, "Continue an interrupted import after the last batch written");
  cmd->add_flag("--show-warnings", flags->show_warnings, "Print each model's warnings (facts left unknown) on stderr");
  cmd->callback([&ctx, flags] { ctx.exit_code = RunHubImport(ctx, *flags); });
}

}  // namespace modelreg::cli

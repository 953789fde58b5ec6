#include "client/cli/hf_hub_command.h"

#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/cli/hf_hub_batch.h"
#include "client/cli/hf_hub_listing.h"
#include "client/cli/hf_hub_state.h"
#include "client/cli/import_commands.h"
#include "client/cli/import_files.h"
#include "client/cli/importers/hf_hub.h"
#include "server/common/status_macros.h"
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
// Batches sent and not yet answered, at most. While the server writes one batch, the CLI parses and sends the next:
// the listing's parsing, modelregd and PostgreSQL work at once instead of in turn.
constexpr size_t kBatchesInFlight = 2;
// UpdateModel calls sent and not yet answered, at most, when a batch's existing models are updated: each is its own
// transaction, and PostgreSQL commits concurrent ones together.
constexpr size_t kUpdatesInFlight = 16;

// Consecutive entries of the listing written with one BatchCreateModels call.
struct Batch {
  std::vector<HubItem> items;
  std::set<std::string> names;
  size_t bytes = 0;                 // the items' encoded size, with room for their assessment
  ListingPosition start;            // where its first item starts
  ListingPosition end;              // after its last entry (entries that failed included)
  HubCounts entries;                // its entries read, failed before sending, warned about: settled with it
  std::future<BatchAnswer> answer;  // once sent; none when it has no items
};

class HubImport {
 public:
  HubImport(Context& ctx, const HubFlags& flags, std::string source, HubState state, ImportLicenses licenses)
      : ctx_(ctx), flags_(flags), source_(std::move(source)), state_(std::move(state)), licenses_(std::move(licenses)) {
    last_end_ = state_.position;
  }

  // Reads every entry of `reader`; a non-OK status stops the run (the state file holds the last batch written).
  absl::Status Run(ListingReader& reader, StreamProgress& progress);
  void PrintSummary(std::ostream& out) const;
  // Settled and not yet: every entry read so far.
  HubCounts counts() const;

 private:
  absl::Status Process(const ListingEntry& entry);
  // Reports the entry on `line` as failed and counts it in `counts`.
  void Fail(HubCounts& counts, int64_t line, absl::string_view reason);
  // Sends the batch being filled, after the licenses it introduces, then settles the oldest batch sent while more
  // than kBatchesInFlight are.
  absl::Status Flush();
  absl::Status CreateLicenses(const Batch& batch);
  // Waits for the oldest batch sent, settles it (below), then saves the listing's position after it: batches are
  // settled in the listing's order, so the state file never passes a batch that was not written.
  absl::Status SettleOldest();
  absl::Status SettleAll();
  // The answer to a BatchCreateModels of `items`; items the server names as bad are reported, left out and the rest
  // sent again. Returns the error that is not about one item (OK when the rest was written).
  absl::Status Written(std::vector<HubItem>& items, absl::StatusOr<v1::BatchCreateModelsResponse> response);
  // The answer of a batch whose stored models were read first: settles those (Compare, Update), then the others
  // (Written). After an error that does not stop the run, `items` holds the models not settled.
  absl::Status LookedUp(std::vector<HubItem>& items, BatchAnswer answer);
  // Writes `items` model by model (after a batch error that names no item, e.g. a denied publisher).
  absl::Status WriteEach(const std::vector<HubItem>& items);
  // Settles an item whose model is stored as `stored` when it is unchanged, soft-deleted or skipped; else returns
  // the UpdateModel request that replaces its facts (--on-conflict update).
  std::optional<v1::UpdateModelRequest> Compare(const HubItem& item, const v1::Model& stored);
  // Sends the updates, at most kUpdatesInFlight at once, and settles their items. An update refused for a stale etag
  // (the model changed since it was read: another import of the listing, another writer) is read again and compared
  // anew (ReadAndUpdate), `rounds` more times at most; after that its line fails.
  absl::Status Update(std::vector<std::pair<const HubItem*, v1::UpdateModelRequest>> updates, int rounds);
  // Reads the stored model of `item` and settles it: Compare, then Update when it differs. After a stale etag, a read
  // that still returns `refused_etag` (an older copy) is repeated (ReadModel).
  absl::Status ReadAndUpdate(const HubItem& item, int rounds, const std::string& refused_etag);
  bool Sent(const std::string& name) const;

  Context& ctx_;
  const HubFlags& flags_;
  std::string source_;
  HubState state_;  // its counts are those of the batches settled
  ImportLicenses licenses_;
  std::set<std::string> created_licenses_;
  Batch batch_;  // being filled
  // Whether batches are sent with their stored models read first: from a batch that met existing models (the
  // listing was imported before) until a batch finds none stored.
  bool look_up_first_ = false;
  std::deque<Batch> sent_;    // sent, oldest first
  ListingPosition last_end_;  // after the last entry processed
  std::vector<std::string> failures_;
  std::vector<std::string> skipped_;
  // Clears the progress line before a message, on a terminal.
  const char* clear_line_ = isatty(STDERR_FILENO) == 1 ? "\r\033[K" : "";
};

HubCounts HubImport::counts() const {
  HubCounts total = state_.counts;
  for (const Batch& batch : sent_) total += batch.entries;
  return total += batch_.entries;
}

void HubImport::Fail(HubCounts& counts, int64_t line, absl::string_view reason) {
  ++counts.failed;
  const std::string text = absl::StrCat("line ", line, ": ", reason);
  std::cerr << clear_line_ << source_ << ":" << line << ": error: " << reason << "\n";
  if (failures_.size() < kSummaryFailures) failures_.push_back(text);
}

// An entry is counted with the batch being filled when its position passes the entry: the state file's counts are
// those of the entries before its position.
absl::Status HubImport::Process(const ListingEntry& entry) {
  if (!entry.error.empty()) {
    ++batch_.entries.read;
    Fail(batch_.entries, entry.line, entry.error);
    last_end_ = entry.end;
    return absl::OkStatus();
  }
  ImportOptions options;
  options.source = absl::StrCat(source_, " line ", entry.line);
  absl::StatusOr<ImportResult> imported = ImportHfHubModel(entry.json, options, &licenses_);
  absl::Status valid = imported.ok() ? ValidateModel(imported->model, "model") : imported.status();
  if (!valid.ok()) {
    ++batch_.entries.read;
    Fail(batch_.entries, entry.line, valid.message());
    last_end_ = entry.end;
    return absl::OkStatus();
  }
  if (flags_.show_warnings) {
    for (const std::string& warning : imported->warnings) {
      std::cerr << clear_line_ << source_ << ":" << entry.line << ": warning: " << warning << "\n";
    }
  }
  const std::string& name = imported->model.name();
  const size_t bytes = imported->model.ByteSizeLong() + kAssessmentAllowance;
  if (!batch_.items.empty() && (batch_.names.count(name) > 0 || batch_.bytes + bytes > kBatchBudgetBytes)) {
    MODELREG_RETURN_IF_ERROR(Flush());
  }
  // A later line of a model is written once the earlier one has been: it then meets it as existing.
  if (Sent(name)) MODELREG_RETURN_IF_ERROR(SettleAll());
  if (batch_.items.empty()) batch_.start = last_end_;
  ++batch_.entries.read;
  batch_.entries.warnings += static_cast<int64_t>(imported->warnings.size());
  batch_.names.insert(name);
  batch_.bytes += bytes;
  batch_.items.push_back(HubItem{entry.line, std::move(imported->model), std::move(imported->new_licenses)});
  last_end_ = entry.end;
  if (batch_.items.size() >= static_cast<size_t>(flags_.batch_size)) return Flush();
  return absl::OkStatus();
}

bool HubImport::Sent(const std::string& name) const {
  return std::any_of(sent_.begin(), sent_.end(), [&](const Batch& batch) { return batch.names.count(name) > 0; });
}

absl::Status HubImport::Run(ListingReader& reader, StreamProgress& progress) {
  ListingEntry entry;
  while (reader.Next(&entry)) {
    if (absl::Status status = Process(entry); !status.ok()) return status;
    const HubCounts total = counts();
    progress.Update(total.read, total.failed, entry.end.offset);
  }
  MODELREG_RETURN_IF_ERROR(Flush());
  return SettleAll();
}

absl::Status HubImport::CreateLicenses(const Batch& batch) {
  for (const HubItem& item : batch.items) {
    MODELREG_RETURN_IF_ERROR(CreateNewLicenses(ctx_.client(), item.new_licenses, &created_licenses_));
  }
  return absl::OkStatus();
}

absl::Status HubImport::Flush() {
  Batch batch = std::exchange(batch_, Batch{});
  batch.end = last_end_;
  if (!batch.items.empty()) {
    MODELREG_RETURN_IF_ERROR(CreateLicenses(batch));
    Client& client = ctx_.client();  // thread-safe
    batch.answer =
        std::async(std::launch::async,
                   [&client, look_up_first = look_up_first_,
                    request = BatchRequest(batch.items, BatchRequestId(state_.run_id, batch.start.offset))]() mutable {
                     return SendBatch(client, std::move(request), look_up_first);
                   });
  }
  sent_.push_back(std::move(batch));
  while (sent_.size() > kBatchesInFlight) MODELREG_RETURN_IF_ERROR(SettleOldest());
  return absl::OkStatus();
}

absl::Status HubImport::SettleOldest() {
  Batch batch = std::move(sent_.front());
  sent_.pop_front();
  state_.counts += batch.entries;
  if (batch.answer.valid()) {
    BatchAnswer answer = batch.answer.get();
    absl::Status status;
    if (answer.looked_up) {
      look_up_first_ = !answer.stored.empty();
      status = LookedUp(batch.items, std::move(answer));
    } else {
      status = Written(batch.items, std::move(answer.created));
      if (status.code() == absl::StatusCode::kAlreadyExists) {
        // A model exists: the listing was imported before. Its batches are looked up first from now on.
        look_up_first_ = true;
        status = LookedUp(batch.items, SendBatch(ctx_.client(), BatchRequest(batch.items, ""), true));
      }
    }
    if (!status.ok()) {
      if (StopsImport(status)) return status;
      // A reused request id, a denied publisher, a model created meanwhile by another writer: model by model.
      MODELREG_RETURN_IF_ERROR(WriteEach(batch.items));
    }
  }
  state_.position = batch.end;
  if (flags_.state.empty()) return absl::OkStatus();
  return SaveHubState(flags_.state, state_);
}

absl::Status HubImport::SettleAll() {
  while (!sent_.empty()) MODELREG_RETURN_IF_ERROR(SettleOldest());
  return absl::OkStatus();
}

absl::Status HubImport::Written(std::vector<HubItem>& items, absl::StatusOr<v1::BatchCreateModelsResponse> response) {
  while (!response.ok()) {
    const int index = response.status().code() == absl::StatusCode::kInvalidArgument ? ItemOf(response.status()) : -1;
    if (index < 0 || index >= static_cast<int>(items.size())) return response.status();
    Fail(state_.counts, items[static_cast<size_t>(index)].line, response.status().message());
    items.erase(items.begin() + index);
    if (items.empty()) return absl::OkStatus();
    // Sent again without that item: another request, so a fresh id.
    response = ctx_.client().BatchCreateModels(BatchRequest(items, GenerateRequestId()));
  }
  state_.counts.created += response->models_size();
  items.clear();
  return absl::OkStatus();
}

absl::Status HubImport::LookedUp(std::vector<HubItem>& items, BatchAnswer answer) {
  if (!answer.lookup.ok()) return answer.lookup;
  std::vector<std::pair<const HubItem*, v1::UpdateModelRequest>> updates;
  for (const HubItem& item : items) {
    auto it = answer.stored.find(item.model.name());
    if (it == answer.stored.end()) continue;
    if (std::optional<v1::UpdateModelRequest> update = Compare(item, it->second)) {
      updates.emplace_back(&item, *std::move(update));
    }
  }
  MODELREG_RETURN_IF_ERROR(Update(std::move(updates), kStaleEtagRounds));
  items.erase(std::remove_if(items.begin(), items.end(),
                             [&](const HubItem& item) { return answer.stored.count(item.model.name()) > 0; }),
              items.end());
  if (items.empty()) return absl::OkStatus();
  return Written(items, std::move(answer.created));
}

std::optional<v1::UpdateModelRequest> HubImport::Compare(const HubItem& item, const v1::Model& stored) {
  switch (CompareExisting(stored, item.model, flags_.on_conflict == "update")) {
    case ExistingModel::kSoftDeleted:
      Fail(state_.counts, item.line, SoftDeletedError(item.model.name()).message());
      return std::nullopt;
    case ExistingModel::kUnchanged:
      ++state_.counts.unchanged;
      return std::nullopt;
    case ExistingModel::kSkipped:
      ++state_.counts.skipped;
      if (skipped_.size() < kSummaryFailures) {
        skipped_.push_back(absl::StrCat("line ", item.line, ": ", item.model.name()));
      }
      return std::nullopt;
    case ExistingModel::kReplace:
      break;
  }
  return ReplaceRequest(item.model, stored.etag());
}

absl::Status HubImport::Update(std::vector<std::pair<const HubItem*, v1::UpdateModelRequest>> updates, int rounds) {
  Client& client = ctx_.client();  // thread-safe
  std::deque<std::future<absl::StatusOr<v1::Model>>> in_flight;
  absl::Status stop;
  size_t sent = 0;
  for (size_t settled = 0; settled < updates.size(); ++settled) {
    // No new call once one has met an error that stops the run; those in flight are still settled.
    while (stop.ok() && sent < updates.size() && in_flight.size() < kUpdatesInFlight) {
      const v1::UpdateModelRequest& request = updates[sent++].second;
      in_flight.push_back(std::async(std::launch::async, [&client, &request] { return client.UpdateModel(request); }));
    }
    if (in_flight.empty()) break;
    absl::StatusOr<v1::Model> updated = in_flight.front().get();
    in_flight.pop_front();
    if (updated.ok()) {
      ++state_.counts.updated;
    } else if (stop.ok() && rounds > 0 && IsStaleEtag(updated.status())) {
      stop.Update(ReadAndUpdate(*updates[settled].first, rounds - 1, updates[settled].second.model().etag()));
    } else if (StopsImport(updated.status()) && updated.status().code() != absl::StatusCode::kAborted) {
      // ABORTED is about this one model (another writer changed it since it was read, or held it locked): its line
      // fails and the run goes on.
      stop.Update(updated.status());
    } else {
      Fail(state_.counts, updates[settled].first->line, updated.status().message());
    }
  }
  return stop;
}

absl::Status HubImport::WriteEach(const std::vector<HubItem>& items) {
  for (const HubItem& item : items) {
    absl::StatusOr<v1::Model> created = ctx_.client().CreateModel(*CreateRequest(item.model));  // names validated
    if (created.ok()) {
      ++state_.counts.created;
    } else if (created.status().code() == absl::StatusCode::kAlreadyExists) {
      MODELREG_RETURN_IF_ERROR(ReadAndUpdate(item, kStaleEtagRounds, ""));
    } else if (StopsImport(created.status())) {
      return created.status();
    } else {
      Fail(state_.counts, item.line, created.status().message());
    }
  }
  return absl::OkStatus();
}

absl::Status HubImport::ReadAndUpdate(const HubItem& item, int rounds, const std::string& refused_etag) {
  absl::StatusOr<v1::Model> stored = ReadModel(ctx_.client(), item.model.name(), refused_etag);
  if (!stored.ok()) {
    if (StopsImport(stored.status()) && stored.status().code() != absl::StatusCode::kAborted) return stored.status();
    Fail(state_.counts, item.line, stored.status().message());
    return absl::OkStatus();
  }
  std::vector<std::pair<const HubItem*, v1::UpdateModelRequest>> updates;
  if (std::optional<v1::UpdateModelRequest> update = Compare(item, *stored)) {
    updates.emplace_back(&item, *std::move(update));
  }
  return Update(std::move(updates), rounds);
}

void HubImport::PrintSummary(std::ostream& out) const {
  const HubCounts c = counts();
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
  HubState state;
  if (flags.resume) {
    absl::StatusOr<HubState> loaded = LoadHubState(flags.state);
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

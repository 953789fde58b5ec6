// `modelreg import hf-card|mof PATH...`: read records from model cards or MOF files (files and directories), create
// the unverified licenses they need and the models (or, with --dry-run, assess each and say what would happen); a
// model that exists is left (--on-conflict skip) or replaced (update). One file: the record in full; several: a line
// per file, progress on a terminal, and a summary (created, updated, unchanged, skipped, failed with reasons).
// `import hf-hub` (a Hub model listing) is hf_hub_command.h.
#pragma once

#include <CLI/CLI.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/cli/context.h"
#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "modelreg/v1/model_registry.pb.h"

namespace modelreg::cli {

void AddImportCommands(CLI::App& app, Context& ctx);

// What an import does with a model that exists already.
enum class ExistingModel { kSoftDeleted, kUnchanged, kSkipped, kReplace };

// kSoftDeleted when `stored` is soft-deleted; kUnchanged when its user fields (all but the output-only fields and the
// computed assessment) equal `imported`'s; else kReplace with --on-conflict update (`replace`), kSkipped without.
ExistingModel CompareExisting(const v1::Model& stored, const v1::Model& imported, bool replace);

// What an import reports for a model that exists soft-deleted.
absl::Status SoftDeletedError(const std::string& name);

// The CreateModel request that creates `model` under its full resource name; INVALID_ARGUMENT when that is not a
// model name.
absl::StatusOr<v1::CreateModelRequest> CreateRequest(const v1::Model& model);

// The UpdateModel request that replaces every user field of the stored model with `imported`'s, while its etag is
// still `etag`.
v1::UpdateModelRequest ReplaceRequest(const v1::Model& imported, const std::string& etag);

// Times an import reads a model again, and compares it anew, after its update was refused for a stale etag (another
// writer changed the model since it was read; two imports of one listing at once update the same models, and the
// second finds each unchanged on reading it again). After that, the model's update fails.
constexpr int kStaleEtagRounds = 2;

// True when `status` refuses an update because the etag it carried is stale.
bool IsStaleEtag(const absl::Status& status);

// The stored model `name`. After a stale etag (`refused_etag` not empty), a read that still returns the copy whose
// etag was refused is repeated, after pauses of 20 to 160 ms, five reads at most: GetModel answers from a server's
// cache, which learns of another server's write a few milliseconds after it.
absl::StatusOr<v1::Model> ReadModel(Client& client, const std::string& name, const std::string& refused_etag);

// Every license the registry holds, soft-deleted ones included (an alias of a deleted license must not become a new
// license): what an import resolves license names against.
absl::StatusOr<std::vector<v1::License>> RegistryLicenses(Client& client);

// Creates each of `licenses` (an importer's new, unverified licenses) not yet in `created`, taking ALREADY_EXISTS as
// done, and adds it to `created`; another error is returned naming the license.
absl::Status CreateNewLicenses(Client& client, const std::vector<v1::License>& licenses,
                               std::set<std::string>* created);

}  // namespace modelreg::cli

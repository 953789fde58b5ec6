// The shipped catalog (schema/catalog/*.yaml, embedded in the binaries): parsing, and the pure decision of what a
// catalog sync does to each record. No I/O: the caller reads the stored record and writes the result.
//
// Sync contract. Every record written from the catalog carries the label `modelreg.io/catalog-digest` whose value
// is CatalogDigest() of the shipped record. On the next sync, DecideSync() recomputes the digest of the stored
// record's user fields (output-only fields and the digest label cleared): if it still equals the label, nobody
// changed the record since the catalog wrote it, so a newer shipped version may replace it. Otherwise a user edited
// it (or created it, or deleted it) and the catalog leaves it alone. Loading is therefore idempotent and never
// overwrites a user's change. The service must store a shipped record as given (plus the label), or every stored
// record will look user-modified.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"

namespace modelreg {

// Label holding the catalog digest of a record written by a catalog sync.
inline constexpr char kCatalogDigestLabel[] = "modelreg.io/catalog-digest";

// The records of the shipped catalog, in file order.
struct Catalog {
  // (license id, license with `name` = `licenses/{id}`).
  std::vector<std::pair<std::string, v1::License>> licenses;
  // Models with `name` = `publishers/{publisher}/models/{model}`.
  std::vector<v1::Model> models;
};

// Parses one catalog document: a YAML mapping with an optional `licenses:` list (each item `license_id` plus License
// fields) and an optional `models:` list (each item `name` plus Model fields), proto3 JSON mapping, snake_case or
// lowerCamel names, full enum value names. INVALID_ARGUMENT naming the item on any error: unknown field, missing or
// malformed id, duplicate id, output-only field set.
absl::StatusOr<Catalog> ParseCatalog(absl::string_view text);

// Parses and merges every embedded catalog file (sorted by file name). INVALID_ARGUMENT naming the file on error,
// including an id defined in two files.
absl::StatusOr<Catalog> LoadEmbeddedCatalog();

// Hex FNV-1a 64 of the deterministic serialization of the record's user fields: output-only fields (times, etag,
// revision, openness) and the digest label cleared. 16 lowercase hex digits.
std::string CatalogDigest(const v1::Model& model);
std::string CatalogDigest(const v1::License& license);

// The shipped record as a sync writes it: with the digest label set.
v1::Model WithCatalogDigest(v1::Model model);
v1::License WithCatalogDigest(v1::License license);

enum class CatalogAction {
  // Not stored: create it (with the digest label).
  kCreate,
  // Stored unchanged since the catalog wrote it, and the shipped content differs: replace it.
  kUpdate,
  // Changed, created or deleted by a user: leave it alone.
  kSkipUserModified,
  // The stored user fields already equal the shipped ones: nothing to do.
  kUnchanged,
};

const char* CatalogActionName(CatalogAction action);

// What a sync does with `shipped` given the stored record (nullopt when none, soft-deleted ones included).
CatalogAction DecideSync(const v1::Model& shipped, const std::optional<v1::Model>& stored);
CatalogAction DecideSync(const v1::License& shipped, const std::optional<v1::License>& stored);

}  // namespace modelreg

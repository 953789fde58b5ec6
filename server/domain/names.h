// Resource names: `publishers/{publisher}/models/{model}`, `licenses/{license}`, `organizations/{organization}` and
// its children (`.../deployments/{deployment}`, `.../policies/{policy}`), and the shorthand users type.
//
// Library `modelreg_names`: depends on abseil only, so the server (services, stores, catalog, query) and the
// `modelreg` CLI share one set of id rules, parsers and formatters. Errors are INVALID_ARGUMENT.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelreg {

// Publisher and model ids: lowercase letters, digits, `-`, `.`, `_`; 1-63 chars; starting with a letter or digit.
bool IsValidResourceId(absl::string_view id);
// License ids additionally allow `+` (`openrail++`).
bool IsValidLicenseId(absl::string_view id);

// A model's name by its ids.
struct ModelName {
  std::string publisher;  // id only, e.g. `meta-llama`
  std::string model;      // id only, e.g. `llama-3.1-8b`

  // `publishers/{publisher}`
  std::string parent() const;
  // `publishers/{publisher}/models/{model}`
  std::string name() const;
};

// `publishers/{id}`.
std::string PublisherName(absl::string_view id);
// `licenses/{id}`.
std::string LicenseName(absl::string_view id);
// True when `name` starts with `licenses/` in any case: license lookups accept `Licenses/MIT License`.
bool HasLicensePrefix(absl::string_view name);
// True for `tokens/{id}` with a valid resource id.
bool IsTokenName(absl::string_view name);

// A child of an organization by its ids (a deployment, a policy).
struct OrganizationChild {
  std::string organization;  // id only, e.g. `acme`
  std::string id;            // id only, e.g. `chat-assistant`
};

// `organizations/{id}`.
std::string OrganizationName(absl::string_view id);
// `organizations/{organization}/{collection}/{id}`, e.g. collection `deployments`.
std::string OrganizationChildName(absl::string_view organization, absl::string_view collection, absl::string_view id);

// Full names, exactly as the API spells them (no lowercasing). Errors start with `{field}: `.
//
// Parses `publishers/{publisher}/models/{model}`.
absl::StatusOr<ModelName> ParseModelName(absl::string_view name, absl::string_view field = "name");
// Parses `publishers/{publisher}` and returns the publisher id, or "-" for `publishers/-` when `allow_wildcard`.
absl::StatusOr<std::string> ParsePublisherName(absl::string_view name, bool allow_wildcard,
                                               absl::string_view field = "parent");
// Parses `licenses/{license}` and returns the license id.
absl::StatusOr<std::string> ParseLicenseName(absl::string_view name, absl::string_view field = "name");

// Parses `organizations/{organization}` and returns the id, or "-" for `organizations/-` when `allow_wildcard`.
absl::StatusOr<std::string> ParseOrganizationName(absl::string_view name, bool allow_wildcard,
                                                  absl::string_view field = "name");
// Parses `organizations/{organization}/{collection}/{id}` (collection `deployments` or `policies`).
absl::StatusOr<OrganizationChild> ParseOrganizationChildName(absl::string_view name, absl::string_view collection,
                                                             absl::string_view field = "name");

// The id of a license reference `licenses/{id}` (as records store it); "" when `reference` is not one: empty,
// another form, or an id that breaks IsValidLicenseId. For the stores, which word their own errors.
std::string LicenseIdOf(absl::string_view reference);

// Shorthand, as users type names on the command line: surrounding whitespace is ignored and the text is lowercased.
// Errors quote the text as typed.
//
// `publishers/x/models/y` or Hugging Face style `x/y`.
absl::StatusOr<ModelName> ParseModelShorthand(absl::string_view text);
// `publishers/x`, `x`, `publishers/-` or `-` (every publisher); returns the publisher id, or "-".
absl::StatusOr<std::string> ParsePublisherShorthand(absl::string_view text);
// `licenses/x` or `x`; returns the license id.
absl::StatusOr<std::string> ParseLicenseShorthand(absl::string_view text);

// `organizations/x` or `x`; returns the organization id.
absl::StatusOr<std::string> ParseOrganizationShorthand(absl::string_view text);
// `organizations/x/{collection}/y` or `x/y`.
absl::StatusOr<OrganizationChild> ParseOrganizationChildShorthand(absl::string_view text, absl::string_view collection);

}  // namespace modelreg

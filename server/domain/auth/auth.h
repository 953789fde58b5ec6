// Authorization, as pure functions: roles, scopes, the rule of every RPC, and the one decision
// Authorize(principal, action, resource name) -> OK or PERMISSION_DENIED. No I/O: the gRPC adapters authenticate
// the caller (server/api/call_auth.h) and call AuthorizeCall once per call; the service layer narrows Lists with
// ReadablePublishers.
//
// A principal holds bindings (role, scope). A scope is a resource-name prefix matched at segment boundaries: `*`
// (everything), `publishers/{publisher}` (that publisher and its models), `licenses` (the license catalog),
// `organizations/{organization}`. Roles nest: viewer (read) < editor (read, write) < admin (read, write, admin).
// Token management is the `admin` action on `tokens`, which only scope `*` covers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "modelreg/v1/admin.pb.h"

namespace modelreg {

enum class Action {
  kRead,   // Get, List, Classify, CheckUsage
  kWrite,  // Create, Update, Delete, Undelete
  kAdmin,  // token management
};
absl::string_view ActionName(Action action);

struct Binding {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string scope;
};

// Who is calling. `name` is the token's principal ("anonymous" for an unauthenticated caller let in by
// --allow-anonymous-read, "system" for in-process callers such as the catalog loader).
struct Principal {
  std::string name;
  std::string token;  // `tokens/{id}` of the token used, "" when none
  std::vector<Binding> bindings;

  // Every action on everything: in-process work (catalog sync, reassessment) and tests of the service layer.
  static const Principal& System();
  // Read on models and licenses, no token: the caller when --allow-anonymous-read lets a read without a token in.
  static const Principal& AnonymousReader();
};

// OK for `*`, `licenses`, `publishers/{id}`, `organizations/{id}`; INVALID_ARGUMENT naming `field` otherwise.
absl::Status ValidateScope(absl::string_view scope, absl::string_view field);
// Whether `scope` covers the resource `name` (prefix at a segment boundary; `*` covers all).
bool ScopeCovers(absl::string_view scope, absl::string_view name);
bool RoleAllows(v1::Role role, Action action);

// OK when one of the principal's bindings allows `action` on `resource`; otherwise PERMISSION_DENIED with reason
// PERMISSION_DENIED and metadata {action, resource}. An empty `resource` (a request that names none, e.g. Classify
// of an unnamed model, or an invalid request about to fail validation) needs the action in any scope. The
// collection wildcards `publishers/-` and `organizations/-` need it on every member for a write, and on some member
// for a read (the List is then narrowed with ReadablePublishers / ReadableOrganizations).
absl::Status Authorize(const Principal& principal, Action action, absl::string_view resource);

// The publishers whose models the principal may read: nullopt when every publisher (a read binding covering
// `publishers`), else the ids of its `publishers/{id}` read scopes (possibly none), sorted.
std::optional<std::vector<std::string>> ReadablePublishers(const Principal& principal);
// The same for organizations (`organizations/{id}` read scopes).
std::optional<std::vector<std::string>> ReadableOrganizations(const Principal& principal);

// The authorization rule of one RPC: the action it performs and where its resource names come from.
struct MethodRule {
  std::string method;  // full method name, `/modelreg.v1.ModelRegistry/GetModel`
  Action action = Action::kRead;
  // Request fields holding resource names, dot paths through messages; a repeated message on the path contributes
  // one name per element (`requests.parent`). Empty values are skipped.
  std::vector<std::string> fields;
  // The resource when the request names none of its own (`licenses` for CreateLicense, `tokens` for Admin).
  std::string fixed_resource;
  // A request field holding the id of the resource a Create makes, and the prefix that makes it a name
  // (`organization_id` with `organizations/` for CreateOrganization): that name is one of the call's resources.
  std::string id_field;
  std::string id_prefix;
  // Methods open to callers without a token under --allow-anonymous-read (reads of models and licenses).
  bool anonymous_read = false;
};

// The rule table: one rule per RPC of modelreg.v1 (a test walks the service descriptors and fails for any method
// without one). Health and reflection are not in it: they need no token.
const std::vector<MethodRule>& MethodRules();
const MethodRule* FindMethodRule(absl::string_view full_method);

// The resource names a request names under `rule`, in field order (never empty: the fixed resource, or "").
// BatchCreateModels with parent `publishers/-` is checked per item: the wildcard is dropped when items name parents.
std::vector<std::string> ResourcesOf(const MethodRule& rule, const google::protobuf::Message& request);

// The whole decision for one call: the rule of `full_method` (PERMISSION_DENIED with reason NO_AUTHORIZATION_RULE
// when there is none: fail closed), then Authorize for each resource the request names.
absl::Status AuthorizeCall(const Principal& principal, absl::string_view full_method,
                           const google::protobuf::Message& request);

}  // namespace modelreg

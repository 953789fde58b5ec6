#include "server/domain/auth/auth.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "modelreg/v1/admin.grpc.pb.h"
#include "modelreg/v1/governance.grpc.pb.h"
#include "modelreg/v1/history.grpc.pb.h"
#include "modelreg/v1/license_catalog.grpc.pb.h"
#include "modelreg/v1/model_registry.grpc.pb.h"
#include "modelreg/v1/usage_checker.grpc.pb.h"
#include "server/common/errors.h"
#include "server/domain/names.h"

namespace modelreg {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr absl::string_view kAllPublishers = "publishers/-";
constexpr absl::string_view kAllOrganizations = "organizations/-";
constexpr absl::string_view kLicensePrefix = "licenses/";

// The governance rules: scope `organizations/{organization}` covers an organization, its deployments and policies.
// An organization's inventory is its own: no governance method is open to anonymous readers.
std::vector<MethodRule> GovernanceRules(
    const std::function<MethodRule(std::string, Action, std::vector<std::string>, std::string)>& make) {
  auto rule = [&make](std::string method, Action action, std::vector<std::string> fields, std::string fixed) {
    MethodRule r = make(std::move(method), action, std::move(fields), std::move(fixed));
    r.anonymous_read = false;
    return r;
  };
  const std::string g = absl::StrCat("/", v1::Governance::service_full_name(), "/");
  MethodRule create_organization = rule(g + "CreateOrganization", Action::kWrite, {}, "");
  create_organization.id_field = "organization_id";
  create_organization.id_prefix = "organizations/";
  return {
      create_organization,
      rule(g + "GetOrganization", Action::kRead, {"name"}, ""),
      rule(g + "UpdateOrganization", Action::kWrite, {"organization.name"}, ""),
      rule(g + "DeleteOrganization", Action::kWrite, {"name"}, ""),
      rule(g + "UndeleteOrganization", Action::kWrite, {"name"}, ""),
      rule(g + "ListOrganizations", Action::kRead, {}, std::string(kAllOrganizations)),
      rule(g + "CreateDeployment", Action::kWrite, {"parent"}, ""),
      rule(g + "GetDeployment", Action::kRead, {"name"}, ""),
      rule(g + "UpdateDeployment", Action::kWrite, {"deployment.name"}, ""),
      rule(g + "DeleteDeployment", Action::kWrite, {"name"}, ""),
      rule(g + "UndeleteDeployment", Action::kWrite, {"name"}, ""),
      rule(g + "ListDeployments", Action::kRead, {"parent"}, ""),
      rule(g + "CreatePolicy", Action::kWrite, {"parent"}, ""),
      rule(g + "GetPolicy", Action::kRead, {"name"}, ""),
      rule(g + "UpdatePolicy", Action::kWrite, {"policy.name"}, ""),
      rule(g + "DeletePolicy", Action::kWrite, {"name"}, ""),
      rule(g + "UndeletePolicy", Action::kWrite, {"name"}, ""),
      rule(g + "ListPolicies", Action::kRead, {"parent"}, ""),
      rule(g + "EvaluateCompliance", Action::kRead, {"organization"}, ""),
  };
}

std::vector<MethodRule> BuildRules() {
  const std::string models = absl::StrCat("/", v1::ModelRegistry::service_full_name(), "/");
  const std::string licenses = absl::StrCat("/", v1::LicenseCatalog::service_full_name(), "/");
  const std::string admin = absl::StrCat("/", v1::Admin::service_full_name(), "/");
  const std::string usage = absl::StrCat("/", v1::UsageChecker::service_full_name(), "/");
  const std::string history = absl::StrCat("/", v1::History::service_full_name(), "/");
  auto rule = [](std::string method, Action action, std::vector<std::string> fields, std::string fixed = "") {
    MethodRule r;
    r.method = std::move(method);
    r.action = action;
    r.fields = std::move(fields);
    r.fixed_resource = std::move(fixed);
    r.anonymous_read = action == Action::kRead;
    return r;
  };
  auto no_anonymous = [](MethodRule r) {
    r.anonymous_read = false;
    return r;
  };
  std::vector<MethodRule> rules = {
      rule(models + "CreateModel", Action::kWrite, {"parent"}),
      rule(models + "BatchCreateModels", Action::kWrite, {"parent", "requests.parent"}),
      rule(models + "GetModel", Action::kRead, {"name"}),
      rule(models + "BatchGetModels", Action::kRead, {"parent", "names"}),
      rule(models + "UpdateModel", Action::kWrite, {"model.name"}),
      rule(models + "DeleteModel", Action::kWrite, {"name"}),
      rule(models + "UndeleteModel", Action::kWrite, {"name"}),
      rule(models + "ListModels", Action::kRead, {"parent"}),
      rule(models + "ClassifyModel", Action::kRead, {"model.name"}),
      rule(licenses + "CreateLicense", Action::kWrite, {}, "licenses"),
      rule(licenses + "GetLicense", Action::kRead, {"name"}),
      rule(licenses + "UpdateLicense", Action::kWrite, {"license.name"}),
      rule(licenses + "DeleteLicense", Action::kWrite, {"name"}),
      rule(licenses + "UndeleteLicense", Action::kWrite, {"name"}),
      rule(licenses + "ListLicenses", Action::kRead, {}, "licenses"),
      // A check reads the model (and the organization whose figures it uses); the ancestors and licenses it reads
      // to decide are not the caller's to choose, so they need no binding of their own.
      rule(usage + "CheckUsage", Action::kRead, {"model", "organization", "deployment"}),
      // A resource's history is read like the resource (a token's needs the admin role: HistoryService), but never
      // anonymously: it names who made each change.
      no_anonymous(rule(history + "ListRevisions", Action::kRead, {"name"})),
      no_anonymous(rule(history + "GetRevision", Action::kRead, {"name"})),
      // A change stream names the prefixes it watches; each change is then shown only to a caller who may read it.
      no_anonymous(rule(history + "WatchChanges", Action::kRead, {"name_prefixes"})),
      // Removes a soft-deleted resource's data for good: the admins' (never anonymous: not a read).
      rule(history + "Purge", Action::kAdmin, {"name"}),
      rule(admin + "CreateToken", Action::kAdmin, {}, "tokens"),
      rule(admin + "ListTokens", Action::kAdmin, {}, "tokens"),
      rule(admin + "RevokeToken", Action::kAdmin, {}, "tokens"),
  };
  for (MethodRule& r : GovernanceRules(rule)) rules.push_back(std::move(r));
  return rules;
}

// Appends the string values at `path` (dot-separated) under `message`.
void CollectField(const Message& message, absl::string_view path, std::vector<std::string>& out) {
  const auto dot = path.find('.');
  const absl::string_view head = path.substr(0, dot);
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(std::string(head));
  if (field == nullptr) return;
  const auto* reflection = message.GetReflection();
  if (dot == absl::string_view::npos) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return;
    if (field->is_repeated()) {  // e.g. BatchGetModels.names: every one is checked
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        std::string value = reflection->GetRepeatedString(message, field, i);
        if (!value.empty()) out.push_back(std::move(value));
      }
      return;
    }
    std::string value = reflection->GetString(message, field);
    if (!value.empty()) out.push_back(std::move(value));
    return;
  }
  if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return;
  const absl::string_view rest = path.substr(dot + 1);
  if (field->is_repeated()) {
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      CollectField(reflection->GetRepeatedMessage(message, field, i), rest, out);
    }
  } else if (reflection->HasField(message, field)) {
    CollectField(reflection->GetMessage(message, field), rest, out);
  }
}

// The collection of a wildcard name (`publishers/-` -> `publishers`), "" for any other name.
absl::string_view WildcardCollection(absl::string_view resource) {
  if (resource == kAllPublishers || resource == kAllOrganizations) return resource.substr(0, resource.size() - 2);
  return "";
}

// The ids of the `{collection}/{id}` scopes the principal may read in; nullopt when it may read the whole collection.
std::optional<std::vector<std::string>> ReadableIds(const Principal& principal, absl::string_view collection);

bool Allows(const Principal& principal, Action action, absl::string_view resource) {
  return std::any_of(principal.bindings.begin(), principal.bindings.end(),
                     [&](const Binding& b) { return RoleAllows(b.role, action) && ScopeCovers(b.scope, resource); });
}

bool AllowsAnywhere(const Principal& principal, Action action) {
  return std::any_of(principal.bindings.begin(), principal.bindings.end(),
                     [&](const Binding& b) { return RoleAllows(b.role, action); });
}

}  // namespace

absl::string_view ActionName(Action action) {
  switch (action) {
    case Action::kRead:
      return "read";
    case Action::kWrite:
      return "write";
    case Action::kAdmin:
      return "admin";
  }
  return "unknown";
}

const Principal& Principal::System() {
  static const auto* system = new Principal{"system", "", {{v1::ROLE_ADMIN, "*"}}};
  return *system;
}

const Principal& Principal::AnonymousReader() {
  // Models and licenses only: an organization's figures and inventory are never public (CheckUsage with an
  // organization or a deployment needs a token).
  static const auto* anonymous =
      new Principal{"anonymous", "", {{v1::ROLE_VIEWER, "publishers"}, {v1::ROLE_VIEWER, "licenses"}}};
  return *anonymous;
}

absl::Status ValidateScope(absl::string_view scope, absl::string_view field) {
  if (scope == "*" || scope == "licenses") return absl::OkStatus();
  const std::vector<absl::string_view> parts = absl::StrSplit(scope, '/');
  if (parts.size() == 2 && (parts[0] == "publishers" || parts[0] == "organizations") && parts[1] != "-" &&
      IsValidResourceId(parts[1])) {
    return absl::OkStatus();
  }
  return InvalidFieldError(field, absl::StrCat("invalid scope `", scope,
                                               "`; expected `*`, `licenses`, `publishers/{publisher}` or "
                                               "`organizations/{organization}`"));
}

bool ScopeCovers(absl::string_view scope, absl::string_view name) {
  if (scope == "*") return true;
  if (scope.empty() || !absl::StartsWith(name, scope)) return false;
  return name.size() == scope.size() || name[scope.size()] == '/';
}

bool RoleAllows(v1::Role role, Action action) {
  switch (role) {
    case v1::ROLE_ADMIN:
      return true;
    case v1::ROLE_EDITOR:
      return action == Action::kRead || action == Action::kWrite;
    case v1::ROLE_VIEWER:
      return action == Action::kRead;
    default:
      return false;
  }
}

absl::Status Authorize(const Principal& principal, Action action, absl::string_view resource) {
  bool allowed = false;
  if (resource.empty()) {
    allowed = AllowsAnywhere(principal, action);
  } else if (const absl::string_view collection = WildcardCollection(resource); !collection.empty()) {
    // Every publisher (organization): `*` (or a `publishers` scope, should one exist). A read by a principal scoped
    // to some of them is allowed and narrowed to those.
    allowed = Allows(principal, action, collection);
    if (!allowed && action == Action::kRead) {
      const auto readable = ReadableIds(principal, collection);
      allowed = !readable.has_value() || !readable->empty();
    }
  } else {
    allowed = Allows(principal, action, resource);
  }
  if (allowed) return absl::OkStatus();
  const std::string shown = resource.empty() ? "any resource" : absl::StrCat("`", resource, "`");
  return ErrorWithReason(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                         absl::StrCat("principal `", principal.name, "` may not ", ActionName(action), " ", shown),
                         {{"action", std::string(ActionName(action))}, {"resource", std::string(resource)}});
}

namespace {

std::optional<std::vector<std::string>> ReadableIds(const Principal& principal, absl::string_view collection) {
  if (Allows(principal, Action::kRead, collection)) return std::nullopt;
  const std::string prefix = absl::StrCat(collection, "/");
  std::vector<std::string> ids;
  for (const Binding& b : principal.bindings) {
    if (!RoleAllows(b.role, Action::kRead) || !absl::StartsWith(b.scope, prefix)) continue;
    ids.push_back(b.scope.substr(prefix.size()));
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

std::optional<std::vector<std::string>> ReadablePublishers(const Principal& principal) {
  return ReadableIds(principal, "publishers");
}

std::optional<std::vector<std::string>> ReadableOrganizations(const Principal& principal) {
  return ReadableIds(principal, "organizations");
}

const std::vector<MethodRule>& MethodRules() {
  static const auto* rules = new std::vector<MethodRule>(BuildRules());
  return *rules;
}

const MethodRule* FindMethodRule(absl::string_view full_method) {
  for (const MethodRule& rule : MethodRules()) {
    if (rule.method == full_method) return &rule;
  }
  return nullptr;
}

std::vector<std::string> ResourcesOf(const MethodRule& rule, const Message& request) {
  std::vector<std::string> names;
  for (const std::string& path : rule.fields) CollectField(request, path, names);
  if (!rule.id_field.empty()) {
    std::vector<std::string> ids;
    CollectField(request, rule.id_field, ids);
    // An empty id names the bare collection prefix, which no scope but `*` covers.
    names.push_back(rule.id_prefix + (ids.empty() ? "" : ids[0]));
  }
  if (names.size() > 1) {
    names.erase(std::remove(names.begin(), names.end(), std::string(kAllPublishers)), names.end());
  }
  // The license methods take the `licenses/` prefix in any case (`Licenses/MIT License` resolves as an alias);
  // scopes are lowercase.
  for (std::string& name : names) {
    if (HasLicensePrefix(name)) name.replace(0, kLicensePrefix.size(), kLicensePrefix.data(), kLicensePrefix.size());
  }
  if (names.empty()) names.push_back(rule.fixed_resource);
  return names;
}

absl::Status AuthorizeCall(const Principal& principal, absl::string_view full_method, const Message& request) {
  const MethodRule* rule = FindMethodRule(full_method);
  if (rule == nullptr) {
    return ErrorWithReason(absl::StatusCode::kPermissionDenied, "NO_AUTHORIZATION_RULE",
                           absl::StrCat("no authorization rule for ", full_method));
  }
  for (const std::string& resource : ResourcesOf(*rule, request)) {
    absl::Status status = Authorize(principal, rule->action, resource);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace modelreg

#include "client/cli/governance_commands.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli/command_options.h"
#include "client/cli/governance_output.h"
#include "client/cli/record_io.h"
#include "server/domain/names.h"

namespace modelreg::cli {
namespace {

// A name as typed, resolved: the full resource name, and its parent and id for the Create request.
struct ResourceName {
  std::string parent;  // `organizations/ORG` for a deployment or a policy; "" for an organization
  std::string id;      // the last id: ORG, DEP or POL
  std::string name;    // `organizations/ORG`, `organizations/ORG/deployments/DEP`, ...
};

absl::StatusOr<ResourceName> ParseChildName(absl::string_view text, absl::string_view collection) {
  absl::StatusOr<OrganizationChild> child = ParseOrganizationChildShorthand(text, collection);
  if (!child.ok()) return child.status();
  return ResourceName{OrganizationName(child->organization), child->id,
                      OrganizationChildName(child->organization, collection, child->id)};
}

// --parent of `deployments list` and `policies list`: `ORG`, `organizations/ORG`, or `-` / `organizations/-` for
// every organization the caller may read.
absl::StatusOr<std::string> ParseListParent(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed == "-" || trimmed == "organizations/-") return OrganizationName("-");
  absl::StatusOr<std::string> id = ParseOrganizationShorthand(trimmed);
  if (!id.ok()) return id.status();
  return OrganizationName(*id);
}

template <typename Request>
Request NameAndEtag(const std::string& name, const std::string& etag) {
  Request request;
  request.set_name(name);
  request.set_etag(etag);
  return request;
}

// What differs between organizations, deployments and policies: the command words, the name syntax, the request
// types and client methods, and the views. Everything else (reading records, the default update mask, delete and
// undelete, list flags and paging) is shared by the templates below, so the three command groups behave alike.
struct OrganizationKind {
  using Resource = v1::Organization;
  using ListRequest = v1::ListOrganizationsRequest;
  using ListResponse = v1::ListOrganizationsResponse;
  static constexpr char kGroup[] = "orgs";
  static constexpr char kSingular[] = "organization";
  static constexpr char kPlural[] = "organizations";
  static constexpr char kNameHelp[] = "organizations/ORG or ORG";
  static constexpr char kFilterExample[] = "'commercial = true AND monthly_active_users > 1000000'";
  static constexpr char kOrderExample[] = "'display_name,name'";
  static constexpr char kMaskExample[] = "monthly_active_users,affiliates";
  static constexpr bool kHasParent = false;  // organizations are top-level: no --parent

  static absl::StatusOr<ResourceName> ParseName(absl::string_view text) {
    absl::StatusOr<std::string> id = ParseOrganizationShorthand(text);
    if (!id.ok()) return id.status();
    return ResourceName{"", *id, OrganizationName(*id)};
  }
  static absl::StatusOr<Resource> Create(Client& client, const ResourceName& name, const Resource& resource) {
    v1::CreateOrganizationRequest request;
    request.set_organization_id(name.id);
    *request.mutable_organization() = resource;
    return client.CreateOrganization(request);
  }
  static absl::StatusOr<Resource> Get(Client& client, const std::string& name) {
    v1::GetOrganizationRequest request;
    request.set_name(name);
    return client.GetOrganization(request);
  }
  static absl::StatusOr<Resource> Update(Client& client, const Resource& resource,
                                         const google::protobuf::FieldMask& mask) {
    v1::UpdateOrganizationRequest request;
    *request.mutable_organization() = resource;
    *request.mutable_update_mask() = mask;
    return client.UpdateOrganization(request);
  }
  static absl::StatusOr<Resource> Delete(Client& client, const std::string& name, const std::string& etag,
                                         bool undelete) {
    if (undelete) return client.UndeleteOrganization(NameAndEtag<v1::UndeleteOrganizationRequest>(name, etag));
    return client.DeleteOrganization(NameAndEtag<v1::DeleteOrganizationRequest>(name, etag));
  }
  static absl::StatusOr<ListResponse> List(Client& client, const ListRequest& request, bool all) {
    return all ? client.ListAllOrganizations(request) : client.ListOrganizations(request);
  }
  static const auto& Items(const ListResponse& response) { return response.organizations(); }
  static std::string Table(const std::vector<Resource>& items) { return OrganizationsTable(items); }
  static std::string Detail(const Resource& resource) { return OrganizationDetail(resource); }
};

struct DeploymentKind {
  using Resource = v1::Deployment;
  using ListRequest = v1::ListDeploymentsRequest;
  using ListResponse = v1::ListDeploymentsResponse;
  static constexpr char kGroup[] = "deployments";
  static constexpr char kSingular[] = "deployment";
  static constexpr char kPlural[] = "deployments";
  static constexpr char kNameHelp[] = "organizations/ORG/deployments/DEP or ORG/DEP";
  static constexpr char kFilterExample[] = "'state = APPROVED AND model.openness.level < 3'";
  static constexpr char kOrderExample[] = "'update_time desc'";
  static constexpr char kMaskExample[] =
      "state,owner; name `override` (with override.justification in the file) to deploy despite violations";
  static constexpr bool kHasParent = true;

  static absl::StatusOr<ResourceName> ParseName(absl::string_view text) { return ParseChildName(text, kPlural); }
  static absl::StatusOr<Resource> Create(Client& client, const ResourceName& name, const Resource& resource) {
    v1::CreateDeploymentRequest request;
    request.set_parent(name.parent);
    request.set_deployment_id(name.id);
    *request.mutable_deployment() = resource;
    return client.CreateDeployment(request);
  }
  static absl::StatusOr<Resource> Get(Client& client, const std::string& name) {
    v1::GetDeploymentRequest request;
    request.set_name(name);
    return client.GetDeployment(request);
  }
  static absl::StatusOr<Resource> Update(Client& client, const Resource& resource,
                                         const google::protobuf::FieldMask& mask) {
    v1::UpdateDeploymentRequest request;
    *request.mutable_deployment() = resource;
    *request.mutable_update_mask() = mask;
    return client.UpdateDeployment(request);
  }
  static absl::StatusOr<Resource> Delete(Client& client, const std::string& name, const std::string& etag,
                                         bool undelete) {
    if (undelete) return client.UndeleteDeployment(NameAndEtag<v1::UndeleteDeploymentRequest>(name, etag));
    return client.DeleteDeployment(NameAndEtag<v1::DeleteDeploymentRequest>(name, etag));
  }
  static absl::StatusOr<ListResponse> List(Client& client, const ListRequest& request, bool all) {
    return all ? client.ListAllDeployments(request) : client.ListDeployments(request);
  }
  static const auto& Items(const ListResponse& response) { return response.deployments(); }
  static std::string Table(const std::vector<Resource>& items) { return DeploymentsTable(items); }
  static std::string Detail(const Resource& resource) { return DeploymentDetail(resource); }
};

struct PolicyKind {
  using Resource = v1::Policy;
  using ListRequest = v1::ListPoliciesRequest;
  using ListResponse = v1::ListPoliciesResponse;
  static constexpr char kGroup[] = "policies";
  static constexpr char kSingular[] = "policy";
  static constexpr char kPlural[] = "policies";
  static constexpr char kNameHelp[] = "organizations/ORG/policies/POL or ORG/POL";
  static constexpr char kFilterExample[] = "'mode = ENFORCE'";
  static constexpr char kOrderExample[] = "'mode,name'";
  static constexpr char kMaskExample[] = "filter,mode";
  static constexpr bool kHasParent = true;

  static absl::StatusOr<ResourceName> ParseName(absl::string_view text) { return ParseChildName(text, kPlural); }
  static absl::StatusOr<Resource> Create(Client& client, const ResourceName& name, const Resource& resource) {
    v1::CreatePolicyRequest request;
    request.set_parent(name.parent);
    request.set_policy_id(name.id);
    *request.mutable_policy() = resource;
    return client.CreatePolicy(request);
  }
  static absl::StatusOr<Resource> Get(Client& client, const std::string& name) {
    v1::GetPolicyRequest request;
    request.set_name(name);
    return client.GetPolicy(request);
  }
  static absl::StatusOr<Resource> Update(Client& client, const Resource& resource,
                                         const google::protobuf::FieldMask& mask) {
    v1::UpdatePolicyRequest request;
    *request.mutable_policy() = resource;
    *request.mutable_update_mask() = mask;
    return client.UpdatePolicy(request);
  }
  static absl::StatusOr<Resource> Delete(Client& client, const std::string& name, const std::string& etag,
                                         bool undelete) {
    if (undelete) return client.UndeletePolicy(NameAndEtag<v1::UndeletePolicyRequest>(name, etag));
    return client.DeletePolicy(NameAndEtag<v1::DeletePolicyRequest>(name, etag));
  }
  static absl::StatusOr<ListResponse> List(Client& client, const ListRequest& request, bool all) {
    return all ? client.ListAllPolicies(request) : client.ListPolicies(request);
  }
  static const auto& Items(const ListResponse& response) { return response.policies(); }
  static std::string Table(const std::vector<Resource>& items) { return PoliciesTable(items); }
  static std::string Detail(const Resource& resource) { return PolicyDetail(resource); }
};

// Reads the record from -f and settles its name: the positional name, else the record's; both must agree. Returns an
// exit code (kExitOk when `resource` and `name` are filled in) and the raw text in `text`, for the default mask.
template <typename Kind>
int LoadRecord(const RecordOptions& opts, typename Kind::Resource* resource, ResourceName* name, std::string* text) {
  absl::StatusOr<std::string> read = ReadFile(opts.file);
  if (!read.ok()) return LocalError(read.status());
  *text = *std::move(read);
  if (absl::Status s = ParseRecord(opts.file, *text, resource); !s.ok()) return LocalError(s);
  if (opts.name.empty() && resource->name().empty()) {
    return UsageError(absl::InvalidArgumentError(
        absl::StrCat("no ", Kind::kSingular, " name: give NAME or set `name` in ", opts.file)));
  }
  absl::StatusOr<ResourceName> parsed = Kind::ParseName(opts.name.empty() ? resource->name() : opts.name);
  if (!parsed.ok()) return UsageError(parsed.status());
  if (!opts.name.empty() && !resource->name().empty()) {
    absl::StatusOr<ResourceName> in_file = Kind::ParseName(resource->name());
    if (!in_file.ok() || in_file->name != parsed->name) {
      return UsageError(absl::InvalidArgumentError(
          absl::StrCat("NAME ", parsed->name, " differs from the name in ", opts.file, ": ", resource->name())));
    }
  }
  *name = *std::move(parsed);
  resource->set_name(name->name);
  return kExitOk;
}

template <typename Kind>
int PrintResult(Context& ctx, const absl::StatusOr<typename Kind::Resource>& resource) {
  if (!resource.ok()) return RpcError(ctx, resource.status());
  return Print(ctx, *resource, Kind::Detail(*resource));
}

template <typename Kind>
int Create(Context& ctx, const RecordOptions& opts) {
  typename Kind::Resource resource;
  ResourceName name;
  std::string text;
  if (int rc = LoadRecord<Kind>(opts, &resource, &name, &text); rc != kExitOk) return rc;
  return PrintResult<Kind>(ctx, Kind::Create(ctx.client(), name, resource));
}

template <typename Kind>
int Get(Context& ctx, const NameOptions& opts) {
  absl::StatusOr<ResourceName> name = Kind::ParseName(opts.name);
  if (!name.ok()) return UsageError(name.status());
  return PrintResult<Kind>(ctx, Kind::Get(ctx.client(), name->name));
}

template <typename Kind>
int Update(Context& ctx, const RecordOptions& opts) {
  typename Kind::Resource resource;
  ResourceName name;
  std::string text;
  if (int rc = LoadRecord<Kind>(opts, &resource, &name, &text); rc != kExitOk) return rc;
  absl::StatusOr<std::vector<std::string>> paths = opts.update_mask.empty()
                                                       ? TopLevelFields(text, *Kind::Resource::descriptor())
                                                       : ParseUpdateMask(opts.update_mask);
  if (!paths.ok()) return UsageError(paths.status());
  if (paths->empty()) {
    return UsageError(absl::InvalidArgumentError(
        absl::StrCat(opts.file, " sets no updatable field; give --update-mask to clear fields")));
  }
  google::protobuf::FieldMask mask;
  for (const std::string& path : *paths) mask.add_paths(path);
  return PrintResult<Kind>(ctx, Kind::Update(ctx.client(), resource, mask));
}

template <typename Kind>
int Delete(Context& ctx, const NameOptions& opts, bool undelete) {
  absl::StatusOr<ResourceName> name = Kind::ParseName(opts.name);
  if (!name.ok()) return UsageError(name.status());
  return PrintResult<Kind>(ctx, Kind::Delete(ctx.client(), name->name, opts.etag, undelete));
}

template <typename Kind>
int List(Context& ctx, const ListOptions& opts) {
  if (opts.page_size < 0) return UsageError(absl::InvalidArgumentError("--page-size must not be negative"));
  typename Kind::ListRequest request;
  if constexpr (Kind::kHasParent) {
    absl::StatusOr<std::string> parent = ParseListParent(opts.parent);
    if (!parent.ok()) return UsageError(parent.status());
    request.set_parent(*parent);
  }
  request.set_filter(opts.filter);
  request.set_order_by(opts.order_by);
  request.set_show_deleted(opts.show_deleted);
  request.set_page_size(opts.page_size);
  request.set_page_token(opts.page_token);
  absl::StatusOr<typename Kind::ListResponse> response = Kind::List(ctx.client(), request, opts.all);
  if (!response.ok()) return RpcError(ctx, response.status());
  const auto& items = Kind::Items(*response);
  const int rc = Print(ctx, *response, Kind::Table(std::vector<typename Kind::Resource>(items.begin(), items.end())));
  ReportPageHints(ctx, items.size(), response->next_page_token(), Kind::kPlural);
  return rc;
}

// The `create get update delete undelete list` group of one Kind.
template <typename Kind>
CLI::App* AddResourceCommands(CLI::App& app, Context& ctx, const std::string& description) {
  CLI::App* group = app.add_subcommand(Kind::kGroup, description);
  group->require_subcommand(1);
  const std::string name_help = Kind::kNameHelp;
  const std::string singular = Kind::kSingular;
  // "a deployment", "an organization": for the help texts.
  const std::string a_singular = (absl::StrContains("aeiou", singular[0]) ? "an " : "a ") + singular;
  {
    auto opts = std::make_shared<RecordOptions>();
    CLI::App* cmd = group->add_subcommand("create", "Create " + a_singular + " from a YAML or JSON record");
    cmd->add_option("name,--name", opts->name, name_help + "; default: the record's `name`");
    cmd->add_option("-f,--file", opts->file, "The record (YAML or JSON, proto3 JSON mapping); - for stdin")->required();
    cmd->callback([&ctx, opts] { ctx.exit_code = Create<Kind>(ctx, *opts); });
  }
  {
    auto opts = std::make_shared<NameOptions>();
    CLI::App* cmd = group->add_subcommand("get", "Show " + a_singular + ", soft-deleted or not");
    cmd->add_option("name,--name", opts->name, name_help)->required();
    cmd->callback([&ctx, opts] { ctx.exit_code = Get<Kind>(ctx, *opts); });
  }
  {
    auto opts = std::make_shared<RecordOptions>();
    CLI::App* cmd = group->add_subcommand("update", "Update fields of " + a_singular + " from a YAML or JSON record");
    cmd->add_option("name,--name", opts->name, name_help + "; default: the record's `name`");
    cmd->add_option("-f,--file", opts->file, "The record with the new values; its etag, if any, is checked")
        ->required();
    cmd->add_option("--update-mask", opts->update_mask,
                    std::string("Comma-separated fields to update, e.g. ") + Kind::kMaskExample +
                        " (default: the top-level fields present in the file)");
    cmd->callback([&ctx, opts] { ctx.exit_code = Update<Kind>(ctx, *opts); });
  }
  AddDeleteCommands(
      group, singular, name_help,
      [&ctx](const NameOptions& opts, bool undelete) { return Delete<Kind>(ctx, opts, undelete); }, ctx);
  {
    auto opts = std::make_shared<ListOptions>();
    CLI::App* cmd = group->add_subcommand("list", std::string("List ") + Kind::kPlural + ", filtered and ordered");
    if constexpr (Kind::kHasParent) {
      opts->parent = "-";
      cmd->add_option("--parent", opts->parent, "ORG, organizations/ORG, or - for every organization you may read")
          ->capture_default_str();
    }
    AddListFlags(cmd, opts.get(), Kind::kPlural, Kind::kFilterExample, Kind::kOrderExample);
    cmd->callback([&ctx, opts] { ctx.exit_code = List<Kind>(ctx, *opts); });
  }
  return group;
}

struct ComplianceOptions {
  std::string organization;
  std::string filter;
  int page_size = 0;
  std::string page_token;
  bool all = false;
  std::string at;
};

int Compliance(Context& ctx, const ComplianceOptions& opts) {
  absl::StatusOr<std::string> id = ParseOrganizationShorthand(opts.organization);
  if (!id.ok()) return UsageError(id.status());
  if (opts.page_size < 0) return UsageError(absl::InvalidArgumentError("--page-size must not be negative"));
  v1::EvaluateComplianceRequest request;
  request.set_organization(OrganizationName(*id));
  request.set_filter(opts.filter);
  request.set_page_size(opts.page_size);
  request.set_page_token(opts.page_token);
  if (absl::Status parsed = SetReadTime(opts.at, request); !parsed.ok()) return UsageError(parsed);
  absl::StatusOr<v1::EvaluateComplianceResponse> response =
      opts.all ? ctx.client().EvaluateAllCompliance(request) : ctx.client().EvaluateCompliance(request);
  if (!response.ok()) return RpcError(ctx, response.status());
  const int rc = Print(ctx, *response, ComplianceTable(*response));
  ReportPageHints(ctx, response->rows_size(), response->next_page_token(), "deployments");
  if (rc != kExitOk) return rc;
  // Like `check`, the verdict is in the exit code so scripts and CI can gate on it without parsing the output.
  return AnyNonCompliant(*response) ? kExitNonCompliant : kExitOk;
}

void AddComplianceCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<ComplianceOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compliance",
      "Evaluate an organization's live deployments against its policies and the models' license terms, one row per "
      "deployment. Exit code: 0 when no row shown is non-compliant (compliant, review and overridden rows exit 0), "
      "6 when one is; 64 + gRPC code for an RPC error. Without --all only the page shown counts");
  cmd->add_option("org,--org", opts->organization, "organizations/ORG or ORG")->required();
  cmd->add_option("--filter", opts->filter,
                  "A deployments filter choosing the deployments evaluated, e.g. 'state = APPROVED' (default: all)");
  cmd->add_option("--page-size", opts->page_size, "Deployments per page (0: server default)");
  cmd->add_option("--page-token", opts->page_token, "Continue from a previous page");
  cmd->add_flag("--all", opts->all, "Follow page tokens to the end");
  cmd->add_option("--at", opts->at, AtHelp("the report") + " (\"were we compliant then?\")");
  cmd->callback([&ctx, opts] { ctx.exit_code = Compliance(ctx, *opts); });
}

}  // namespace

void AddGovernanceCommands(CLI::App& app, Context& ctx) {
  AddResourceCommands<OrganizationKind>(
      app, ctx, "Create, read, update, delete and list organizations (their size and kind of use)")
      ->alias("organizations");
  AddResourceCommands<DeploymentKind>(app, ctx,
                                      "Create, read, update, delete and list deployments (an organization's models "
                                      "in use); create and approval are checked against its policies");
  AddResourceCommands<PolicyKind>(app, ctx,
                                  "Create, read, update, delete and list policies (model filters an organization's "
                                  "deployments must satisfy)");
  AddComplianceCommand(app, ctx);
}

}  // namespace modelreg::cli

// The authorization decision for every RPC of modelreg.v1, as a table: (method, request, principal) -> allowed?
// A second test walks the service descriptors: a method with no rule fails it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "modelreg/v1/admin.grpc.pb.h"
#include "modelreg/v1/governance.grpc.pb.h"
#include "modelreg/v1/history.grpc.pb.h"
#include "modelreg/v1/license_catalog.grpc.pb.h"
#include "modelreg/v1/model_registry.grpc.pb.h"
#include "modelreg/v1/usage_checker.grpc.pb.h"
#include "server/common/errors.h"
#include "server/domain/auth/auth.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::google::protobuf::Message;
using ::google::protobuf::MessageFactory;
using ::google::protobuf::TextFormat;

Principal Make(const std::string& name, std::vector<Binding> bindings) {
  return Principal{name, "tokens/" + name, std::move(bindings)};
}

const Principal kViewerAll = Make("viewer", {{v1::ROLE_VIEWER, "*"}});
const Principal kEditorAll = Make("editor", {{v1::ROLE_EDITOR, "*"}});
const Principal kAdminAll = Make("admin", {{v1::ROLE_ADMIN, "*"}});
const Principal kEditorA = Make("editor-a", {{v1::ROLE_EDITOR, "publishers/a"}});
const Principal kViewerAB = Make("viewer-ab", {{v1::ROLE_VIEWER, "publishers/a"}, {v1::ROLE_VIEWER, "publishers/b"}});
const Principal kLicenseEditor = Make("license-editor", {{v1::ROLE_EDITOR, "licenses"}});
const Principal kAdminA = Make("admin-a", {{v1::ROLE_ADMIN, "publishers/a"}});
const Principal kNobody = Make("nobody", {});
const Principal kOrgViewerA =
    Make("org-viewer-a", {{v1::ROLE_VIEWER, "publishers/a"}, {v1::ROLE_VIEWER, "organizations/acme"}});
const Principal kOrgEditor = Make("org-editor", {{v1::ROLE_EDITOR, "organizations/acme"}});

struct Case {
  std::string method;   // short: `ModelRegistry/GetModel`
  std::string request;  // text format
  const Principal* principal;
  bool allowed;
};

// Links the generated files of every modelreg service, so the generated pool knows their descriptors.
void LoadServiceFiles() {
  (void)v1::GetModelRequest::descriptor();
  (void)v1::GetLicenseRequest::descriptor();
  (void)v1::CreateTokenRequest::descriptor();
  (void)v1::CheckUsageRequest::descriptor();
  (void)v1::GetOrganizationRequest::descriptor();
  (void)v1::GetRevisionRequest::descriptor();
}

std::unique_ptr<Message> Request(const std::string& method, const std::string& text) {
  LoadServiceFiles();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const auto slash = method.find('/');
  const auto* service = pool->FindServiceByName("modelreg.v1." + method.substr(0, slash));
  if (service == nullptr) {
    ADD_FAILURE() << method;
    return std::make_unique<v1::GetModelRequest>();
  }
  const auto* m = service->FindMethodByName(method.substr(slash + 1));
  if (m == nullptr) {
    ADD_FAILURE() << method;
    return std::make_unique<v1::GetModelRequest>();
  }
  std::unique_ptr<Message> request(MessageFactory::generated_factory()->GetPrototype(m->input_type())->New());
  EXPECT_TRUE(TextFormat::ParseFromString(text, request.get())) << text;
  return request;
}

TEST(AuthorizeCallTest, EveryRpc) {
  const std::vector<Case> cases = {
      // ModelRegistry: reads.
      {"ModelRegistry/GetModel", R"(name: "publishers/a/models/m")", &kViewerAll, true},
      {"ModelRegistry/GetModel", R"(name: "publishers/a/models/m")", &kViewerAB, true},
      {"ModelRegistry/GetModel", R"(name: "publishers/c/models/m")", &kViewerAB, false},
      {"ModelRegistry/GetModel", R"(name: "publishers/ab/models/m")", &kViewerAB, false},  // segment boundary
      {"ModelRegistry/GetModel", R"(name: "publishers/a/models/m")", &kLicenseEditor, false},
      {"ModelRegistry/GetModel", R"(name: "publishers/a/models/m")", &kNobody, false},
      // BatchGetModels: every name must be in scope.
      {"ModelRegistry/BatchGetModels", R"(names: "publishers/a/models/m" names: "publishers/b/models/n")", &kViewerAB,
       true},
      {"ModelRegistry/BatchGetModels", R"(names: "publishers/a/models/m" names: "publishers/c/models/n")", &kViewerAB,
       false},
      {"ModelRegistry/BatchGetModels", R"(parent: "publishers/c" names: "publishers/a/models/m")", &kViewerAB, false},
      {"ModelRegistry/ListModels", R"(parent: "publishers/a")", &kEditorA, true},
      {"ModelRegistry/ListModels", R"(parent: "publishers/b")", &kEditorA, false},
      {"ModelRegistry/ListModels", R"(parent: "publishers/-")", &kViewerAB, true},  // narrowed by the service
      {"ModelRegistry/ListModels", R"(parent: "publishers/-")", &kViewerAll, true},
      {"ModelRegistry/ListModels", R"(parent: "publishers/-")", &kLicenseEditor, false},
      {"ModelRegistry/ClassifyModel", R"(model { display_name: "x" })", &kViewerAB, true},
      {"ModelRegistry/ClassifyModel", R"(model { name: "publishers/c/models/m" })", &kViewerAB, false},
      {"ModelRegistry/ClassifyModel", R"(model { display_name: "x" })", &kNobody, false},
      // ModelRegistry: writes.
      {"ModelRegistry/CreateModel", R"(parent: "publishers/a" model_id: "m")", &kEditorA, true},
      {"ModelRegistry/CreateModel", R"(parent: "publishers/b" model_id: "m")", &kEditorA, false},
      {"ModelRegistry/CreateModel", R"(parent: "publishers/a" model_id: "m")", &kViewerAll, false},
      {"ModelRegistry/CreateModel", R"(parent: "publishers/a" model_id: "m")", &kAdminA, true},
      {"ModelRegistry/BatchCreateModels", R"(parent: "publishers/a" requests { model_id: "m" })", &kEditorA, true},
      {"ModelRegistry/BatchCreateModels",
       R"(parent: "publishers/-" requests { parent: "publishers/a" } requests { parent: "publishers/a" })", &kEditorA,
       true},
      {"ModelRegistry/BatchCreateModels",
       R"(parent: "publishers/-" requests { parent: "publishers/a" } requests { parent: "publishers/b" })", &kEditorA,
       false},  // every item is checked
      {"ModelRegistry/BatchCreateModels", R"(parent: "publishers/a" requests { parent: "publishers/b" })", &kEditorA,
       false},
      {"ModelRegistry/BatchCreateModels", R"(parent: "publishers/-" requests { model_id: "m" })", &kEditorA, false},
      {"ModelRegistry/BatchCreateModels", R"(parent: "publishers/-" requests { model_id: "m" })", &kEditorAll, true},
      {"ModelRegistry/UpdateModel", R"(model { name: "publishers/a/models/m" })", &kEditorA, true},
      {"ModelRegistry/UpdateModel", R"(model { name: "publishers/b/models/m" })", &kEditorA, false},
      {"ModelRegistry/UpdateModel", R"(model { name: "publishers/a/models/m" })", &kViewerAll, false},
      {"ModelRegistry/DeleteModel", R"(name: "publishers/a/models/m")", &kEditorA, true},
      {"ModelRegistry/DeleteModel", R"(name: "publishers/b/models/m")", &kEditorA, false},
      {"ModelRegistry/DeleteModel", R"(name: "publishers/a/models/m")", &kViewerAB, false},
      {"ModelRegistry/UndeleteModel", R"(name: "publishers/a/models/m")", &kEditorA, true},
      {"ModelRegistry/UndeleteModel", R"(name: "publishers/b/models/m")", &kEditorA, false},
      // LicenseCatalog.
      {"LicenseCatalog/GetLicense", R"(name: "licenses/mit")", &kViewerAll, true},
      {"LicenseCatalog/GetLicense", R"(name: "licenses/mit")", &kLicenseEditor, true},
      {"LicenseCatalog/GetLicense", R"(name: "Licenses/MIT License")", &kLicenseEditor, true},  // any-case prefix
      {"LicenseCatalog/GetLicense", R"(name: "licenses/mit")", &kEditorA, false},
      {"LicenseCatalog/ListLicenses", "", &kViewerAll, true},
      {"LicenseCatalog/ListLicenses", "", &kEditorA, false},
      {"LicenseCatalog/CreateLicense", R"(license_id: "mit")", &kLicenseEditor, true},
      {"LicenseCatalog/CreateLicense", R"(license_id: "mit")", &kViewerAll, false},
      {"LicenseCatalog/CreateLicense", R"(license_id: "mit")", &kEditorA, false},
      {"LicenseCatalog/UpdateLicense", R"(license { name: "licenses/mit" })", &kLicenseEditor, true},
      {"LicenseCatalog/UpdateLicense", R"(license { name: "licenses/mit" })", &kViewerAll, false},
      {"LicenseCatalog/DeleteLicense", R"(name: "licenses/mit")", &kEditorAll, true},
      {"LicenseCatalog/DeleteLicense", R"(name: "licenses/mit")", &kEditorA, false},
      {"LicenseCatalog/UndeleteLicense", R"(name: "licenses/mit")", &kLicenseEditor, true},
      {"LicenseCatalog/UndeleteLicense", R"(name: "licenses/mit")", &kViewerAll, false},
      // UsageChecker: a viewer of the model (and of the organization whose figures a check uses).
      {"UsageChecker/CheckUsage", R"(model: "publishers/a/models/m" profile {})", &kViewerAB, true},
      {"UsageChecker/CheckUsage", R"(model: "publishers/a/models/m")", &kEditorA, true},
      {"UsageChecker/CheckUsage", R"(model: "publishers/c/models/m" profile {})", &kViewerAB, false},
      {"UsageChecker/CheckUsage", R"(model: "publishers/a/models/m")", &kLicenseEditor, false},
      {"UsageChecker/CheckUsage", R"(model: "publishers/a/models/m")", &kNobody, false},
      {"UsageChecker/CheckUsage", R"(model: "publishers/a/models/m" organization: "organizations/acme")", &kViewerAB,
       false},
      {"UsageChecker/CheckUsage", R"(model: "publishers/a/models/m" organization: "organizations/acme")", &kViewerAll,
       true},
      {"UsageChecker/CheckUsage", R"(model: "publishers/a/models/m" deployment: "organizations/acme/deployments/d")",
       &kOrgViewerA, true},
      {"UsageChecker/CheckUsage", R"(model: "publishers/a/models/m" deployment: "organizations/other/deployments/d")",
       &kOrgViewerA, false},
      // Governance: scope `organizations/{id}` covers the organization, its deployments and its policies; creating
      // an organization needs the role on the new name.
      {"Governance/CreateOrganization", R"(organization_id: "acme")", &kOrgEditor, true},
      {"Governance/CreateOrganization", R"(organization_id: "other")", &kOrgEditor, false},
      {"Governance/CreateOrganization", R"(organization_id: "acme")", &kOrgViewerA, false},
      {"Governance/GetOrganization", R"(name: "organizations/acme")", &kOrgViewerA, true},
      {"Governance/GetOrganization", R"(name: "organizations/other")", &kOrgViewerA, false},
      {"Governance/GetOrganization", R"(name: "organizations/acme")", &kViewerAB, false},
      {"Governance/UpdateOrganization", R"(organization { name: "organizations/acme" })", &kOrgEditor, true},
      {"Governance/UpdateOrganization", R"(organization { name: "organizations/acme" })", &kOrgViewerA, false},
      {"Governance/DeleteOrganization", R"(name: "organizations/acme")", &kOrgEditor, true},
      {"Governance/DeleteOrganization", R"(name: "organizations/other")", &kOrgEditor, false},
      {"Governance/UndeleteOrganization", R"(name: "organizations/acme")", &kOrgEditor, true},
      {"Governance/UndeleteOrganization", R"(name: "organizations/acme")", &kNobody, false},
      {"Governance/ListOrganizations", "", &kOrgViewerA, true},  // narrowed by the service
      {"Governance/ListOrganizations", "", &kViewerAB, false},
      {"Governance/CreateDeployment", R"(parent: "organizations/acme")", &kOrgEditor, true},
      {"Governance/CreateDeployment", R"(parent: "organizations/other")", &kOrgEditor, false},
      {"Governance/CreateDeployment", R"(parent: "organizations/acme")", &kOrgViewerA, false},
      {"Governance/GetDeployment", R"(name: "organizations/acme/deployments/d")", &kOrgViewerA, true},
      {"Governance/GetDeployment", R"(name: "organizations/other/deployments/d")", &kOrgViewerA, false},
      {"Governance/UpdateDeployment", R"(deployment { name: "organizations/acme/deployments/d" })", &kOrgEditor, true},
      {"Governance/UpdateDeployment", R"(deployment { name: "organizations/other/deployments/d" })", &kOrgEditor,
       false},
      {"Governance/DeleteDeployment", R"(name: "organizations/acme/deployments/d")", &kOrgEditor, true},
      {"Governance/DeleteDeployment", R"(name: "organizations/acme/deployments/d")", &kOrgViewerA, false},
      {"Governance/UndeleteDeployment", R"(name: "organizations/acme/deployments/d")", &kOrgEditor, true},
      {"Governance/UndeleteDeployment", R"(name: "organizations/other/deployments/d")", &kOrgEditor, false},
      {"Governance/ListDeployments", R"(parent: "organizations/acme")", &kOrgViewerA, true},
      {"Governance/ListDeployments", R"(parent: "organizations/other")", &kOrgViewerA, false},
      {"Governance/ListDeployments", R"(parent: "organizations/-")", &kOrgViewerA, true},
      {"Governance/CreatePolicy", R"(parent: "organizations/acme")", &kOrgEditor, true},
      {"Governance/CreatePolicy", R"(parent: "organizations/acme")", &kOrgViewerA, false},
      {"Governance/GetPolicy", R"(name: "organizations/acme/policies/p")", &kOrgViewerA, true},
      {"Governance/GetPolicy", R"(name: "organizations/other/policies/p")", &kOrgViewerA, false},
      {"Governance/UpdatePolicy", R"(policy { name: "organizations/acme/policies/p" })", &kOrgEditor, true},
      {"Governance/UpdatePolicy", R"(policy { name: "organizations/acme/policies/p" })", &kOrgViewerA, false},
      {"Governance/DeletePolicy", R"(name: "organizations/acme/policies/p")", &kOrgEditor, true},
      {"Governance/DeletePolicy", R"(name: "organizations/other/policies/p")", &kOrgEditor, false},
      {"Governance/UndeletePolicy", R"(name: "organizations/acme/policies/p")", &kOrgEditor, true},
      {"Governance/UndeletePolicy", R"(name: "organizations/acme/policies/p")", &kViewerAll, false},
      {"Governance/ListPolicies", R"(parent: "organizations/acme")", &kOrgViewerA, true},
      {"Governance/ListPolicies", R"(parent: "organizations/acme")", &kViewerAB, false},
      {"Governance/EvaluateCompliance", R"(organization: "organizations/acme")", &kOrgViewerA, true},
      {"Governance/EvaluateCompliance", R"(organization: "organizations/other")", &kOrgViewerA, false},
      // Anonymous readers (--allow-anonymous-read) see models and licenses, never an organization's figures.
      {"UsageChecker/CheckUsage", R"(model: "publishers/a/models/m" profile {})", &Principal::AnonymousReader(), true},
      {"UsageChecker/CheckUsage", R"(model: "publishers/a/models/m" organization: "organizations/acme")",
       &Principal::AnonymousReader(), false},
      // History: read like the resource itself.
      {"History/ListRevisions", R"(name: "publishers/a/models/m")", &kViewerAB, true},
      {"History/ListRevisions", R"(name: "publishers/c/models/m")", &kViewerAB, false},
      {"History/ListRevisions", R"(name: "organizations/acme/deployments/d")", &kOrgViewerA, true},
      {"History/GetRevision", R"(name: "organizations/other" sequence: 1)", &kOrgViewerA, false},
      {"History/GetRevision", R"(name: "licenses/mit" sequence: 1)", &kViewerAll, true},
      // Purge: the admin role on the resource; an editor's or viewer's is not enough.
      {"History/Purge", R"(name: "publishers/a/models/m")", &kAdminA, true},
      {"History/Purge", R"(name: "publishers/b/models/m")", &kAdminA, false},
      {"History/Purge", R"(name: "publishers/a/models/m")", &kEditorAll, false},
      {"History/Purge", R"(name: "licenses/mit")", &kAdminAll, true},
      {"History/Purge", R"(name: "organizations/acme/deployments/d")", &kOrgEditor, false},
      // A change stream: each named prefix needs the viewer role; with none, any read binding (the service then
      // shows each change only to whoever may read its resource).
      {"History/WatchChanges", R"(name_prefixes: "publishers/a")", &kViewerAB, true},
      {"History/WatchChanges", R"(name_prefixes: "publishers/a" name_prefixes: "publishers/c")", &kViewerAB, false},
      {"History/WatchChanges", "", &kOrgViewerA, true},
      {"History/WatchChanges", "", &kNobody, false},
      // Admin: admin on `*` only.
      {"Admin/CreateToken", "", &kAdminAll, true},
      {"Admin/CreateToken", "", &kAdminA, false},
      {"Admin/CreateToken", "", &kEditorAll, false},
      {"Admin/ListTokens", "", &kAdminAll, true},
      {"Admin/ListTokens", "", &kViewerAll, false},
      {"Admin/RevokeToken", R"(name: "tokens/x")", &kAdminAll, true},
      {"Admin/RevokeToken", R"(name: "tokens/x")", &kAdminA, false},
  };
  std::set<std::string> covered;
  for (const Case& c : cases) {
    const std::string method = absl::StrCat("/modelreg.v1.", c.method);
    covered.insert(method);
    const auto request = Request(c.method, c.request);
    const absl::Status status = AuthorizeCall(*c.principal, method, *request);
    EXPECT_EQ(status.ok(), c.allowed) << c.method << " {" << c.request << "} as " << c.principal->name << ": "
                                      << status;
    if (!c.allowed) {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_EQ(ErrorReason(status), "PERMISSION_DENIED");
    }
  }
  for (const MethodRule& rule : MethodRules()) EXPECT_TRUE(covered.count(rule.method)) << rule.method << " untested";
}

// History names who made each change: never open to anonymous readers (CallAuth admits them by this flag only).
TEST(AuthorizeCallTest, HistoryIsNeverAnonymous) {
  for (const char* method : {"/modelreg.v1.History/ListRevisions", "/modelreg.v1.History/GetRevision",
                             "/modelreg.v1.History/Purge", "/modelreg.v1.History/WatchChanges"}) {
    const MethodRule* rule = FindMethodRule(method);
    ASSERT_NE(rule, nullptr) << method;
    EXPECT_FALSE(rule->anonymous_read) << method;
  }
  EXPECT_TRUE(FindMethodRule("/modelreg.v1.ModelRegistry/ListModels")->anonymous_read);
}

// Every method of every modelreg service has a rule: a new RPC cannot be served without one. (The gRPC adapters
// call AuthorizeCall, which denies a method with no rule; this test finds the omission before a caller does.)
TEST(AuthorizeCallTest, EveryServiceMethodHasARule) {
  LoadServiceFiles();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int methods = 0;
  for (const char* file_name :
       {"modelreg/v1/model_registry.proto", "modelreg/v1/license_catalog.proto", "modelreg/v1/admin.proto",
        "modelreg/v1/usage_checker.proto", "modelreg/v1/governance.proto", "modelreg/v1/history.proto"}) {
    const auto* file = pool->FindFileByName(file_name);
    ASSERT_NE(file, nullptr) << file_name;
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const std::string full = absl::StrCat("/", service->full_name(), "/", service->method(m)->name());
        EXPECT_NE(FindMethodRule(full), nullptr) << full << " has no authorization rule (server/domain/auth/auth.cc)";
        ++methods;
      }
    }
  }
  EXPECT_EQ(methods, static_cast<int>(MethodRules().size())) << "a rule names a method that does not exist";
}

TEST(AuthorizeCallTest, UnknownMethodIsDenied) {
  const v1::GetModelRequest request;
  const absl::Status status = AuthorizeCall(kAdminAll, "/modelreg.v1.ModelRegistry/NoSuchMethod", request);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(status), "NO_AUTHORIZATION_RULE");
}

TEST(AuthorizeTest, DenialNamesActionAndResource) {
  const absl::Status status = Authorize(kViewerAll, Action::kWrite, "publishers/a/models/m");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("publishers/a/models/m"));
}

TEST(ScopeTest, Validation) {
  for (const char* good : {"*", "licenses", "publishers/meta-llama", "organizations/acme"}) {
    EXPECT_THAT(ValidateScope(good, "scope"), testing::IsOk()) << good;
  }
  for (const char* bad :
       {"", "publishers", "publishers/-", "publishers/A", "models", "publishers/a/models/m", "licenses/mit", "**"}) {
    EXPECT_THAT(ValidateScope(bad, "scope"), testing::StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(ScopeTest, ReadablePublishers) {
  EXPECT_EQ(ReadablePublishers(kViewerAll), std::nullopt);
  EXPECT_EQ(ReadablePublishers(kViewerAB), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ReadablePublishers(kLicenseEditor), std::vector<std::string>{});
}

}  // namespace
}  // namespace modelreg

#include "client/client.h"

#include <algorithm>
#include <optional>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/bearer_channel.h"
#include "client/server_target.h"
#include "server/domain/request_id.h"

namespace modelreg {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  AddErrorDetailPayloads(status.error_details(), result);
  return result;
}

Client::Client(const std::string& address, const std::string& token)
    : Client(CreateBearerChannel(ServerTarget(address).value_or(address), grpc::InsecureChannelCredentials(), token,
                                 RoundRobinArguments())) {}

Client::Client(const std::shared_ptr<grpc::Channel>& channel)
    : models_(v1::ModelRegistry::NewStub(channel)),
      licenses_(v1::LicenseCatalog::NewStub(channel)),
      admin_(v1::Admin::NewStub(channel)),
      usage_(v1::UsageChecker::NewStub(channel)),
      governance_(v1::Governance::NewStub(channel)),
      history_(v1::History::NewStub(channel)) {}

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(const std::string& address, const ChannelOptions& options,
                                                        const std::string& token) {
  absl::StatusOr<std::string> target = ServerTarget(address);
  if (!target.ok()) return target.status();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = BuildChannelCredentials(options);
  if (!credentials.ok()) return credentials.status();
  return std::make_unique<Client>(CreateBearerChannel(*target, *credentials, token, RoundRobinArguments()));
}

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Client::Call(Stub* stub,
                                      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                      const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  Response response;
  grpc::Status status = (stub->*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Client::Mutate(Stub* stub,
                                        grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                        const Request& request) {
  Request keyed = request;
  if (keyed.request_id().empty()) keyed.set_request_id(GenerateRequestId());
  thread_local std::minstd_rand jitter(std::random_device{}());
  const int attempts = std::max(1, retry_policy_.max_attempts);
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<Response> result = Call(stub, method, keyed);
    if (result.ok() || attempt >= attempts || !IsRetryableMutationError(result.status())) return result;
    absl::SleepFor(RetryBackoff(retry_policy_, attempt, std::uniform_real_distribution<double>(0.0, 1.0)(jitter)));
  }
}

absl::StatusOr<v1::Model> Client::CreateModel(const v1::CreateModelRequest& request) {
  return Mutate(models_.get(), &v1::ModelRegistry::Stub::CreateModel, request);
}
absl::StatusOr<v1::BatchCreateModelsResponse> Client::BatchCreateModels(const v1::BatchCreateModelsRequest& request) {
  return Mutate(models_.get(), &v1::ModelRegistry::Stub::BatchCreateModels, request);
}
absl::StatusOr<v1::Model> Client::GetModel(const v1::GetModelRequest& request) {
  return Call(models_.get(), &v1::ModelRegistry::Stub::GetModel, request);
}
absl::StatusOr<v1::BatchGetModelsResponse> Client::BatchGetModels(const v1::BatchGetModelsRequest& request) {
  return Call(models_.get(), &v1::ModelRegistry::Stub::BatchGetModels, request);
}
absl::StatusOr<v1::Model> Client::UpdateModel(const v1::UpdateModelRequest& request) {
  return Mutate(models_.get(), &v1::ModelRegistry::Stub::UpdateModel, request);
}
absl::StatusOr<v1::Model> Client::DeleteModel(const v1::DeleteModelRequest& request) {
  return Mutate(models_.get(), &v1::ModelRegistry::Stub::DeleteModel, request);
}
absl::StatusOr<v1::Model> Client::UndeleteModel(const v1::UndeleteModelRequest& request) {
  return Mutate(models_.get(), &v1::ModelRegistry::Stub::UndeleteModel, request);
}
absl::StatusOr<v1::ListModelsResponse> Client::ListModels(const v1::ListModelsRequest& request) {
  return Call(models_.get(), &v1::ModelRegistry::Stub::ListModels, request);
}
absl::StatusOr<v1::Openness> Client::ClassifyModel(const v1::ClassifyModelRequest& request) {
  return Call(models_.get(), &v1::ModelRegistry::Stub::ClassifyModel, request);
}

absl::StatusOr<v1::CheckUsageResponse> Client::CheckUsage(const v1::CheckUsageRequest& request) {
  return Call(usage_.get(), &v1::UsageChecker::Stub::CheckUsage, request);
}

absl::StatusOr<v1::CreateTokenResponse> Client::CreateToken(const v1::CreateTokenRequest& request) {
  return Mutate(admin_.get(), &v1::Admin::Stub::CreateToken, request);
}
absl::StatusOr<v1::ListTokensResponse> Client::ListTokens(const v1::ListTokensRequest& request) {
  return Call(admin_.get(), &v1::Admin::Stub::ListTokens, request);
}
absl::StatusOr<v1::Token> Client::RevokeToken(const v1::RevokeTokenRequest& request) {
  return Mutate(admin_.get(), &v1::Admin::Stub::RevokeToken, request);
}

absl::StatusOr<v1::License> Client::CreateLicense(const v1::CreateLicenseRequest& request) {
  return Mutate(licenses_.get(), &v1::LicenseCatalog::Stub::CreateLicense, request);
}
absl::StatusOr<v1::License> Client::GetLicense(const v1::GetLicenseRequest& request) {
  return Call(licenses_.get(), &v1::LicenseCatalog::Stub::GetLicense, request);
}
absl::StatusOr<v1::License> Client::UpdateLicense(const v1::UpdateLicenseRequest& request) {
  return Mutate(licenses_.get(), &v1::LicenseCatalog::Stub::UpdateLicense, request);
}
absl::StatusOr<v1::License> Client::DeleteLicense(const v1::DeleteLicenseRequest& request) {
  return Mutate(licenses_.get(), &v1::LicenseCatalog::Stub::DeleteLicense, request);
}
absl::StatusOr<v1::License> Client::UndeleteLicense(const v1::UndeleteLicenseRequest& request) {
  return Mutate(licenses_.get(), &v1::LicenseCatalog::Stub::UndeleteLicense, request);
}
absl::StatusOr<v1::ListLicensesResponse> Client::ListLicenses(const v1::ListLicensesRequest& request) {
  return Call(licenses_.get(), &v1::LicenseCatalog::Stub::ListLicenses, request);
}

absl::StatusOr<v1::Organization> Client::CreateOrganization(const v1::CreateOrganizationRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::CreateOrganization, request);
}
absl::StatusOr<v1::Organization> Client::GetOrganization(const v1::GetOrganizationRequest& request) {
  return Call(governance_.get(), &v1::Governance::Stub::GetOrganization, request);
}
absl::StatusOr<v1::Organization> Client::UpdateOrganization(const v1::UpdateOrganizationRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::UpdateOrganization, request);
}
absl::StatusOr<v1::Organization> Client::DeleteOrganization(const v1::DeleteOrganizationRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::DeleteOrganization, request);
}
absl::StatusOr<v1::Organization> Client::UndeleteOrganization(const v1::UndeleteOrganizationRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::UndeleteOrganization, request);
}
absl::StatusOr<v1::ListOrganizationsResponse> Client::ListOrganizations(const v1::ListOrganizationsRequest& request) {
  return Call(governance_.get(), &v1::Governance::Stub::ListOrganizations, request);
}
absl::StatusOr<v1::Deployment> Client::CreateDeployment(const v1::CreateDeploymentRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::CreateDeployment, request);
}
absl::StatusOr<v1::Deployment> Client::GetDeployment(const v1::GetDeploymentRequest& request) {
  return Call(governance_.get(), &v1::Governance::Stub::GetDeployment, request);
}
absl::StatusOr<v1::Deployment> Client::UpdateDeployment(const v1::UpdateDeploymentRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::UpdateDeployment, request);
}
absl::StatusOr<v1::Deployment> Client::DeleteDeployment(const v1::DeleteDeploymentRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::DeleteDeployment, request);
}
absl::StatusOr<v1::Deployment> Client::UndeleteDeployment(const v1::UndeleteDeploymentRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::UndeleteDeployment, request);
}
absl::StatusOr<v1::ListDeploymentsResponse> Client::ListDeployments(const v1::ListDeploymentsRequest& request) {
  return Call(governance_.get(), &v1::Governance::Stub::ListDeployments, request);
}
absl::StatusOr<v1::Policy> Client::CreatePolicy(const v1::CreatePolicyRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::CreatePolicy, request);
}
absl::StatusOr<v1::Policy> Client::GetPolicy(const v1::GetPolicyRequest& request) {
  return Call(governance_.get(), &v1::Governance::Stub::GetPolicy, request);
}
absl::StatusOr<v1::Policy> Client::UpdatePolicy(const v1::UpdatePolicyRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::UpdatePolicy, request);
}
absl::StatusOr<v1::Policy> Client::DeletePolicy(const v1::DeletePolicyRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::DeletePolicy, request);
}
absl::StatusOr<v1::Policy> Client::UndeletePolicy(const v1::UndeletePolicyRequest& request) {
  return Mutate(governance_.get(), &v1::Governance::Stub::UndeletePolicy, request);
}
absl::StatusOr<v1::ListPoliciesResponse> Client::ListPolicies(const v1::ListPoliciesRequest& request) {
  return Call(governance_.get(), &v1::Governance::Stub::ListPolicies, request);
}
absl::StatusOr<v1::EvaluateComplianceResponse> Client::EvaluateCompliance(
    const v1::EvaluateComplianceRequest& request) {
  return Call(governance_.get(), &v1::Governance::Stub::EvaluateCompliance, request);
}

namespace {

// Follows next_page_token until it is empty, calling `on_page` for each page. A server that hands back the token it
// was given would loop forever; that is reported as INTERNAL instead.
template <typename Request, typename Response>
absl::Status PaginatePages(Request request, const std::function<absl::StatusOr<Response>(const Request&)>& list,
                           const std::function<absl::Status(Response&)>& on_page) {
  while (true) {
    absl::StatusOr<Response> page = list(request);
    if (!page.ok()) return page.status();
    const std::string next = page->next_page_token();
    if (absl::Status status = on_page(*page); !status.ok()) return status;
    if (next.empty()) return absl::OkStatus();
    if (next == request.page_token()) {
      return absl::InternalError(absl::StrCat("server returned the same page token twice: ", next));
    }
    request.set_page_token(next);
  }
}

// Calls `fn` for every item (`items` of each page).
template <typename Request, typename Response, typename Item>
absl::Status Paginate(Request request, const std::function<absl::StatusOr<Response>(const Request&)>& list,
                      const std::function<const google::protobuf::RepeatedPtrField<Item>&(const Response&)>& items,
                      const std::function<absl::Status(const Item&)>& fn) {
  return PaginatePages<Request, Response>(std::move(request), list, [&](Response& page) -> absl::Status {
    for (const Item& item : items(page)) {
      absl::Status status = fn(item);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  });
}

// Every page in one response: the first page's fields, every page's items (the repeated field `items`), no token.
template <typename Request, typename Response, typename Item>
absl::StatusOr<Response> ListAll(Request request, const std::function<absl::StatusOr<Response>(const Request&)>& list,
                                 google::protobuf::RepeatedPtrField<Item>* (Response::*items)()) {
  std::optional<Response> all;
  absl::Status status = PaginatePages<Request, Response>(std::move(request), list, [&](Response& page) {
    if (!all.has_value()) {
      all = std::move(page);
    } else {
      for (Item& item : *(page.*items)()) *((*all).*items)()->Add() = std::move(item);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  all->clear_next_page_token();
  return *std::move(all);
}

}  // namespace

absl::Status Client::ForEachModel(v1::ListModelsRequest request,
                                  const std::function<absl::Status(const v1::Model&)>& fn) {
  return Paginate<v1::ListModelsRequest, v1::ListModelsResponse, v1::Model>(
      std::move(request), [this](const v1::ListModelsRequest& r) { return ListModels(r); },
      [](const v1::ListModelsResponse& r) -> const auto& { return r.models(); }, fn);
}

absl::StatusOr<std::vector<v1::Model>> Client::ListAllModels(v1::ListModelsRequest request) {
  std::vector<v1::Model> models;
  absl::Status status = ForEachModel(std::move(request), [&models](const v1::Model& model) {
    models.push_back(model);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return models;
}

absl::Status Client::ForEachLicense(v1::ListLicensesRequest request,
                                    const std::function<absl::Status(const v1::License&)>& fn) {
  return Paginate<v1::ListLicensesRequest, v1::ListLicensesResponse, v1::License>(
      std::move(request), [this](const v1::ListLicensesRequest& r) { return ListLicenses(r); },
      [](const v1::ListLicensesResponse& r) -> const auto& { return r.licenses(); }, fn);
}

absl::StatusOr<std::vector<v1::License>> Client::ListAllLicenses(v1::ListLicensesRequest request) {
  std::vector<v1::License> licenses;
  absl::Status status = ForEachLicense(std::move(request), [&licenses](const v1::License& license) {
    licenses.push_back(license);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return licenses;
}

absl::StatusOr<v1::ListOrganizationsResponse> Client::ListAllOrganizations(v1::ListOrganizationsRequest request) {
  return ListAll<v1::ListOrganizationsRequest, v1::ListOrganizationsResponse, v1::Organization>(
      std::move(request), [this](const v1::ListOrganizationsRequest& r) { return ListOrganizations(r); },
      &v1::ListOrganizationsResponse::mutable_organizations);
}

absl::StatusOr<v1::ListDeploymentsResponse> Client::ListAllDeployments(v1::ListDeploymentsRequest request) {
  return ListAll<v1::ListDeploymentsRequest, v1::ListDeploymentsResponse, v1::Deployment>(
      std::move(request), [this](const v1::ListDeploymentsRequest& r) { return ListDeployments(r); },
      &v1::ListDeploymentsResponse::mutable_deployments);
}

absl::StatusOr<v1::ListPoliciesResponse> Client::ListAllPolicies(v1::ListPoliciesRequest request) {
  return ListAll<v1::ListPoliciesRequest, v1::ListPoliciesResponse, v1::Policy>(
      std::move(request), [this](const v1::ListPoliciesRequest& r) { return ListPolicies(r); },
      &v1::ListPoliciesResponse::mutable_policies);
}

absl::StatusOr<v1::EvaluateComplianceResponse> Client::EvaluateAllCompliance(v1::EvaluateComplianceRequest request) {
  return ListAll<v1::EvaluateComplianceRequest, v1::EvaluateComplianceResponse, v1::ComplianceRow>(
      std::move(request), [this](const v1::EvaluateComplianceRequest& r) { return EvaluateCompliance(r); },
      &v1::EvaluateComplianceResponse::mutable_rows);
}

absl::StatusOr<v1::ListRevisionsResponse> Client::ListRevisions(const v1::ListRevisionsRequest& request) {
  return Call(history_.get(), &v1::History::Stub::ListRevisions, request);
}
absl::StatusOr<v1::Revision> Client::GetRevision(const v1::GetRevisionRequest& request) {
  return Call(history_.get(), &v1::History::Stub::GetRevision, request);
}
absl::StatusOr<v1::Revision> Client::Purge(const v1::PurgeRequest& request) {
  return Mutate(history_.get(), &v1::History::Stub::Purge, request);
}

absl::StatusOr<v1::ListRevisionsResponse> Client::ListAllRevisions(v1::ListRevisionsRequest request) {
  return ListAll<v1::ListRevisionsRequest, v1::ListRevisionsResponse, v1::Revision>(
      std::move(request), [this](const v1::ListRevisionsRequest& r) { return ListRevisions(r); },
      &v1::ListRevisionsResponse::mutable_revisions);
}

}  // namespace modelreg

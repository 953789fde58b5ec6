// A small synchronous client for the modelreg.v1 API: one method per RPC, each returning absl::StatusOr, plus pagers
// that follow next_page_token. Mutations are idempotent (AIP-155): each carries a request_id (a random UUID unless
// the caller set one) and is retried with it after UNAVAILABLE or DEADLINE_EXCEEDED (retry_policy.h), so a retry
// never applies it twice.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/channel_options.h"
#include "client/error_details.h"
#include "client/retry_policy.h"
#include "modelreg/v1/admin.grpc.pb.h"
#include "modelreg/v1/governance.grpc.pb.h"
#include "modelreg/v1/history.grpc.pb.h"
#include "modelreg/v1/license_catalog.grpc.pb.h"
#include "modelreg/v1/model_registry.grpc.pb.h"
#include "modelreg/v1/usage_checker.grpc.pb.h"

namespace modelreg {

// Converts a gRPC status to an absl::Status with the same code and message, and the google.rpc details of its
// `grpc-status-details-bin` trailer as payloads (read them with GetErrorDetails, client/error_details.h).
absl::Status FromGrpcStatus(const grpc::Status& status);

class Client {
 public:
  static constexpr absl::Duration kDefaultDeadline = absl::Seconds(10);

  // Connects to `address` (host:port; or several servers, see ServerTarget in client/server_target.h, with calls
  // balanced round-robin over them) over an insecure channel. The connection is made lazily, on the first call. An
  // address list ServerTarget refuses is passed to gRPC as given (its calls then fail UNAVAILABLE): use Connect to
  // see the error.
  // Every call carries `token` (`authorization: Bearer <token>`); pass ResolveToken("") (client/credentials.h) for
  // MODELREG_TOKEN or the config file. An empty token sends none.
  explicit Client(const std::string& address, const std::string& token = "");
  // Uses an existing channel (e.g. an in-process one in tests).
  explicit Client(const std::shared_ptr<grpc::Channel>& channel);
  // Connects to `address` (one or several servers, as above) in plaintext or over TLS as `options` say
  // (client/channel_options.h); INVALID_ARGUMENT when the address list or a certificate or key file cannot be used. The
  // connection is made lazily, on the first call.
  static absl::StatusOr<std::unique_ptr<Client>> Connect(const std::string& address, const ChannelOptions& options,
                                                         const std::string& token = "");

  // Deadline applied to every call from now on (each page of a pager counts as one call).
  void set_deadline(absl::Duration deadline) { deadline_ = deadline; }
  absl::Duration deadline() const { return deadline_; }
  // How mutations are retried, from now on (RetryPolicy{.max_attempts = 1} turns retries off). A mutation can take
  // up to max_attempts deadlines plus the backoffs between them.
  void set_retry_policy(const RetryPolicy& policy) { retry_policy_ = policy; }
  const RetryPolicy& retry_policy() const { return retry_policy_; }

  // modelreg.v1.ModelRegistry. Create, BatchCreate, Update, Delete and Undelete (and the same methods of the other
  // services) are mutations, sent with the request's request_id or a generated one.
  absl::StatusOr<v1::Model> CreateModel(const v1::CreateModelRequest& request);
  absl::StatusOr<v1::BatchCreateModelsResponse> BatchCreateModels(const v1::BatchCreateModelsRequest& request);
  absl::StatusOr<v1::Model> GetModel(const v1::GetModelRequest& request);
  absl::StatusOr<v1::BatchGetModelsResponse> BatchGetModels(const v1::BatchGetModelsRequest& request);
  absl::StatusOr<v1::Model> UpdateModel(const v1::UpdateModelRequest& request);
  absl::StatusOr<v1::Model> DeleteModel(const v1::DeleteModelRequest& request);
  absl::StatusOr<v1::Model> UndeleteModel(const v1::UndeleteModelRequest& request);
  absl::StatusOr<v1::ListModelsResponse> ListModels(const v1::ListModelsRequest& request);
  absl::StatusOr<v1::Openness> ClassifyModel(const v1::ClassifyModelRequest& request);

  // modelreg.v1.LicenseCatalog
  absl::StatusOr<v1::License> CreateLicense(const v1::CreateLicenseRequest& request);
  absl::StatusOr<v1::License> GetLicense(const v1::GetLicenseRequest& request);
  absl::StatusOr<v1::License> UpdateLicense(const v1::UpdateLicenseRequest& request);
  absl::StatusOr<v1::License> DeleteLicense(const v1::DeleteLicenseRequest& request);
  absl::StatusOr<v1::License> UndeleteLicense(const v1::UndeleteLicenseRequest& request);
  absl::StatusOr<v1::ListLicensesResponse> ListLicenses(const v1::ListLicensesRequest& request);

  // modelreg.v1.UsageChecker
  absl::StatusOr<v1::CheckUsageResponse> CheckUsage(const v1::CheckUsageRequest& request);

  // modelreg.v1.Admin (API tokens; admin role on `*`)
  absl::StatusOr<v1::CreateTokenResponse> CreateToken(const v1::CreateTokenRequest& request);
  absl::StatusOr<v1::ListTokensResponse> ListTokens(const v1::ListTokensRequest& request);
  absl::StatusOr<v1::Token> RevokeToken(const v1::RevokeTokenRequest& request);

  // modelreg.v1.Governance (organizations, deployments, policies, compliance)
  absl::StatusOr<v1::Organization> CreateOrganization(const v1::CreateOrganizationRequest& request);
  absl::StatusOr<v1::Organization> GetOrganization(const v1::GetOrganizationRequest& request);
  absl::StatusOr<v1::Organization> UpdateOrganization(const v1::UpdateOrganizationRequest& request);
  absl::StatusOr<v1::Organization> DeleteOrganization(const v1::DeleteOrganizationRequest& request);
  absl::StatusOr<v1::Organization> UndeleteOrganization(const v1::UndeleteOrganizationRequest& request);
  absl::StatusOr<v1::ListOrganizationsResponse> ListOrganizations(const v1::ListOrganizationsRequest& request);
  absl::StatusOr<v1::Deployment> CreateDeployment(const v1::CreateDeploymentRequest& request);
  absl::StatusOr<v1::Deployment> GetDeployment(const v1::GetDeploymentRequest& request);
  absl::StatusOr<v1::Deployment> UpdateDeployment(const v1::UpdateDeploymentRequest& request);
  absl::StatusOr<v1::Deployment> DeleteDeployment(const v1::DeleteDeploymentRequest& request);
  absl::StatusOr<v1::Deployment> UndeleteDeployment(const v1::UndeleteDeploymentRequest& request);
  absl::StatusOr<v1::ListDeploymentsResponse> ListDeployments(const v1::ListDeploymentsRequest& request);
  absl::StatusOr<v1::Policy> CreatePolicy(const v1::CreatePolicyRequest& request);
  absl::StatusOr<v1::Policy> GetPolicy(const v1::GetPolicyRequest& request);
  absl::StatusOr<v1::Policy> UpdatePolicy(const v1::UpdatePolicyRequest& request);
  absl::StatusOr<v1::Policy> DeletePolicy(const v1::DeletePolicyRequest& request);
  absl::StatusOr<v1::Policy> UndeletePolicy(const v1::UndeletePolicyRequest& request);
  absl::StatusOr<v1::ListPoliciesResponse> ListPolicies(const v1::ListPoliciesRequest& request);
  absl::StatusOr<v1::EvaluateComplianceResponse> EvaluateCompliance(const v1::EvaluateComplianceRequest& request);

  // modelreg.v1.History
  absl::StatusOr<v1::ListRevisionsResponse> ListRevisions(const v1::ListRevisionsRequest& request);
  absl::StatusOr<v1::Revision> GetRevision(const v1::GetRevisionRequest& request);
  // History.WatchChanges, resumed by itself (client/watch_changes.cc): calls `on_event` with every change, in
  // sequence order, each once, until `on_event` returns false (then OK). When the stream ends with UNAVAILABLE,
  // RESOURCE_EXHAUSTED (this consumer was too slow), CANCELLED, INTERNAL or a broken connection, it reconnects
  // (backing off up to `policy`'s maximum) and resumes after the last sequence passed to `on_event`. Any other error
  // (OUT_OF_RANGE, PERMISSION_DENIED, INVALID_ARGUMENT, ...) is returned. A watch started without
  // start_after_sequence that breaks before its first change starts again "from now".
  absl::Status WatchChanges(v1::WatchChangesRequest request,
                            const std::function<bool(const v1::ChangeEvent&)>& on_event);
  // A mutation (request id and retries as above).
  absl::StatusOr<v1::Revision> Purge(const v1::PurgeRequest& request);

  // Calls `fn` for every model of every page, starting at `request.page_token`. Stops at the first error, from the
  // server or from `fn`.
  absl::Status ForEachModel(v1::ListModelsRequest request, const std::function<absl::Status(const v1::Model&)>& fn);
  absl::StatusOr<std::vector<v1::Model>> ListAllModels(v1::ListModelsRequest request);
  absl::Status ForEachLicense(v1::ListLicensesRequest request,
                              const std::function<absl::Status(const v1::License&)>& fn);
  absl::StatusOr<std::vector<v1::License>> ListAllLicenses(v1::ListLicensesRequest request);
  // Every page of a governance List (or of a compliance report), concatenated into one response.
  absl::StatusOr<v1::ListOrganizationsResponse> ListAllOrganizations(v1::ListOrganizationsRequest request);
  absl::StatusOr<v1::ListDeploymentsResponse> ListAllDeployments(v1::ListDeploymentsRequest request);
  absl::StatusOr<v1::ListPoliciesResponse> ListAllPolicies(v1::ListPoliciesRequest request);
  absl::StatusOr<v1::EvaluateComplianceResponse> EvaluateAllCompliance(v1::EvaluateComplianceRequest request);
  absl::StatusOr<v1::ListRevisionsResponse> ListAllRevisions(v1::ListRevisionsRequest request);

 private:
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(Stub* stub,
                                grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                const Request& request);
  // A mutation: Call with a request_id (the request's, else a new UUID), repeated under the retry policy.
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Mutate(Stub* stub,
                                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                  const Request& request);

  std::unique_ptr<v1::ModelRegistry::Stub> models_;
  std::unique_ptr<v1::LicenseCatalog::Stub> licenses_;
  std::unique_ptr<v1::Admin::Stub> admin_;
  std::unique_ptr<v1::UsageChecker::Stub> usage_;
  std::unique_ptr<v1::Governance::Stub> governance_;
  std::unique_ptr<v1::History::Stub> history_;
  absl::Duration deadline_ = kDefaultDeadline;
  RetryPolicy retry_policy_;
};

}  // namespace modelreg

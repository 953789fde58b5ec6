// gRPC adapter of modelreg.v1.Governance: unpacks requests, calls GovernanceService, converts the status.
#pragma once

#include "modelreg/v1/governance.grpc.pb.h"
#include "server/api/call_auth.h"
#include "server/service/governance_service.h"
#include "server/service/history_service.h"

namespace modelreg {

class GovernanceAdapter final : public v1::Governance::Service {
 public:
  // `history` answers GetDeployment with a `read_time`.
  GovernanceAdapter(GovernanceService* service, HistoryService* history, const CallAuth* auth)
      : service_(service), history_(history), auth_(auth) {}

  grpc::Status CreateOrganization(grpc::ServerContext* context, const v1::CreateOrganizationRequest* request,
                                  v1::Organization* response) override;
  grpc::Status GetOrganization(grpc::ServerContext* context, const v1::GetOrganizationRequest* request,
                               v1::Organization* response) override;
  grpc::Status UpdateOrganization(grpc::ServerContext* context, const v1::UpdateOrganizationRequest* request,
                                  v1::Organization* response) override;
  grpc::Status DeleteOrganization(grpc::ServerContext* context, const v1::DeleteOrganizationRequest* request,
                                  v1::Organization* response) override;
  grpc::Status UndeleteOrganization(grpc::ServerContext* context, const v1::UndeleteOrganizationRequest* request,
                                    v1::Organization* response) override;
  grpc::Status ListOrganizations(grpc::ServerContext* context, const v1::ListOrganizationsRequest* request,
                                 v1::ListOrganizationsResponse* response) override;
  grpc::Status CreateDeployment(grpc::ServerContext* context, const v1::CreateDeploymentRequest* request,
                                v1::Deployment* response) override;
  grpc::Status GetDeployment(grpc::ServerContext* context, const v1::GetDeploymentRequest* request,
                             v1::Deployment* response) override;
  grpc::Status UpdateDeployment(grpc::ServerContext* context, const v1::UpdateDeploymentRequest* request,
                                v1::Deployment* response) override;
  grpc::Status DeleteDeployment(grpc::ServerContext* context, const v1::DeleteDeploymentRequest* request,
                                v1::Deployment* response) override;
  grpc::Status UndeleteDeployment(grpc::ServerContext* context, const v1::UndeleteDeploymentRequest* request,
                                  v1::Deployment* response) override;
  grpc::Status ListDeployments(grpc::ServerContext* context, const v1::ListDeploymentsRequest* request,
                               v1::ListDeploymentsResponse* response) override;
  grpc::Status CreatePolicy(grpc::ServerContext* context, const v1::CreatePolicyRequest* request,
                            v1::Policy* response) override;
  grpc::Status GetPolicy(grpc::ServerContext* context, const v1::GetPolicyRequest* request,
                         v1::Policy* response) override;
  grpc::Status UpdatePolicy(grpc::ServerContext* context, const v1::UpdatePolicyRequest* request,
                            v1::Policy* response) override;
  grpc::Status DeletePolicy(grpc::ServerContext* context, const v1::DeletePolicyRequest* request,
                            v1::Policy* response) override;
  grpc::Status UndeletePolicy(grpc::ServerContext* context, const v1::UndeletePolicyRequest* request,
                              v1::Policy* response) override;
  grpc::Status ListPolicies(grpc::ServerContext* context, const v1::ListPoliciesRequest* request,
                            v1::ListPoliciesResponse* response) override;
  grpc::Status EvaluateCompliance(grpc::ServerContext* context, const v1::EvaluateComplianceRequest* request,
                                  v1::EvaluateComplianceResponse* response) override;

 private:
  GovernanceService* service_;
  HistoryService* history_;
  const CallAuth* auth_;
};

}  // namespace modelreg

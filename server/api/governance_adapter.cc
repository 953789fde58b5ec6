#include "server/api/governance_adapter.h"

#include "server/api/unary_call.h"

namespace modelreg {

grpc::Status GovernanceAdapter::CreateOrganization(grpc::ServerContext* context,
                                                   const v1::CreateOrganizationRequest* request,
                                                   v1::Organization* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/CreateOrganization", *request, response,
                  [&](const Principal& actor) { return service_->CreateOrganization(*request, actor); });
}

grpc::Status GovernanceAdapter::GetOrganization(grpc::ServerContext* context, const v1::GetOrganizationRequest* request,
                                                v1::Organization* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/GetOrganization", *request, response,
                  [&](const Principal& actor) { return service_->GetOrganization(*request, actor); });
}

grpc::Status GovernanceAdapter::UpdateOrganization(grpc::ServerContext* context,
                                                   const v1::UpdateOrganizationRequest* request,
                                                   v1::Organization* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/UpdateOrganization", *request, response,
                  [&](const Principal& actor) { return service_->UpdateOrganization(*request, actor); });
}

grpc::Status GovernanceAdapter::DeleteOrganization(grpc::ServerContext* context,
                                                   const v1::DeleteOrganizationRequest* request,
                                                   v1::Organization* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/DeleteOrganization", *request, response,
                  [&](const Principal& actor) { return service_->DeleteOrganization(*request, actor); });
}

grpc::Status GovernanceAdapter::UndeleteOrganization(grpc::ServerContext* context,
                                                     const v1::UndeleteOrganizationRequest* request,
                                                     v1::Organization* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/UndeleteOrganization", *request, response,
                  [&](const Principal& actor) { return service_->UndeleteOrganization(*request, actor); });
}

grpc::Status GovernanceAdapter::ListOrganizations(grpc::ServerContext* context,
                                                  const v1::ListOrganizationsRequest* request,
                                                  v1::ListOrganizationsResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/ListOrganizations", *request, response,
                  [&](const Principal& actor) { return service_->ListOrganizations(*request, actor); });
}

grpc::Status GovernanceAdapter::CreateDeployment(grpc::ServerContext* context,
                                                 const v1::CreateDeploymentRequest* request, v1::Deployment* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/CreateDeployment", *request, response,
                  [&](const Principal& actor) { return service_->CreateDeployment(*request, actor); });
}

grpc::Status GovernanceAdapter::GetDeployment(grpc::ServerContext* context, const v1::GetDeploymentRequest* request,
                                              v1::Deployment* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/GetDeployment", *request, response,
                  [&](const Principal& actor) {
                    return request->has_read_time() ? history_->DeploymentAt(request->name(), request->read_time())
                                                    : service_->GetDeployment(*request, actor);
                  });
}

grpc::Status GovernanceAdapter::UpdateDeployment(grpc::ServerContext* context,
                                                 const v1::UpdateDeploymentRequest* request, v1::Deployment* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/UpdateDeployment", *request, response,
                  [&](const Principal& actor) { return service_->UpdateDeployment(*request, actor); });
}

grpc::Status GovernanceAdapter::DeleteDeployment(grpc::ServerContext* context,
                                                 const v1::DeleteDeploymentRequest* request, v1::Deployment* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/DeleteDeployment", *request, response,
                  [&](const Principal& actor) { return service_->DeleteDeployment(*request, actor); });
}

grpc::Status GovernanceAdapter::UndeleteDeployment(grpc::ServerContext* context,
                                                   const v1::UndeleteDeploymentRequest* request,
                                                   v1::Deployment* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/UndeleteDeployment", *request, response,
                  [&](const Principal& actor) { return service_->UndeleteDeployment(*request, actor); });
}

grpc::Status GovernanceAdapter::ListDeployments(grpc::ServerContext* context, const v1::ListDeploymentsRequest* request,
                                                v1::ListDeploymentsResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/ListDeployments", *request, response,
                  [&](const Principal& actor) { return service_->ListDeployments(*request, actor); });
}

grpc::Status GovernanceAdapter::CreatePolicy(grpc::ServerContext* context, const v1::CreatePolicyRequest* request,
                                             v1::Policy* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/CreatePolicy", *request, response,
                  [&](const Principal& actor) { return service_->CreatePolicy(*request, actor); });
}

grpc::Status GovernanceAdapter::GetPolicy(grpc::ServerContext* context, const v1::GetPolicyRequest* request,
                                          v1::Policy* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/GetPolicy", *request, response,
                  [&](const Principal& actor) { return service_->GetPolicy(*request, actor); });
}

grpc::Status GovernanceAdapter::UpdatePolicy(grpc::ServerContext* context, const v1::UpdatePolicyRequest* request,
                                             v1::Policy* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/UpdatePolicy", *request, response,
                  [&](const Principal& actor) { return service_->UpdatePolicy(*request, actor); });
}

grpc::Status GovernanceAdapter::DeletePolicy(grpc::ServerContext* context, const v1::DeletePolicyRequest* request,
                                             v1::Policy* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/DeletePolicy", *request, response,
                  [&](const Principal& actor) { return service_->DeletePolicy(*request, actor); });
}

grpc::Status GovernanceAdapter::UndeletePolicy(grpc::ServerContext* context, const v1::UndeletePolicyRequest* request,
                                               v1::Policy* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/UndeletePolicy", *request, response,
                  [&](const Principal& actor) { return service_->UndeletePolicy(*request, actor); });
}

grpc::Status GovernanceAdapter::ListPolicies(grpc::ServerContext* context, const v1::ListPoliciesRequest* request,
                                             v1::ListPoliciesResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/ListPolicies", *request, response,
                  [&](const Principal& actor) { return service_->ListPolicies(*request, actor); });
}

grpc::Status GovernanceAdapter::EvaluateCompliance(grpc::ServerContext* context,
                                                   const v1::EvaluateComplianceRequest* request,
                                                   v1::EvaluateComplianceResponse* response) {
  return RunUnary(*auth_, *context, "/modelreg.v1.Governance/EvaluateCompliance", *request, response,
                  [&](const Principal& actor) { return service_->EvaluateCompliance(*request, actor); });
}

}  // namespace modelreg

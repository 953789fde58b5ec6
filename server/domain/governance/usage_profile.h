// The usage profile (usage.proto) a usage check reads for an organization's use of a model: the organization's
// figures with its affiliates' added (the Llama licenses count "Licensee's affiliates"), and the facts of the use
// (a planned use, or a recorded deployment). Pure.
//
// A summed figure is unknown when any part of it is unknown: an unknown part could push the sum past a threshold,
// and the rules never guess. Sums saturate at INT64_MAX.
#pragma once

#include "absl/strings/string_view.h"
#include "modelreg/v1/deployment.pb.h"
#include "modelreg/v1/organization.pb.h"
#include "modelreg/v1/usage.pb.h"
#include "modelreg/v1/usage_checker.pb.h"

namespace modelreg {

// The organization's figures (users, revenue, commercial use, country), affiliates included; no use facts.
v1::UsageProfile OrganizationProfile(const v1::Organization& organization);

// The organization's figures and a planned use (hosting, distribute-as name, outputs used for training,
// distillation).
v1::UsageProfile PlannedUseProfile(const v1::Organization& organization, const v1::PlannedUse& use);

// The organization's figures and the use a deployment records.
v1::UsageProfile DeploymentProfile(const v1::Organization& organization, const v1::Deployment& deployment);

// Renames a finding's missing fact from the profile's field (`profile.monthly_active_users`) to where the caller
// sets it: `organization.<field>` for the organization's figures (users, revenue, commercial use, country), else
// `<use_field>.<field>` (`planned_use`, `deployment`).
void AttributeMissingFact(absl::string_view use_field, v1::UsageFinding& finding);

}  // namespace modelreg

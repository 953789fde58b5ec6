// Sample licenses and requests shared by the service unit tests.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model_registry.pb.h"
#include "server/domain/names.h"
#include "server/storage/repositories.h"

namespace modelreg::testing {

// An OSI-approved permissive license (Apache-2.0-like): open, so open-download weights under it reach level 3.
inline v1::License OpenLicense(const std::string& id) {
  v1::License license;
  license.set_name(LicenseName(id));
  license.set_display_name(id);
  license.set_osi_approved(true);
  license.set_category(v1::License::CATEGORY_PERMISSIVE);
  license.set_commercial_use(v1::License::COMMERCIAL_USE_ALLOWED);
  return license;
}

inline v1::License::UsageThreshold MauThreshold() {
  v1::License::UsageThreshold threshold;
  threshold.set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  threshold.set_limit(700000000);
  threshold.set_consequence(v1::License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
  return threshold;
}

// A community license with a usage threshold (Llama-like): never open, so weights under it stay at level 2.
inline v1::License ThresholdLicense(const std::string& id) {
  v1::License license;
  license.set_name(LicenseName(id));
  license.set_display_name(id);
  license.set_category(v1::License::CATEGORY_COMMUNITY);
  license.set_commercial_use(v1::License::COMMERCIAL_USE_CONDITIONAL);
  *license.add_usage_thresholds() = MauThreshold();
  return license;
}

// A model with downloadable weights under `license` (a resource name).
inline v1::CreateModelRequest CreateModelRequest(const std::string& publisher, const std::string& id,
                                                 const std::string& license = "licenses/apache-2.0") {
  v1::CreateModelRequest request;
  request.set_parent("publishers/" + publisher);
  request.set_model_id(id);
  request.mutable_model()->set_display_name(id);
  request.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
  request.mutable_model()->mutable_weights()->set_license(license);
  return request;
}

// Soft-deletes `name` directly in a license store, bypassing the service.
inline absl::Status SoftDeleteLicense(LicenseRepository& licenses, const std::string& name) {
  return licenses
      .Update(name,
              [](Transaction&, v1::License& license) {
                license.mutable_delete_time()->set_seconds(1);
                return absl::OkStatus();
              })
      .status();
}

}  // namespace modelreg::testing

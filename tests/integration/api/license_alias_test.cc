// License identity over real gRPC and PostgreSQL with the shipped catalog: a license answers to its id, SPDX id and
// aliases (case and spacing ignored) wherever a license is named; records store the canonical id; an alias names one
// license only, soft-deleted ones included.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using ::testing::HasSubstr;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;

class LicenseAliasTest : public CatalogApiServerTest {
 protected:
  static absl::StatusOr<v1::License> GetLicense(const std::string& name) {
    v1::GetLicenseRequest request;
    request.set_name(name);
    return Call(server_->licenses(), &LC::GetLicense, request);
  }

  static absl::StatusOr<v1::License> CreateLicense(const std::string& id, const std::vector<std::string>& aliases) {
    v1::CreateLicenseRequest request;
    request.set_license_id(id);
    request.mutable_license()->set_display_name(id);
    for (const std::string& alias : aliases) request.mutable_license()->add_aliases(alias);
    return Call(server_->licenses(), &LC::CreateLicense, request);
  }
};

TEST_F(LicenseAliasTest, GetLicenseByIdSpdxIdOrAliasReturnsTheCanonicalRecord) {
  for (const std::string name : {"licenses/apache-2.0", "licenses/Apache-2.0", "licenses/Apache License 2.0",
                                 "licenses/  apache   LICENSE 2.0 "}) {
    SCOPED_TRACE(name);
    absl::StatusOr<v1::License> license = GetLicense(name);
    ASSERT_OK(license);
    EXPECT_EQ(license->name(), "licenses/apache-2.0");
  }
  absl::StatusOr<v1::License> llama = GetLicense("licenses/Llama 2 Community License");
  ASSERT_OK(llama);
  EXPECT_EQ(llama->name(), "licenses/llama2");
  EXPECT_THAT(GetLicense("licenses/No Such License"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(GetLicense("Apache-2.0"), StatusIs(absl::StatusCode::kInvalidArgument));  // no licenses/ prefix
}

TEST_F(LicenseAliasTest, ModelRecordsStoreTheCanonicalIdOfAnAlias) {
  v1::CreateModelRequest create;
  create.set_parent("publishers/aliases");
  create.set_model_id("m1");
  v1::Model* model = create.mutable_model();
  model->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
  model->mutable_weights()->set_license("licenses/MIT License");
  v1::Component* code = model->add_components();
  code->set_kind(v1::COMPONENT_KIND_TRAINING_CODE);
  code->set_status(v1::Component::STATUS_RELEASED);
  code->set_license("licenses/Apache 2.0");
  absl::StatusOr<v1::Model> created = Call(server_->models(), &MR::CreateModel, create);
  ASSERT_OK(created);
  EXPECT_EQ(created->weights().license(), "licenses/mit");
  EXPECT_EQ(created->components(0).license(), "licenses/apache-2.0");
  EXPECT_EQ(created->openness().level(), 3);  // assessed with the resolved license's terms

  v1::UpdateModelRequest update;
  update.mutable_model()->set_name(created->name());
  update.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  update.mutable_model()->mutable_weights()->set_license("licenses/Llama 3.1 Community License");
  update.mutable_update_mask()->add_paths("weights");
  absl::StatusOr<v1::Model> updated = Call(server_->models(), &MR::UpdateModel, update);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->weights().license(), "licenses/llama3.1");
  EXPECT_EQ(updated->openness().level(), 2);

  update.mutable_model()->mutable_weights()->set_license("licenses/Not A License We Know");
  absl::StatusOr<v1::Model> unknown = Call(server_->models(), &MR::UpdateModel, update);
  EXPECT_THAT(unknown, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model.weights.license")));
}

TEST_F(LicenseAliasTest, AnAliasNamesOneLicenseOnly) {
  // Another license's alias, its SPDX id, or its id (case ignored): refused naming the field.
  EXPECT_THAT(CreateLicense("alias-a", {"MIT License"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("license.aliases[0]")));
  EXPECT_THAT(CreateLicense("alias-b", {"first", "apache-2.0"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("license.aliases[1]")));
  EXPECT_THAT(GetLicense("licenses/alias-a"), StatusIs(absl::StatusCode::kNotFound)) << "nothing was stored";

  ASSERT_OK(CreateLicense("alias-c", {"Example Shared Name"}));
  EXPECT_THAT(CreateLicense("alias-d", {"example   shared name"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("already names license `licenses/alias-c`")));

  // A soft-deleted license keeps its names.
  v1::DeleteLicenseRequest remove;
  remove.set_name("licenses/alias-c");
  ASSERT_OK(Call(server_->licenses(), &LC::DeleteLicense, remove));
  EXPECT_THAT(CreateLicense("alias-e", {"Example Shared Name"}), StatusIs(absl::StatusCode::kInvalidArgument));

  // An update may not take another license's name either.
  ASSERT_OK(CreateLicense("alias-f", {"Example F"}));
  v1::UpdateLicenseRequest update;
  update.mutable_license()->set_name("licenses/alias-f");
  update.mutable_license()->add_aliases("Example F");
  update.mutable_license()->add_aliases("Gemma Terms of Use");
  update.mutable_update_mask()->add_paths("aliases");
  EXPECT_THAT(Call(server_->licenses(), &LC::UpdateLicense, update),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("license.aliases[1]")));
  absl::StatusOr<v1::License> f = GetLicense("licenses/Example F");
  ASSERT_OK(f);
  EXPECT_EQ(f->aliases_size(), 1);
}

// The check that an alias is free and the insert are one step for concurrent writers: of licenses created at once
// with the same new alias, exactly one is stored.
TEST_F(LicenseAliasTest, ConcurrentCreatesCannotShareANewAlias) {
  for (int round = 0; round < 5; ++round) {
    const std::string alias = absl::StrCat("Raced Alias ", round);
    constexpr int kWriters = 6;
    std::vector<absl::Status> results(kWriters);
    std::vector<std::thread> writers;
    for (int i = 0; i < kWriters; ++i) {
      writers.emplace_back(
          [&, i] { results[i] = CreateLicense(absl::StrCat("raced-", round, "-", i), {alias}).status(); });
    }
    for (std::thread& writer : writers) writer.join();
    int created = 0;
    for (const absl::Status& status : results) {
      if (status.ok()) {
        ++created;
      } else {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("already names license")));
      }
    }
    EXPECT_EQ(created, 1) << alias;
    ASSERT_OK(GetLicense(absl::StrCat("licenses/", alias)));  // one license answers to it, not several
  }
}

}  // namespace
}  // namespace modelreg::testing

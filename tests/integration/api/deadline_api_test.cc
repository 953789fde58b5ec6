// The client's deadline reaches the database: with the models table locked, a CreateModel whose caller gave up
// (DEADLINE_EXCEEDED) must not be committed once the lock is released.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::Call;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;

class DeadlineApiTest : public ::modelreg::testing::SharedApiServerTest {
 protected:
  static void SetUpTestSuite() {
    SharedApiServerTest::SetUpTestSuite();
    if (server_ == nullptr) return;
    v1::CreateLicenseRequest request;
    request.set_license_id("apache-2.0");
    request.mutable_license()->set_display_name("Apache 2.0");
    request.mutable_license()->set_category(v1::License::CATEGORY_PERMISSIVE);
    ASSERT_OK(Call(server_->licenses(), &LC::CreateLicense, request));
  }

  static v1::CreateModelRequest CreateRequest(const std::string& id) {
    v1::CreateModelRequest request;
    request.set_parent("publishers/deadline");
    request.set_model_id(id);
    request.mutable_model()->set_display_name(id);
    request.mutable_model()->mutable_weights()->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
    request.mutable_model()->mutable_weights()->set_license("licenses/apache-2.0");
    return request;
  }

  static int CountModels(const std::string& name) {
    pqxx::connection connection(server_->pool().url());
    pqxx::nontransaction tx(connection);
    return tx.exec_params("SELECT count(*) FROM models WHERE name = $1", name)[0][0].as<int>();
  }
};

TEST_F(DeadlineApiTest, CreateWhoseDeadlinePassedWhileTheTableWasLockedIsNotCommitted) {
  const int kCalls = 4;
  pqxx::connection holder(server_->pool().url());
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE models IN ACCESS EXCLUSIVE MODE");
  const absl::Time locked_at = absl::Now();

  std::vector<std::thread> callers;
  std::vector<grpc::StatusCode> codes(kCalls, grpc::StatusCode::OK);
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&codes, i] {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
      v1::Model response;
      codes[i] =
          server_->models().CreateModel(&context, CreateRequest("m" + std::to_string(i)), &response).error_code();
    });
  }
  for (std::thread& t : callers) t.join();
  for (int i = 0; i < kCalls; ++i) EXPECT_EQ(codes[i], grpc::StatusCode::DEADLINE_EXCEEDED) << i;

  std::this_thread::sleep_for(absl::ToChronoNanoseconds(locked_at + absl::Seconds(3) - absl::Now()));
  lock.commit();  // releases the lock
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(CountModels("publishers/deadline/models/m" + std::to_string(i)), 0)
        << "a create whose caller saw DEADLINE_EXCEEDED was committed after the lock was released";
  }

  // With the lock gone, the same request with a sane deadline succeeds.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::Model response;
  EXPECT_TRUE(server_->models().CreateModel(&context, CreateRequest("m0"), &response).ok());
  EXPECT_EQ(CountModels("publishers/deadline/models/m0"), 1);
}

}  // namespace
}  // namespace modelreg

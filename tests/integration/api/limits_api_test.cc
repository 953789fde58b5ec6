// Limits over real gRPC (proto/README.md "Limits"): the largest records allowed page by the byte budget (the
// default List still works, and paging returns every record exactly once), a record or batch over its limit is
// INVALID_ARGUMENT and changes nothing, a request over the message size is RESOURCE_EXHAUSTED, and the server-wide
// limits of server/api/server_limits.h: handler threads (SERVER_BUSY), concurrent calls per connection, and the
// default deadline of a call that sets none.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "client/error_details.h"
#include "server/common/limits.h"
#include "server/domain/validation.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::ApiTestServer;
using ::modelreg::testing::Call;
using ::modelreg::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;

// A model whose serialized size (before the server adds its assessment) is a little under `bytes`: every text and
// list within its own limit, the record as large as asked (up to about 290 KB).
v1::Model ModelOfSize(size_t bytes) {
  v1::Model model;
  model.set_display_name("big");
  model.set_description(std::string(kMaxText, 'd'));
  const std::string uri = "https://example.com/" + std::string(kMaxUri - 20, 'u');
  while (model.sources_size() < kMaxRepeated && model.ByteSizeLong() + uri.size() + 8 < bytes) model.add_sources(uri);
  while (model.data_disclosure().datasets_size() < kMaxRepeated &&
         model.ByteSizeLong() + uri.size() + kMaxShortString + 16 < bytes) {
    v1::Dataset* dataset = model.mutable_data_disclosure()->add_datasets();
    dataset->set_display_name(std::string(kMaxShortString, 'n'));
    dataset->set_uri(uri);
  }
  return model;
}

v1::CreateModelRequest CreateRequest(const std::string& publisher, const std::string& id, const v1::Model& model) {
  v1::CreateModelRequest request;
  request.set_parent("publishers/" + publisher);
  request.set_model_id(id);
  *request.mutable_model() = model;
  return request;
}

// The status as the client library sees it (code, message, details), for reason checks.
template <typename Request, typename Response>
absl::Status CallWithDetails(MR& stub, grpc::Status (MR::*method)(grpc::ClientContext*, const Request&, Response*),
                             const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  Response response;
  return FromGrpcStatus((stub.*method)(&context, request, &response));
}

// Waiting backends of the test database, as seen from `tx`.
int LockWaiters(pqxx::transaction_base& tx) {
  return tx
      .exec(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
          "wait_event_type = 'Lock'")[0][0]
      .as<int>();
}

class LimitsApiTest : public ::testing::Test {
 protected:
  void StartServer(const ServerLimits& limits = ServerLimits()) {
    ApiTestServer::Options options;
    options.limits = limits;
    auto server = ApiTestServer::Start(options);
    ASSERT_OK(server);
    server_ = std::move(server).value();
  }

  std::unique_ptr<ApiTestServer> server_;
};

// 30 records of the largest size allowed: a page of 50 would be ~7.5 MB, over the 4 MiB message size. The default
// List pages by the byte budget instead, and the walk returns each record once, in both orders.
TEST_F(LimitsApiTest, LargestRecordsPageByBytesAndEveryRecordComesOnce) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  constexpr int kModels = 30;
  const v1::Model big = ModelOfSize(kMaxRecordBytes - 4096);
  int64_t total_bytes = 0;
  std::set<std::string> created;
  for (int i = 0; i < kModels; ++i) {
    auto model = Call(server_->models(), &MR::CreateModel, CreateRequest("big", absl::StrCat("m-", i), big));
    ASSERT_OK(model);
    EXPECT_GT(model->ByteSizeLong(), kMaxRecordBytes - 8192);
    EXPECT_LE(model->ByteSizeLong(), kMaxRecordBytes + 256);  // the stored record plus its output fields
    total_bytes += static_cast<int64_t>(model->ByteSizeLong());
    created.insert(model->name());
  }
  ASSERT_GT(total_bytes, MaxMessageBytes()) << "a page of every record would not fit in one message";

  for (const char* order_by : {"", "name desc"}) {
    for (int page_size : {0, 1000}) {
      SCOPED_TRACE(absl::StrCat("order_by `", order_by, "`, page_size ", page_size));
      v1::ListModelsRequest request;
      request.set_parent("publishers/big");
      request.set_order_by(order_by);
      request.set_page_size(page_size);
      std::multiset<std::string> seen;
      std::string previous;
      int pages = 0;
      do {
        auto page = Call(server_->models(), &MR::ListModels, request);
        ASSERT_OK(page);
        ++pages;
        ASSERT_GT(page->models_size(), 0);
        EXPECT_LT(page->models_size(), 50);
        EXPECT_LE(static_cast<int64_t>(page->ByteSizeLong()), MaxMessageBytes());
        int64_t record_bytes = 0;
        for (const v1::Model& model : page->models()) {
          record_bytes += static_cast<int64_t>(model.ByteSizeLong());
          if (!previous.empty()) {
            EXPECT_EQ(model.name() > previous, std::string(order_by).empty()) << previous << " then " << model.name();
          }
          previous = model.name();
          seen.insert(model.name());
        }
        EXPECT_LE(record_bytes, ResponseRecordBudget());
        request.set_page_token(page->next_page_token());
      } while (!request.page_token().empty() && pages < 10);
      EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), created);
      EXPECT_EQ(seen.size(), created.size()) << "a record came twice";
      EXPECT_GE(pages, 3);
    }
  }
}

TEST_F(LimitsApiTest, RecordOverTheMaximumIsRefusedAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::Model too_big = ModelOfSize(kMaxRecordBytes + 8192);
  ASSERT_OK(ValidateModel(too_big, "model"));  // every field within its own limit
  const absl::Status status =
      CallWithDetails(server_->models(), &MR::CreateModel, CreateRequest("big", "too-big", too_big));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("model: the record is "),
                                     HasSubstr("over the maximum record size of 262144 bytes"))));
  EXPECT_EQ(GetErrorDetails(status).reason, "RECORD_TOO_LARGE");
  v1::GetModelRequest get;
  get.set_name("publishers/big/models/too-big");
  EXPECT_THAT(Call(server_->models(), &MR::GetModel, get), StatusIs(absl::StatusCode::kNotFound));

  // An update that would make a stored record too large: refused, the record unchanged.
  v1::Model small;
  small.set_display_name("small");
  auto stored = Call(server_->models(), &MR::CreateModel, CreateRequest("big", "grows", small));
  ASSERT_OK(stored);
  v1::UpdateModelRequest update;
  *update.mutable_model() = too_big;
  update.mutable_model()->set_name(stored->name());
  update.mutable_update_mask()->add_paths("*");
  const absl::Status updated = CallWithDetails(server_->models(), &MR::UpdateModel, update);
  EXPECT_THAT(updated, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("maximum record size")));
  get.set_name(stored->name());
  auto after = Call(server_->models(), &MR::GetModel, get);
  ASSERT_OK(after);
  EXPECT_EQ(after->etag(), stored->etag());
  EXPECT_EQ(after->display_name(), "small");

  // Licenses too.
  v1::CreateLicenseRequest license;
  license.set_license_id("huge");
  license.mutable_license()->set_display_name("huge");
  for (int i = 0; i < kMaxRepeated; ++i) {
    auto* threshold = license.mutable_license()->add_usage_thresholds();
    threshold->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
    threshold->set_limit(1);
    threshold->set_clause(std::string(kMaxText, 'c'));
  }
  EXPECT_THAT(Call(server_->licenses(), &LC::CreateLicense, license),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("license: the record is "), HasSubstr("maximum record size"))));
}

// Every model allowed, the batch's response over the budget: refused before anything is written.
TEST_F(LimitsApiTest, BatchWhoseResponseWouldExceedTheBudgetIsRefused) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::Model big = ModelOfSize(kMaxRecordBytes - 4096);
  v1::BatchCreateModelsRequest batch;
  batch.set_parent("publishers/batch");
  const int count = static_cast<int>(ResponseRecordBudget() / static_cast<int64_t>(big.ByteSizeLong())) + 2;
  for (int i = 0; i < count; ++i) *batch.add_requests() = CreateRequest("batch", absl::StrCat("b-", i), big);
  ASSERT_LT(static_cast<int64_t>(batch.ByteSizeLong()), MaxMessageBytes()) << "the request itself must be accepted";
  const absl::Status status = CallWithDetails(server_->models(), &MR::BatchCreateModels, batch);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("requests: the batch's models total"),
                             HasSubstr(absl::StrCat(ResponseRecordBudget(), " bytes one response may carry")))));
  EXPECT_EQ(GetErrorDetails(status).reason, "BATCH_TOO_LARGE");
  v1::ListModelsRequest list;
  list.set_parent("publishers/batch");
  auto page = Call(server_->models(), &MR::ListModels, list);
  ASSERT_OK(page);
  EXPECT_EQ(page->models_size(), 0);

  // Half as many: accepted.
  batch.mutable_requests()->DeleteSubrange(count / 2, count - count / 2);
  EXPECT_OK(Call(server_->models(), &MR::BatchCreateModels, batch));
}

TEST_F(LimitsApiTest, RequestOverTheMessageSizeIsResourceExhausted) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  v1::CreateModelRequest request = CreateRequest("big", "huge-request", v1::Model());
  request.mutable_model()->set_description(std::string(static_cast<size_t>(MaxMessageBytes()), 'x'));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::Model response;
  const grpc::Status status = server_->models().CreateModel(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_THAT(status.error_message(),
              HasSubstr(absl::StrCat("larger than max (", request.ByteSizeLong(), " vs. ", MaxMessageBytes(), ")")));
  v1::GetModelRequest get;
  get.set_name("publishers/big/models/huge-request");
  EXPECT_THAT(Call(server_->models(), &MR::GetModel, get), StatusIs(absl::StatusCode::kNotFound));
}

// The List limits over gRPC: each is INVALID_ARGUMENT naming its field and the limit.
TEST_F(LimitsApiTest, ListLimitsNameTheirField) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string deep;
  for (int i = 0; i < 33; ++i) deep += "(";
  deep += "family = \"x\"";
  for (int i = 0; i < 33; ++i) deep += ")";
  const std::vector<std::pair<v1::ListModelsRequest, std::string>> cases = [&] {
    std::vector<std::pair<v1::ListModelsRequest, std::string>> out;
    v1::ListModelsRequest request;
    request.set_parent("publishers/-");
    v1::ListModelsRequest r = request;
    r.set_filter("family = \"" + std::string(4096, 'x') + "\"");
    out.emplace_back(r, "filter: too long (4107 bytes); expected at most 4096");
    r = request;
    r.set_filter(deep);
    out.emplace_back(r, "nesting deeper than 32");
    r = request;
    std::string terms = "family = \"a\"";
    for (int i = 0; i < 64; ++i) terms += " OR family = \"a\"";
    r.set_filter(terms);
    out.emplace_back(r, "more than 64 comparisons");
    r = request;
    r.set_order_by(std::string(1025, 'n'));
    out.emplace_back(r, "order_by: too long (1025 bytes); expected at most 1024");
    r = request;
    r.set_page_size(-1);
    out.emplace_back(r, "page_size: must not be negative");
    r = request;
    r.set_page_token(std::string(20000, 'A'));
    out.emplace_back(r, "page_token");
    return out;
  }();
  for (const auto& [request, message] : cases) {
    EXPECT_THAT(Call(server_->models(), &MR::ListModels, request),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)));
  }
}

// With 4 handler threads and the models table locked, at most 3 Lists wait in the database; the others are
// answered at once with RESOURCE_EXHAUSTED naming the limit. Once the lock is gone the waiting ones succeed, and the
// server serves as before.
TEST_F(LimitsApiTest, CallsBeyondTheThreadLimitAreServerBusy) {
  ServerLimits limits;
  limits.max_threads = 4;
  ASSERT_NO_FATAL_FAILURE(StartServer(limits));
  v1::ListModelsRequest list;
  list.set_parent("publishers/-");
  ASSERT_OK(Call(server_->models(), &MR::ListModels, list));  // the token is cached from here on

  pqxx::connection holder(server_->pool().url());
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE models IN ACCESS EXCLUSIVE MODE");
  constexpr int kCalls = 10;
  std::vector<absl::Status> results(kCalls);
  std::vector<std::chrono::steady_clock::time_point> ended(kCalls);
  std::vector<std::thread> callers;
  auto channel = server_->channel();
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] {
      auto stub = v1::ModelRegistry::NewStub(channel);
      results[static_cast<size_t>(i)] = CallWithDetails(*stub, &MR::ListModels, list);
      ended[static_cast<size_t>(i)] = std::chrono::steady_clock::now();
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const int waiting = LockWaiters(lock);
  const auto released = std::chrono::steady_clock::now();
  lock.abort();
  for (auto& caller : callers) caller.join();

  EXPECT_GE(waiting, 1);
  EXPECT_LE(waiting, limits.max_threads - 1);
  int ok = 0;
  int busy = 0;
  for (int i = 0; i < kCalls; ++i) {
    const absl::Status& status = results[static_cast<size_t>(i)];
    if (status.ok()) {
      ++ok;
      continue;
    }
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted,
                                 HasSubstr("all 4 request threads are in use (modelregd --max-threads)")));
    EXPECT_EQ(GetErrorDetails(status).reason, "SERVER_BUSY");
    EXPECT_LT(ended[static_cast<size_t>(i)], released) << "a busy answer comes at once, not after the wait";
    ++busy;
  }
  EXPECT_EQ(ok, waiting);
  EXPECT_EQ(ok + busy, kCalls);
  EXPECT_GE(busy, kCalls - (limits.max_threads - 1));
  EXPECT_OK(Call(server_->models(), &MR::ListModels, list));
}

// One connection, at most 2 calls in flight: 6 Lists on one channel with the table locked put exactly 2 in the
// database; the rest wait in the client (not an error) and all succeed once the lock is gone.
TEST_F(LimitsApiTest, ConcurrentCallsPerConnectionAreCapped) {
  ServerLimits limits;
  limits.max_concurrent_calls_per_connection = 2;
  ASSERT_NO_FATAL_FAILURE(StartServer(limits));
  v1::ListModelsRequest list;
  list.set_parent("publishers/-");
  ASSERT_OK(Call(server_->models(), &MR::ListModels, list));

  pqxx::connection holder(server_->pool().url());
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE models IN ACCESS EXCLUSIVE MODE");
  constexpr int kCalls = 6;
  std::vector<absl::Status> results(kCalls);
  std::vector<std::thread> callers;
  auto stub = v1::ModelRegistry::NewStub(server_->channel());  // one channel: one connection
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] { results[static_cast<size_t>(i)] = CallWithDetails(*stub, &MR::ListModels, list); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(LockWaiters(lock), 2);
  lock.abort();
  for (auto& caller : callers) caller.join();
  for (const absl::Status& status : results) EXPECT_OK(status);
}

// A call without a deadline gets the server's default (1 s here): with the table locked it ends DEADLINE_EXCEEDED
// after about a second, not at the 5 s lock timeout.
TEST_F(LimitsApiTest, CallWithoutDeadlineGetsTheDefaultDeadline) {
  ServerLimits limits;
  limits.default_deadline = absl::Seconds(1);
  ASSERT_NO_FATAL_FAILURE(StartServer(limits));
  v1::ListModelsRequest list;
  list.set_parent("publishers/-");
  ASSERT_OK(Call(server_->models(), &MR::ListModels, list));

  pqxx::connection holder(server_->pool().url());
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE models IN ACCESS EXCLUSIVE MODE");
  grpc::ClientContext context;  // no deadline
  v1::ListModelsResponse response;
  const auto start = std::chrono::steady_clock::now();
  const grpc::Status status = server_->models().ListModels(&context, list, &response);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  lock.abort();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_GE(seconds, 0.8);
  EXPECT_LT(seconds, 4.0);
}

}  // namespace
}  // namespace modelreg

// History.WatchChanges over real gRPC on loopback and real PostgreSQL: resuming after a sequence with records, in
// order and each once; what a scoped caller sees; errors; the retention boundary (OUT_OF_RANGE with the oldest
// sequence available); a consumer that stops reading is cut off (RESOURCE_EXHAUSTED) while writers go on.
// Several processes and concurrent writers: tests/e2e/change_stream_test.cc.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/bearer_channel.h"
#include "client/client.h"
#include "server/common/errors.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg::testing {
namespace {

using MR = v1::ModelRegistry::Stub;

std::unique_ptr<ApiTestServer> StartServer(ChangeFeed::Options feed = {}) {
  ApiTestServer::Options options;
  options.feed = std::move(feed);
  auto server = ApiTestServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

v1::Model CreateModel(ApiTestServer& server, const std::string& publisher, const std::string& id) {
  v1::CreateModelRequest request;
  request.set_parent("publishers/" + publisher);
  request.set_model_id(id);
  request.mutable_model()->set_display_name("Model " + id);
  auto created = Call(server.models(), &MR::CreateModel, request);
  EXPECT_TRUE(created.ok()) << created.status();
  return created.ok() ? *created : v1::Model();
}

// The sequence of the latest revision of `name`.
int64_t LatestSequence(ApiTestServer& server, const std::string& name) {
  v1::ListRevisionsRequest request;
  request.set_name(name);
  auto revisions = Call(server.history(), &v1::History::Stub::ListRevisions, request);
  EXPECT_TRUE(revisions.ok()) << revisions.status();
  return revisions.ok() && revisions->revisions_size() > 0
             ? revisions->revisions(revisions->revisions_size() - 1).sequence()
             : -1;
}

// A server whose change streams have a buffer of 10 and cut off a consumer after 1 s.
std::unique_ptr<ApiTestServer> StartStallingServer() {
  ChangeFeed::Options feed;
  feed.buffer_events = 10;
  feed.stall_timeout = absl::Seconds(1);
  return StartServer(feed);
}

// Creates `count` models under `publisher` in batches of 500, each with a 200-byte description, so that their
// changes are more than the transport buffers for a reader with a small window.
void CreateMany(ApiTestServer& server, const std::string& publisher, int count) {
  for (int first = 0; first < count; first += 500) {
    v1::BatchCreateModelsRequest batch;
    batch.set_parent("publishers/" + publisher);
    for (int i = first; i < std::min(count, first + 500); ++i) {
      v1::CreateModelRequest* one = batch.add_requests();
      one->set_model_id(absl::StrCat("m", i));
      one->mutable_model()->set_description(std::string(200, 'x'));
    }
    ASSERT_OK(Call(server.models(), &MR::BatchCreateModels, batch));
  }
}

// An admin channel with a small, fixed receive window: a consumer that pauses fills the server's buffer.
std::shared_ptr<grpc::Channel> SmallWindowChannel(const ApiTestServer& server) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 * 1024);
  return CreateBearerChannel(server.address(), grpc::InsecureChannelCredentials(), server.admin_token(), args);
}

// Watches with `client` until `count` changes arrived; returns them (fewer if the watch ended with an error,
// which `status` receives).
std::vector<v1::ChangeEvent> Collect(Client& client, const v1::WatchChangesRequest& request, size_t count,
                                     absl::Status* status = nullptr) {
  std::vector<v1::ChangeEvent> events;
  const absl::Status result = client.WatchChanges(request, [&](const v1::ChangeEvent& event) {
    events.push_back(event);
    return events.size() < count;
  });
  if (status != nullptr) *status = result;
  return events;
}

TEST(WatchApiTest, ResumesAfterASequenceInOrderEachOnceWithRecordsWhenAsked) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  CreateModel(*server, "w", "a");
  CreateModel(*server, "w", "b");
  v1::UpdateModelRequest update;
  update.mutable_model()->set_name("publishers/w/models/a");
  update.mutable_model()->set_display_name("Renamed");
  update.mutable_update_mask()->add_paths("display_name");
  update.set_request_id("5d8e2f4a-0c1b-4e6f-9a7d-3b2c1d0e9f8a");
  ASSERT_OK(Call(server->models(), &MR::UpdateModel, update));
  v1::DeleteModelRequest remove;
  remove.set_name("publishers/w/models/b");
  ASSERT_OK(Call(server->models(), &MR::DeleteModel, remove));

  Client client(server->channel());
  v1::WatchChangesRequest request;
  request.set_start_after_sequence(0);
  request.add_name_prefixes("publishers/w");
  request.set_include_records(true);
  const std::vector<v1::ChangeEvent> all = Collect(client, request, 4);
  ASSERT_EQ(all.size(), 4u);
  const std::vector<std::pair<std::string, v1::ChangeKind>> expected = {
      {"publishers/w/models/a", v1::CHANGE_KIND_CREATE},
      {"publishers/w/models/b", v1::CHANGE_KIND_CREATE},
      {"publishers/w/models/a", v1::CHANGE_KIND_UPDATE},
      {"publishers/w/models/b", v1::CHANGE_KIND_DELETE}};
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].kind(), "models");
    EXPECT_EQ(all[i].revision().resource(), expected[i].first) << i;
    EXPECT_EQ(all[i].revision().change(), expected[i].second) << i;
    EXPECT_EQ(all[i].revision().principal(), "test-admin");
    if (i > 0) {
      EXPECT_GT(all[i].revision().sequence(), all[i - 1].revision().sequence());
    }
  }
  EXPECT_EQ(all[2].revision().model().display_name(), "Renamed");
  EXPECT_EQ(all[2].revision().request_id(), update.request_id());
  EXPECT_TRUE(all[3].revision().model().has_delete_time());

  // Resuming after the second change gives exactly the third and fourth; without records when not asked.
  request.set_start_after_sequence(all[1].revision().sequence());
  request.set_include_records(false);
  CreateModel(*server, "w", "c");
  const std::vector<v1::ChangeEvent> rest = Collect(client, request, 3);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0].revision().sequence(), all[2].revision().sequence());
  EXPECT_EQ(rest[1].revision().sequence(), all[3].revision().sequence());
  EXPECT_EQ(rest[2].revision().resource(), "publishers/w/models/c");
  EXPECT_FALSE(rest[0].revision().has_model());

  // Without start_after_sequence: only what commits from now on.
  std::atomic<bool> done{false};
  std::thread writer([&] {
    while (!done) {
      CreateModel(*server, "w", absl::StrCat("late-", std::chrono::steady_clock::now().time_since_epoch().count()));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  v1::WatchChangesRequest from_now;
  from_now.add_name_prefixes("publishers/w");
  const std::vector<v1::ChangeEvent> live = Collect(client, from_now, 1);
  done = true;
  writer.join();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(live[0].revision().resource(), "publishers/w/models/late-"));
}

TEST(WatchApiTest, ACallerSeesOnlyTheChangesItMayReadAndBadRequestsFail) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  v1::CreateTokenRequest token_request;
  token_request.mutable_token()->set_principal("a-reader");
  v1::TokenBinding* binding = token_request.mutable_token()->add_bindings();
  binding->set_role(v1::ROLE_VIEWER);
  binding->set_scope("publishers/a");
  auto token = Call(server->admin(), &v1::Admin::Stub::CreateToken, token_request);
  ASSERT_OK(token);
  CreateModel(*server, "b", "hidden");
  CreateModel(*server, "a", "first");
  CreateModel(*server, "b", "hidden-too");
  CreateModel(*server, "a", "last");

  Client reader(server->Channel(token->secret()));
  v1::WatchChangesRequest everything;
  everything.set_start_after_sequence(0);
  const std::vector<v1::ChangeEvent> seen = Collect(reader, everything, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].revision().resource(), "publishers/a/models/first");
  EXPECT_EQ(seen[1].revision().resource(), "publishers/a/models/last");

  absl::Status status;
  v1::WatchChangesRequest other;
  other.add_name_prefixes("publishers/b");
  Collect(reader, other, 1, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  Client anonymous(server->Channel(""));
  Collect(anonymous, everything, 1, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  Client admin(server->channel());
  v1::WatchChangesRequest bad;
  bad.add_kinds("model");
  Collect(admin, bad, 1, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "kinds")) << status;
}

TEST(WatchApiTest, ResumingBeyondTheRetentionIsOutOfRangeNamingTheOldestAvailable) {
  ChangeFeed::Options feed;
  feed.retention = absl::Seconds(2);
  auto server = StartServer(feed);
  ASSERT_NE(server, nullptr);
  CreateModel(*server, "r", "old");
  const int64_t old_sequence = LatestSequence(*server, "publishers/r/models/old");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  CreateModel(*server, "r", "new");
  const int64_t new_sequence = LatestSequence(*server, "publishers/r/models/new");

  Client client(server->channel());
  v1::WatchChangesRequest request;
  request.set_start_after_sequence(old_sequence - 1);
  absl::Status status;
  EXPECT_TRUE(Collect(client, request, 1, &status).empty());
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), absl::StrCat("oldest sequence available is ", new_sequence)))
      << status;
  // Whoever saw the old change resumes fine.
  request.set_start_after_sequence(old_sequence);
  const std::vector<v1::ChangeEvent> events = Collect(client, request, 1, &status);
  ASSERT_EQ(events.size(), 1u) << status;
  EXPECT_EQ(events[0].revision().sequence(), new_sequence);
}

TEST(WatchApiTest, ResumingAfterASequenceNeverReachedIsOutOfRange) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  CreateModel(*server, "f", "latest");
  const int64_t latest = LatestSequence(*server, "publishers/f/models/latest");
  Client client(server->channel());
  v1::WatchChangesRequest request;
  request.set_start_after_sequence(latest + 1000000);
  absl::Status status;
  EXPECT_TRUE(Collect(client, request, 1, &status).empty());
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange) << status;
  EXPECT_EQ(ErrorReason(status), "SEQUENCE_NOT_REACHED") << status;
  // The latest sequence itself is a position it has reached: the next change arrives.
  request.set_start_after_sequence(latest);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CreateModel(*server, "f", "next");
  });
  const std::vector<v1::ChangeEvent> events = Collect(client, request, 1, &status);
  writer.join();
  ASSERT_EQ(events.size(), 1u) << status;
  EXPECT_EQ(events[0].revision().resource(), "publishers/f/models/next");
}

TEST(WatchApiTest, AConsumerThatStopsReadingIsCutOffWhileWritersGoOn) {
  auto server = StartStallingServer();
  ASSERT_NE(server, nullptr);
  CreateMany(*server, "s", 2000);
  auto stub = v1::History::NewStub(SmallWindowChannel(*server));
  grpc::ClientContext context;
  v1::WatchChangesRequest request;
  request.set_start_after_sequence(0);
  request.set_include_records(true);
  std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> reader = stub->WatchChanges(&context, request);
  v1::ChangeEvent first;
  ASSERT_TRUE(reader->Read(&first));

  // The consumer reads nothing more for a while; writers are not held up.
  int written = 0;
  double slowest_ms = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < until) {
    const auto start = std::chrono::steady_clock::now();
    const v1::Model model = CreateModel(*server, "s", absl::StrCat("during-", written));
    ASSERT_FALSE(model.name().empty());
    slowest_ms = std::max(slowest_ms,
                          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    ++written;
  }
  std::printf("writes while the consumer stalled: %d, slowest %.1f ms\n", written, slowest_ms);
  EXPECT_GE(written, 10);

  int received = 1;
  v1::ChangeEvent event;
  while (reader->Read(&event)) ++received;
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "resume from the last sequence")) << status.error_message();
  EXPECT_LT(received, 2000 + written);
  std::printf("changes received before the cut: %d\n", received);
}

TEST(WatchApiTest, TheClientLibraryResumesByItselfAfterBeingCutOff) {
  auto server = StartStallingServer();
  ASSERT_NE(server, nullptr);
  constexpr int kModels = 1000;
  CreateMany(*server, "c", kModels);
  Client client(SmallWindowChannel(*server));
  v1::WatchChangesRequest request;
  request.set_start_after_sequence(0);
  request.add_name_prefixes("publishers/c");
  request.set_include_records(true);
  std::vector<int64_t> sequences;
  const auto start = std::chrono::steady_clock::now();
  const absl::Status status = client.WatchChanges(request, [&](const v1::ChangeEvent& event) {
    if (sequences.empty()) std::this_thread::sleep_for(std::chrono::seconds(3));  // past the stall timeout
    sequences.push_back(event.revision().sequence());
    return sequences.size() < static_cast<size_t>(kModels);
  });
  ASSERT_OK(status);
  ASSERT_EQ(sequences.size(), static_cast<size_t>(kModels));
  for (size_t i = 1; i < sequences.size(); ++i) ASSERT_GT(sequences[i], sequences[i - 1]) << "twice or out of order";
  std::printf("received %d changes once each in %.1f s despite a 3 s pause\n", kModels,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace
}  // namespace modelreg::testing

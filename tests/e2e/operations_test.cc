// Operations end to end, on the real modelregd with its own database: Prometheus metrics scraped over HTTP
// (--metrics-listen), the health service used through server reflection by `buf curl` (per service, following the
// database), and structured logs (--log-format json --log-calls).
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "modelreg/v1/model_registry.grpc.pb.h"
#include "tests/e2e/process.h"
#include "tests/support/test_database.h"

namespace modelreg::testing {
namespace {

constexpr char kRequestId[] = "6f1c2d4e-0b7e-4b4e-9a53-3f1c2d4e5a6b";

// GET http://127.0.0.1:port/path; the status code and body (-1 when the connection failed).
std::pair<int, std::string> HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return {-1, ""};
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n\r\n";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 ", 0) != 0 || body == std::string::npos) return {-1, response};
  // Content-Length must match the body (the server closes after one response).
  std::smatch length;
  const std::string head = response.substr(0, body);
  if (std::regex_search(head, length, std::regex("\r\nContent-Length: (\\d+)"))) {
    EXPECT_EQ(std::stoul(length[1].str()), response.size() - body - 4);
  } else {
    ADD_FAILURE() << "no Content-Length in " << head;
  }
  return {std::stoi(response.substr(9, 3)), response.substr(body + 4)};
}

// A parsed scrape: every sample by its series (`name{a="x",b="y"}`, labels in the order served), and each family's
// type. Fails the test on any line that is not valid text exposition format 0.0.4.
struct Scrape {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;
  // name -> [(labels without le, le, value)] for histogram buckets, in order served
  std::vector<std::tuple<std::string, std::string, double>> buckets;

  double Value(const std::string& series) const {
    auto it = samples.find(series);
    return it == samples.end() ? -1 : it->second;
  }
};

Scrape ParseExposition(const std::string& text) {
  Scrape scrape;
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+))");
  const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)\"(,|$))");
  std::string family;  // the family of the latest # TYPE
  const std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  for (const std::string& line : lines) {
    std::smatch m;
    if (std::regex_match(line, m, help)) continue;
    if (std::regex_match(line, m, type)) {
      EXPECT_EQ(scrape.types.count(m[1].str()), 0u) << "family typed twice: " << line;
      family = m[1].str();
      scrape.types[family] = m[2].str();
      continue;
    }
    if (!std::regex_match(line, m, sample)) {
      ADD_FAILURE() << "not a sample line: `" << line << "`";
      continue;
    }
    const std::string name = m[1].str();
    const std::string labels = m[3].str();
    // The labels must be a complete sequence of name="value" pairs.
    std::string rest = labels;
    std::string le;
    std::string other_labels;
    std::smatch l;
    while (!rest.empty()) {
      if (!std::regex_search(rest, l, label, std::regex_constants::match_continuous)) {
        ADD_FAILURE() << "bad labels in `" << line << "`";
        break;
      }
      if (l[1].str() == "le") {
        le = l[2].str();
      } else {
        other_labels += (other_labels.empty() ? "" : ",") + l[1].str() + "=\"" + l[2].str() + "\"";
      }
      rest = l.suffix().str();
    }
    // A sample belongs to the family typed just before it (histograms: _bucket, _sum, _count).
    const bool in_family =
        name == family || (scrape.types[family] == "histogram" &&
                           (name == family + "_bucket" || name == family + "_sum" || name == family + "_count"));
    EXPECT_TRUE(in_family) << "sample outside its family: " << line;
    char* end = nullptr;
    const std::string value_text = m[4].str();
    const double value = value_text == "+Inf" ? HUGE_VAL : std::strtod(value_text.c_str(), &end);
    EXPECT_TRUE(value_text == "+Inf" || (end != nullptr && *end == '\0')) << "bad value in `" << line << "`";
    const std::string series = labels.empty() ? name : absl::StrCat(name, "{", labels, "}");
    EXPECT_EQ(scrape.samples.count(series), 0u) << "duplicate series " << line;
    scrape.samples[series] = value;
    if (name == family + "_bucket")
      scrape.buckets.emplace_back(absl::StrCat(family, "{", other_labels, "}"), le, value);
  }
  return scrape;
}

// Histogram buckets: per series, `le` ascending and ending in +Inf, counts non-decreasing, +Inf == _count.
void ExpectHistogramsConsistent(const Scrape& scrape) {
  std::map<std::string, std::vector<std::pair<std::string, double>>> by_series;
  for (const auto& [series, le, value] : scrape.buckets) by_series[series].emplace_back(le, value);
  EXPECT_FALSE(by_series.empty());
  for (const auto& [series, buckets] : by_series) {
    ASSERT_FALSE(buckets.empty());
    EXPECT_EQ(buckets.back().first, "+Inf") << series;
    for (size_t i = 1; i < buckets.size(); ++i) {
      if (i + 1 < buckets.size()) {
        EXPECT_LT(std::stod(buckets[i - 1].first), std::stod(buckets[i].first)) << series;
      }
      EXPECT_LE(buckets[i - 1].second, buckets[i].second) << series << " le=" << buckets[i].first;
    }
    const std::string family = series.substr(0, series.find('{'));
    const std::string labels = series.substr(series.find('{'));
    const std::string count = labels == "{}" ? family + "_count" : absl::StrCat(family, "_count", labels);
    EXPECT_EQ(scrape.Value(count), buckets.back().second) << count;
  }
}

// The buf CLI tests/run.sh installs: $MODELREG_BUF, else $BUF_DIR or ~/.cache/modelreg-buf.
std::string BufPath() {
  if (const char* buf = std::getenv("MODELREG_BUF"); buf != nullptr && *buf != '\0') return buf;
  const char* dir = std::getenv("BUF_DIR");
  const char* home = std::getenv("HOME");
  const std::string base =
      dir != nullptr && *dir != '\0' ? dir : std::string(home != nullptr ? home : "/tmp") + "/.cache/modelreg-buf";
  return base + "/node_modules/.bin/buf";
}

class OperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestDatabase>> database = TestDatabase::Create(/*migrate=*/false);
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    const CommandResult token =
        RunCommand({BinDir() + "/modelregd", "tokens", "create", "--database-url=" + database_->url(),
                    "--principal=ops-tester", "--role=admin"});
    ASSERT_EQ(token.exit_code, 0) << token.err;
    token_ = token.out.substr(0, token.out.find('\n'));
    char dir_template[] = "/tmp/mrops.XXXXXX";
    root_ = mkdtemp(dir_template);
    server_ = std::make_unique<ServerProcess>(root_ + "/data");
    ASSERT_TRUE(server_->Start({"--database-url=" + database_->url(), "--load-catalog=false",
                                "--metrics-listen=127.0.0.1:0", "--log-format=json", "--log-calls"}))
        << Log();
    std::smatch m;
    const std::string log = Log();
    ASSERT_TRUE(std::regex_search(log, m, std::regex("metrics on port (\\d+)"))) << log;
    metrics_port_ = std::stoi(m[1].str());
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
    server_.reset();
    database_.reset();
    if (!root_.empty()) std::filesystem::remove_all(root_);
  }
  std::string Log() const {
    std::ifstream in(server_ ? server_->log_path() : "");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  Scrape ScrapeMetrics() const {
    const auto [status, body] = HttpGet(metrics_port_, "/metrics");
    EXPECT_EQ(status, 200) << body;
    return ParseExposition(body);
  }
  grpc::Status GetModel(const std::string& name) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token_);
    v1::GetModelRequest request;
    request.set_name(name);
    v1::Model model;
    return v1::ModelRegistry::NewStub(channel_)->GetModel(&context, request, &model);
  }
  grpc::Status CreateModel(const std::string& id) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token_);
    v1::CreateModelRequest request;
    request.set_parent("publishers/metrics");
    request.set_model_id(id);
    request.mutable_model()->set_display_name("model " + id);
    v1::Model model;
    return v1::ModelRegistry::NewStub(channel_)->CreateModel(&context, request, &model);
  }
  // `buf curl` against modelregd through reflection (no proto files given).
  CommandResult BufCurl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {BufPath(), "curl", "--protocol", "grpc", "--http2-prior-knowledge"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }
  std::string HealthOf(const std::string& service) {
    const CommandResult result = BufCurl(
        {"-d", "{\"service\":\"" + service + "\"}", "http://" + server_->address() + "/grpc.health.v1.Health/Check"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    google::protobuf::Struct response;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(result.out, &response).ok()) << result.out;
    return response.fields().count("status") != 0 ? response.fields().at("status").string_value() : result.out;
  }
  // Runs `sql` on the test cluster's admin database.
  void Admin(const std::string& sql) {
    pqxx::connection connection(database_->admin_url());
    pqxx::nontransaction tx(connection);
    tx.exec(sql);
  }

  std::unique_ptr<TestDatabase> database_;
  std::string token_;
  std::string root_;
  std::unique_ptr<ServerProcess> server_;
  int metrics_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(OperationsTest, MetricsCountCallsByMethodAndCodeInValidExpositionFormat) {
  // The model cache is off, and counts no lookups, until its change listener has connected.
  for (int i = 0; i < 200 && ScrapeMetrics().Value("modelreg_model_change_listener_up") != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const Scrape before = ScrapeMetrics();
  ASSERT_EQ(before.Value("modelreg_model_change_listener_up"), 1);
  const std::string not_found =
      R"(modelreg_grpc_calls_total{method="modelreg.v1.ModelRegistry/GetModel",code="NOT_FOUND"})";
  const double not_found_before = std::max(0.0, before.Value(not_found));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(GetModel("publishers/nobody/models/missing" + std::to_string(i)).error_code(), grpc::NOT_FOUND);
  }
  EXPECT_EQ(GetModel("not a name").error_code(), grpc::INVALID_ARGUMENT);
  const Scrape after = ScrapeMetrics();
  EXPECT_EQ(after.Value(not_found), not_found_before + 3);
  EXPECT_EQ(
      after.Value(R"(modelreg_grpc_calls_total{method="modelreg.v1.ModelRegistry/GetModel",code="INVALID_ARGUMENT"})"),
      1);
  EXPECT_EQ(after.types.at("modelreg_grpc_calls_total"), "counter");
  EXPECT_EQ(after.types.at("modelreg_grpc_call_duration_seconds"), "histogram");
  // Every GetModel call was observed once in the latency histogram.
  EXPECT_EQ(after.Value(R"(modelreg_grpc_call_duration_seconds_count{method="modelreg.v1.ModelRegistry/GetModel"})"),
            after.Value(not_found) + 1);
  EXPECT_GT(after.Value(R"(modelreg_grpc_call_duration_seconds_sum{method="modelreg.v1.ModelRegistry/GetModel"})"), 0);
  ExpectHistogramsConsistent(after);
  // The state gauges: the pool (4 connections), the database, the cache and its listener.
  EXPECT_EQ(after.Value(R"(modelreg_db_pool_connections{state="in_use"})") +
                after.Value(R"(modelreg_db_pool_connections{state="idle_capacity"})"),
            4);
  EXPECT_EQ(after.Value("modelreg_db_pool_waiters"), 0);
  EXPECT_EQ(after.Value("modelreg_database_up"), 1);
  EXPECT_GE(after.Value("modelreg_model_cache_misses_total"),
            std::max(0.0, before.Value("modelreg_model_cache_misses_total")) + 3);  // the NOT_FOUND lookups missed
  EXPECT_GE(after.Value("modelreg_model_cache_entries"), 0);
  // CreateModel's group commit: one call alone is one group.
  ASSERT_TRUE(CreateModel("counted").ok());
  const Scrape created = ScrapeMetrics();
  EXPECT_EQ(created.types.at("modelreg_grouped_creates_total"), "counter");
  EXPECT_EQ(created.Value("modelreg_grouped_creates_total"),
            std::max(0.0, after.Value("modelreg_grouped_creates_total")) + 1);
  EXPECT_EQ(created.Value("modelreg_create_groups_total"),
            std::max(0.0, after.Value("modelreg_create_groups_total")) + 1);
  EXPECT_EQ(after.types.at("modelreg_model_cache_hits_total"), "counter");
  EXPECT_EQ(after.types.at("modelreg_model_change_listener_up"), "gauge");
  // Other paths and methods.
  EXPECT_EQ(HttpGet(metrics_port_, "/").first, 404);
  EXPECT_EQ(HttpGet(metrics_port_, "/metrics/x").first, 404);
  EXPECT_EQ(HttpGet(metrics_port_, "/metrics?x=1").first, 200);
}

TEST_F(OperationsTest, HealthServiceWorksThroughReflectionPerServiceAndFollowsTheDatabase) {
  ASSERT_TRUE(std::filesystem::exists(BufPath()))
      << "buf not found at " << BufPath() << " (tests/run.sh installs it; or set MODELREG_BUF)";
  const CommandResult methods = BufCurl({"--list-methods", "http://" + server_->address()});
  ASSERT_EQ(methods.exit_code, 0) << methods.err;
  EXPECT_NE(methods.out.find("grpc.health.v1.Health/Check"), std::string::npos) << methods.out;
  EXPECT_NE(methods.out.find("grpc.health.v1.Health/Watch"), std::string::npos) << methods.out;
  EXPECT_NE(methods.out.find("modelreg.v1.ModelRegistry/GetModel"), std::string::npos) << methods.out;
  EXPECT_NE(methods.out.find("modelreg.v1.History/WatchChanges"), std::string::npos) << methods.out;

  EXPECT_EQ(HealthOf(""), "SERVING");
  // Streams are counted too: buf's reflection stream (v1alpha, the version gRPC 1.51 serves) and the health calls.
  const Scrape scrape = ScrapeMetrics();
  EXPECT_GE(
      scrape.Value(
          R"(modelreg_grpc_calls_total{method="grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",code="OK"})"),
      2);
  EXPECT_GE(scrape.Value(R"(modelreg_grpc_calls_total{method="grpc.health.v1.Health/Check",code="OK"})"), 1);
  for (const char* service : {"modelreg.v1.ModelRegistry", "modelreg.v1.LicenseCatalog", "modelreg.v1.UsageChecker",
                              "modelreg.v1.Admin", "modelreg.v1.Governance", "modelreg.v1.History"}) {
    EXPECT_EQ(HealthOf(service), "SERVING") << service;
  }
  const CommandResult unknown = BufCurl(
      {"-d", R"({"service":"no.such.Service"})", "http://" + server_->address() + "/grpc.health.v1.Health/Check"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("not_found"), std::string::npos) << unknown.err;

  // The database refuses modelregd's connections: every service turns NOT_SERVING, then SERVING again.
  const std::string name = database_->name();
  Admin("ALTER DATABASE \"" + name + "\" ALLOW_CONNECTIONS false");
  Admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
  auto wait_for = [&](const std::string& service, const std::string& status) {
    std::string last;
    for (int i = 0; i < 100 && last != status; ++i) {
      last = HealthOf(service);
      if (last != status) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return last;
  };
  EXPECT_EQ(wait_for("modelreg.v1.ModelRegistry", "NOT_SERVING"), "NOT_SERVING");
  EXPECT_EQ(HealthOf(""), "NOT_SERVING");
  EXPECT_EQ(HealthOf("modelreg.v1.Governance"), "NOT_SERVING");
  EXPECT_EQ(ScrapeMetrics().Value("modelreg_database_up"), 0);
  Admin("ALTER DATABASE \"" + name + "\" ALLOW_CONNECTIONS true");
  EXPECT_EQ(wait_for("modelreg.v1.ModelRegistry", "SERVING"), "SERVING");
  EXPECT_EQ(HealthOf(""), "SERVING");
  EXPECT_EQ(ScrapeMetrics().Value("modelreg_database_up"), 1);
}

TEST_F(OperationsTest, JsonLogsAreOneObjectPerLineWithCallFields) {
  EXPECT_EQ(GetModel("publishers/nobody/models/missing").error_code(), grpc::NOT_FOUND);
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token_);
    v1::DeleteModelRequest request;
    request.set_name("publishers/nobody/models/missing");
    request.set_request_id(kRequestId);
    v1::Model model;
    EXPECT_EQ(v1::ModelRegistry::NewStub(channel_)->DeleteModel(&context, request, &model).error_code(),
              grpc::NOT_FOUND);
  }
  {
    grpc::ClientContext context;  // no token
    v1::GetModelRequest request;
    request.set_name("publishers/nobody/models/missing");
    v1::Model model;
    EXPECT_EQ(v1::ModelRegistry::NewStub(channel_)->GetModel(&context, request, &model).error_code(),
              grpc::UNAUTHENTICATED);
  }
  server_->Stop();  // the log is complete
  const std::string log = Log();
  int lines = 0;
  std::map<std::string, google::protobuf::Struct> calls;  // by method and code
  const std::vector<std::string> log_lines = absl::StrSplit(log, '\n', absl::SkipEmpty());
  for (const std::string& line : log_lines) {
    ++lines;
    google::protobuf::Struct object;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &object).ok()) << "not JSON: " << line;
    const auto& fields = object.fields();
    ASSERT_EQ(fields.count("time"), 1u) << line;
    EXPECT_TRUE(
        std::regex_match(fields.at("time").string_value(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
        << line;
    ASSERT_EQ(fields.count("level"), 1u) << line;
    EXPECT_TRUE(std::set<std::string>({"DEBUG", "INFO", "WARNING", "ERROR"}).count(fields.at("level").string_value()))
        << line;
    ASSERT_EQ(fields.count("message"), 1u) << line;
    if (fields.at("message").string_value() != "call") continue;
    for (const char* key : {"method", "code", "principal", "request_id"}) {
      EXPECT_EQ(fields.count(key), 1u) << key << " missing: " << line;
    }
    ASSERT_EQ(fields.count("duration"), 1u) << line;
    EXPECT_EQ(fields.at("duration").kind_case(), google::protobuf::Value::kNumberValue) << line;
    EXPECT_GE(fields.at("duration").number_value(), 0) << line;
    calls[fields.at("method").string_value() + " " + fields.at("code").string_value() + " " +
          fields.at("principal").string_value()] = object;
  }
  EXPECT_GT(lines, 5);
  ASSERT_EQ(calls.count("modelreg.v1.ModelRegistry/GetModel NOT_FOUND ops-tester"), 1u) << log;
  ASSERT_EQ(calls.count("modelreg.v1.ModelRegistry/DeleteModel NOT_FOUND ops-tester"), 1u) << log;
  EXPECT_EQ(
      calls["modelreg.v1.ModelRegistry/DeleteModel NOT_FOUND ops-tester"].fields().at("request_id").string_value(),
      kRequestId);
  // Refused before authentication: no principal.
  EXPECT_EQ(calls.count("modelreg.v1.ModelRegistry/GetModel UNAUTHENTICATED "), 1u) << log;
}

}  // namespace
}  // namespace modelreg::testing

// modelreg_bench: load synthetic models into a running modelregd and measure calls/s and latency per RPC, each
// RPC's throughput given as a ratio of the standard health Check's measured in the same run. See README.md.
//
// Async gRPC client: each measured phase keeps C calls outstanding (C = --concurrency) spread over --cq-threads
// completion-queue threads and --channels connections; every completed call immediately starts the next one.
// Latencies are stored per call and sorted (no histogram): p50/p99/max are exact.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "modelreg/v1/license_catalog.grpc.pb.h"
#include "modelreg/v1/model_registry.grpc.pb.h"
#include "server/common/command_line.h"
#include "tests/bench/hf_listing.h"

ABSL_FLAG(std::string, server, "127.0.0.1:7411", "modelregd address, host:port");
ABSL_FLAG(int64_t, models, 1000000, "Synthetic models to load (0: no load phase); loaded batches are skipped");
ABSL_FLAG(int, publishers, 1000, "Synthetic publishers publishers/bench-NNN the models are spread over");
ABSL_FLAG(int, batch_size, 1000, "Models per BatchCreateModels call (1-1000)");
ABSL_FLAG(int, load_inflight, 4, "BatchCreateModels calls in flight during the load");
ABSL_FLAG(bool, load_only, false, "Load (or check) the models and exit without measuring");
ABSL_FLAG(double, load_rate, 0,
          "Models/s of an earlier --load-only run, shown in the targets table when this run loads nothing");
ABSL_FLAG(std::vector<std::string>, concurrency, std::vector<std::string>({"1", "64"}),
          "Comma-separated numbers of concurrent callers; every phase runs at each");
ABSL_FLAG(std::vector<std::string>, phases,
          std::vector<std::string>({"health", "get", "list_selective", "list_broad", "create"}),
          "Comma-separated phases to measure: health, get, batch_get, list_selective, list_broad, create (health is "
          "always run "
          "first: it is the yardstick)");
ABSL_FLAG(double, seconds, 10, "Measured seconds per phase");
ABSL_FLAG(double, warmup, 1, "Unmeasured seconds before each phase's measurement");
ABSL_FLAG(double, create_warmup, 0,
          "Unmeasured seconds of creates before the create phase's measurement, if longer than --warmup: after a "
          "restart PostgreSQL reads the models' index pages in as the first creates touch them, which is start-up, not "
          "the steady state pgbench's TPC-B (its tables fresh in memory) is compared with");
ABSL_FLAG(int, channels, 0, "gRPC channels (TCP connections); 0: min(concurrency, 4)");
ABSL_FLAG(int, cq_threads, 1, "Client completion-queue threads");
ABSL_FLAG(int, page_size, 50, "page_size of the ListModels phases");
ABSL_FLAG(int, broad_pages, 20, "Pages each caller walks with page tokens in list_broad before starting over");
ABSL_FLAG(std::string, selective_filter, "publisher = \"bench-{pub}\" AND release_date >= 2024-01-01",
          "Filter of list_selective; {pub} becomes a random publisher number (NNN), {fam} a random family (NNN)");
ABSL_FLAG(std::string, broad_filter, "weights.access = OPEN_DOWNLOAD", "Filter of list_broad");
ABSL_FLAG(int, families, 400, "Synthetic families fam-NNN");
ABSL_FLAG(bool, rss_load, false,
          "Instead of the phases: --rss-connections connections each walk ListModels pages of --rss-page-size "
          "(--broad-filter) for --seconds; prints the server's peak and after-load RSS (needs --server-pid)");
ABSL_FLAG(int, rss_connections, 500, "--rss-load: TCP connections, one outstanding ListModels call on each");
ABSL_FLAG(int, rss_page_size, 1000, "--rss-load: page_size of the ListModels calls");
ABSL_FLAG(double, rss_settle, 10, "--rss-load: seconds to wait after the load before reading the after-load RSS");
ABSL_FLAG(std::string, generate_hf_listing, "",
          "jsonl or array: write a synthetic Hugging Face Hub listing of --models entries to stdout (for `modelreg "
          "import hf-hub`, tests/bench/README.md) and exit");
ABSL_FLAG(int, batch_get_size, 50, "Names per BatchGetModels call in the batch_get phase (1-1000)");
ABSL_FLAG(std::string, pgbench, "",
          "libpq keyword/value connection string of the PostgreSQL modelregd uses (e.g. `host=/tmp/pg user=postgres`): "
          "after the phases, run pgbench's TPC-B against it in database modelreg_bench_tpcb for --seconds, as the "
          "CreateModel yardstick; empty: no pgbench");
ABSL_FLAG(int, pgbench_scale, 10, "--pgbench: scale of `pgbench -i` (re-initialized every run)");
ABSL_FLAG(int, pgbench_clients, 64, "--pgbench: clients (-c)");
ABSL_FLAG(int, pgbench_threads, 2, "--pgbench: threads (-j)");
ABSL_FLAG(std::string, pg_bindir, "", "Directory of psql and pgbench; empty: from PATH");
ABSL_FLAG(int64_t, reassess_models, 0,
          "Instead of the phases: create a license, N models using it (BatchCreateModels, --batch-size, "
          "--load-inflight), then time UpdateLicense and the background reassessment until none is pending");
ABSL_FLAG(int, server_pid, 0, "modelregd's process id (same machine): --rss-load reads its /proc/PID/status");

namespace modelreg_bench {
namespace {

namespace v1 = ::modelreg::v1;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------------------------
// Synthetic data: model i is a pure function of i, so every run (and the GetModel phase) knows the names.

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string PublisherId(int64_t p) { return absl::StrFormat("bench-%03d", p); }
int64_t PublisherOf(int64_t i) { return i % absl::GetFlag(FLAGS_publishers); }
std::string ModelId(int64_t i) { return absl::StrFormat("m-%07d", i); }
std::string ModelName(int64_t i) {
  return absl::StrCat("publishers/", PublisherId(PublisherOf(i)), "/models/", ModelId(i));
}

// Licenses the server has from its shipped catalog (schema/catalog/licenses.yaml).
constexpr const char* kLicenses[] = {"apache-2.0",
                                     "apache-2.0",
                                     "apache-2.0",
                                     "mit",
                                     "mit",
                                     "llama3.1",
                                     "llama3",
                                     "llama3.2",
                                     "gemma",
                                     "qwen",
                                     "deepseek",
                                     "cc-by-nc-4.0",
                                     "bigscience-bloom-rail-1.0",
                                     "openrail",
                                     "cc-by-4.0",
                                     "bsd-3-clause"};
constexpr const char* kArchitectures[] = {"decoder-only transformer", "mixture-of-experts", "encoder-decoder",
                                          "diffusion", "state-space"};
constexpr const char* kTiers[] = {"gold", "silver", "bronze"};
constexpr const char* kLanguages[] = {"en", "zh", "multi", "fr"};

template <typename T, size_t N>
const T& Pick(const T (&items)[N], uint64_t h) {
  return items[h % N];
}

void FillModel(int64_t i, v1::CreateModelRequest* request) {
  const uint64_t h = Mix(static_cast<uint64_t>(i));
  const uint64_t h2 = Mix(h);
  const uint64_t h3 = Mix(h2);
  const std::string publisher = PublisherId(PublisherOf(i));
  request->set_parent(absl::StrCat("publishers/", publisher));
  request->set_model_id(ModelId(i));
  v1::Model* m = request->mutable_model();
  m->set_display_name(absl::StrCat("Bench model ", i));
  m->set_description(absl::StrCat("Synthetic model ", i, " generated by modelreg_bench."));
  m->set_family(
      absl::StrFormat("fam-%03d", static_cast<int64_t>(h % static_cast<uint64_t>(absl::GetFlag(FLAGS_families)))));
  m->set_version(absl::StrCat("v", (h >> 12) % 5 + 1));
  if ((h >> 16) % 10 != 0) {  // 90% have a release date, 2015-01-01 .. 2026-12-31
    const int year = 2015 + static_cast<int>((h >> 20) % 12);
    const int month = 1 + static_cast<int>((h >> 24) % 12);
    const int day = 1 + static_cast<int>((h >> 28) % 28);
    m->set_release_date(absl::StrFormat("%04d-%02d-%02d", year, month, day));
  }
  if ((h >> 32) % 20 != 0) {  // 95% have a parameter count, 1e6 .. ~1e12
    static constexpr int64_t kScales[] = {1000000, 10000000, 100000000, 1000000000, 10000000000, 100000000000};
    m->set_parameter_count(kScales[(h >> 36) % 6] * static_cast<int64_t>(1 + (h >> 40) % 9));
  }
  static constexpr v1::Model::Modality kModalities[] = {
      v1::Model::MODALITY_TEXT, v1::Model::MODALITY_TEXT,  v1::Model::MODALITY_TEXT,  v1::Model::MODALITY_TEXT,
      v1::Model::MODALITY_CODE, v1::Model::MODALITY_IMAGE, v1::Model::MODALITY_AUDIO, v1::Model::MODALITY_MULTIMODAL};
  m->set_modality(Pick(kModalities, h2));
  m->set_architecture(Pick(kArchitectures, h2 >> 4));
  m->set_treatment(static_cast<v1::Model::Treatment>(1 + (h2 >> 8) % 3));
  m->set_huggingface_repo(absl::StrCat(publisher, "/", ModelId(i)));
  m->set_homepage_uri(absl::StrCat("https://example.org/", publisher, "/", ModelId(i)));
  (*m->mutable_labels())["bench"] = "true";
  (*m->mutable_labels())["tier"] = Pick(kTiers, h2 >> 12);
  if ((h2 >> 16) % 2 == 0) (*m->mutable_labels())["lang"] = Pick(kLanguages, h2 >> 20);

  // 20% derive from an earlier model (one of an earlier batch, so it exists when this one is created).
  const int64_t batch = absl::GetFlag(FLAGS_batch_size);
  if (i >= batch && (h2 >> 24) % 5 == 0) {
    const int64_t base = static_cast<int64_t>((h2 >> 28) % static_cast<uint64_t>(i - i % batch));
    m->set_base_model(ModelName(base));
    static constexpr v1::Model::BaseModelRelation kRelations[] = {
        v1::Model::BASE_MODEL_RELATION_FINETUNE, v1::Model::BASE_MODEL_RELATION_FINETUNE,
        v1::Model::BASE_MODEL_RELATION_QUANTIZED, v1::Model::BASE_MODEL_RELATION_ADAPTER,
        v1::Model::BASE_MODEL_RELATION_MERGE};
    m->set_base_model_relation(Pick(kRelations, h2 >> 40));
  }

  // Access: 55% open download, 15% click-through, 15% API only, 5% closed, 5% manual approval, 5% unknown.
  const uint64_t access = (h3 % 20);
  v1::Weights* w = m->mutable_weights();
  if (access < 11) {
    w->set_access(v1::Weights::ACCESS_OPEN_DOWNLOAD);
  } else if (access < 14) {
    w->set_access(v1::Weights::ACCESS_GATED_CLICK_THROUGH);
  } else if (access < 17) {
    w->set_access(v1::Weights::ACCESS_API_ONLY);
  } else if (access < 18) {
    w->set_access(v1::Weights::ACCESS_CLOSED);
  } else if (access < 19) {
    w->set_access(v1::Weights::ACCESS_GATED_MANUAL_APPROVAL);
  }
  const bool downloadable = access < 14 || access == 18;
  if (downloadable && (h3 >> 8) % 10 != 0) {
    w->set_license(absl::StrCat("licenses/", Pick(kLicenses, h3 >> 12)));
    w->set_download_uri(absl::StrCat("https://huggingface.co/", publisher, "/", ModelId(i)));
  }

  // 30% describe release components (open code and data for some of them: levels 4 and 5).
  if ((h3 >> 20) % 10 < 3) {
    const bool code = (h3 >> 24) % 2 == 0;
    const bool data = code && (h3 >> 26) % 3 == 0;
    auto add = [&](v1::ComponentKind kind, v1::Component::Status status, const char* license) {
      v1::Component* c = m->add_components();
      c->set_kind(kind);
      c->set_status(status);
      if (license != nullptr) c->set_license(absl::StrCat("licenses/", license));
    };
    add(v1::COMPONENT_KIND_MODEL_ARCHITECTURE, v1::Component::STATUS_RELEASED, "apache-2.0");
    add(v1::COMPONENT_KIND_MODEL_CARD, v1::Component::STATUS_RELEASED, nullptr);
    add(v1::COMPONENT_KIND_TECHNICAL_REPORT,
        (h3 >> 28) % 2 == 0 ? v1::Component::STATUS_RELEASED : v1::Component::STATUS_NOT_RELEASED, nullptr);
    add(v1::COMPONENT_KIND_TRAINING_CODE, code ? v1::Component::STATUS_RELEASED : v1::Component::STATUS_NOT_RELEASED,
        code ? "apache-2.0" : nullptr);
    add(v1::COMPONENT_KIND_INFERENCE_CODE, v1::Component::STATUS_RELEASED, "mit");
    add(v1::COMPONENT_KIND_DATASETS, data ? v1::Component::STATUS_RELEASED : v1::Component::STATUS_UNKNOWN,
        data ? "cc-by-4.0" : nullptr);
    v1::DataDisclosure* d = m->mutable_data_disclosure();
    d->set_level(data ? v1::DataDisclosure::LEVEL_OPEN : v1::DataDisclosure::LEVEL_DESCRIBED);
    if (data) {
      d->set_complete_description(true);
      d->set_public_sources_listed(true);
      d->set_third_party_sources_listed(true);
      v1::Dataset* ds = d->add_datasets();
      ds->set_display_name("bench-corpus");
      ds->set_uri("https://example.org/datasets/bench-corpus");
      ds->set_license("licenses/cc-by-4.0");
    }
  } else {
    m->mutable_data_disclosure()->set_level(static_cast<v1::DataDisclosure::Level>((h3 >> 32) % 4));
  }
  m->add_sources(absl::StrCat("https://example.org/sources/", i));
}

// ---------------------------------------------------------------------------------------------------------------
// Async call machinery.

// One outstanding call. Its address is the completion-queue tag.
class Slot {
 public:
  virtual ~Slot() = default;
  // Starts the next call on `cq`.
  virtual void Start(grpc::CompletionQueue* cq) = 0;
  // The call finished (`ok` from the queue); returns its status.
  virtual grpc::Status Complete(bool ok) = 0;

  Clock::time_point started;
  std::mt19937_64 rng;
  int64_t ok_calls = 0;  // successful calls, warm-up included (for per-call averages)
};

struct Result {
  std::string phase;           // with details, e.g. the models per page
  std::string key;             // the phase's name
  double models_per_call = 0;  // get and batch_get: models each call returned
  int concurrency = 0;
  int64_t calls = 0;
  int64_t errors = 0;
  double seconds = 0;
  std::vector<int64_t> latencies_ns;  // sorted
  std::string first_error;
  std::map<int, int64_t> error_codes;  // failed calls (measured window) by gRPC status code
  double health_rate = 0;              // the health Check's calls/s at the same concurrency, same run

  double Rate() const { return seconds > 0 ? static_cast<double>(calls) / seconds : 0; }
  double PercentileMs(double q) const {
    if (latencies_ns.empty()) return 0;
    size_t index = static_cast<size_t>(q * static_cast<double>(latencies_ns.size()));
    index = std::min(index, latencies_ns.size() - 1);
    return static_cast<double>(latencies_ns[index]) / 1e6;
  }
};

// Runs `slots` (C outstanding calls) for warmup + seconds; counts calls that start and finish inside the measured
// window.
Result RunSlots(const std::string& phase, std::vector<std::unique_ptr<Slot>>& slots, double warmup, double seconds,
                int cq_threads) {
  struct ThreadState {
    grpc::CompletionQueue cq;
    std::vector<int64_t> latencies;
    int64_t errors = 0;
    std::string first_error;
    std::map<int, int64_t> error_codes;
  };
  cq_threads = std::max(1, std::min<int>(cq_threads, static_cast<int>(slots.size())));
  std::vector<std::unique_ptr<ThreadState>> states;
  for (int t = 0; t < cq_threads; ++t) states.push_back(std::make_unique<ThreadState>());

  const Clock::time_point begin = Clock::now();
  const Clock::time_point measure_start =
      begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  const Clock::time_point measure_end =
      measure_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::atomic<bool> stopping{false};

  std::vector<std::thread> threads;
  for (int t = 0; t < cq_threads; ++t) {
    threads.emplace_back([&, t] {
      ThreadState& state = *states[static_cast<size_t>(t)];
      int outstanding = 0;
      for (size_t s = static_cast<size_t>(t); s < slots.size(); s += static_cast<size_t>(cq_threads)) {
        slots[s]->started = Clock::now();
        slots[s]->Start(&state.cq);
        ++outstanding;
      }
      void* tag = nullptr;
      bool ok = false;
      while (outstanding > 0 && state.cq.Next(&tag, &ok)) {
        Slot* slot = static_cast<Slot*>(tag);
        const grpc::Status status = slot->Complete(ok);
        const Clock::time_point now = Clock::now();
        if (status.ok()) ++slot->ok_calls;
        if (slot->started >= measure_start && now <= measure_end) {
          if (status.ok()) {
            state.latencies.push_back(
                std::chrono::duration_cast<std::chrono::nanoseconds>(now - slot->started).count());
          } else {
            ++state.errors;
            ++state.error_codes[status.error_code()];
          }
        }
        if (!status.ok() && state.first_error.empty()) {
          state.first_error = absl::StrCat(status.error_code(), ": ", status.error_message());
        }
        if (now >= measure_end || stopping.load(std::memory_order_relaxed)) {
          --outstanding;
          continue;
        }
        slot->started = now;
        slot->Start(&state.cq);
      }
      state.cq.Shutdown();
      while (state.cq.Next(&tag, &ok)) {
      }
    });
  }
  for (auto& thread : threads) thread.join();
  stopping = true;

  Result result;
  result.phase = phase;
  result.concurrency = static_cast<int>(slots.size());
  result.seconds = seconds;
  for (auto& state : states) {
    result.latencies_ns.insert(result.latencies_ns.end(), state->latencies.begin(), state->latencies.end());
    result.errors += state->errors;
    if (result.first_error.empty()) result.first_error = state->first_error;
    for (const auto& [code, count] : state->error_codes) result.error_codes[code] += count;
  }
  std::sort(result.latencies_ns.begin(), result.latencies_ns.end());
  result.calls = static_cast<int64_t>(result.latencies_ns.size());
  return result;
}

// A unary call on a generated stub: `prepare` makes the reader for the next request.
template <typename Request, typename Response>
class UnarySlot : public Slot {
 public:
  using Prepare = std::function<std::unique_ptr<grpc::ClientAsyncResponseReader<Response>>(
      grpc::ClientContext*, const Request&, grpc::CompletionQueue*)>;

  explicit UnarySlot(Prepare prepare) : prepare_(std::move(prepare)) {}

  void Start(grpc::CompletionQueue* cq) override {
    NextRequest(&request_);
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    // Each response is parsed into a fresh message on the slot's arena, as a client that cares about allocation
    // would (protobuf's C++ performance advice): its parts come from the arena's first block, which Reset keeps,
    // instead of one malloc each.
    arena_.Reset();
    response_ = google::protobuf::Arena::CreateMessage<Response>(&arena_);
    reader_ = prepare_(context_.get(), request_, cq);
    reader_->StartCall();
    reader_->Finish(response_, &status_, this);
  }

  grpc::Status Complete(bool ok) override {
    if (!ok) return {grpc::StatusCode::UNKNOWN, "completion queue returned ok=false"};
    if (status_.ok()) OnResponse(*response_);
    return status_;
  }

 protected:
  virtual void NextRequest(Request* request) = 0;
  virtual void OnResponse(const Response& /*response*/) {}

 private:
  Prepare prepare_;
  Request request_;
  static constexpr size_t kArenaBlock = 1 << 20;  // a BatchGet of 50 models or a page of 50 fits
  std::unique_ptr<char[]> arena_block_ = std::make_unique<char[]>(kArenaBlock);
  google::protobuf::Arena arena_{arena_block_.get(), kArenaBlock};
  Response* response_ = nullptr;  // on arena_
  grpc::Status status_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader_;
};

// grpc.health.v1.Health/Check through the generic stub: the empty HealthCheckRequest is zero bytes; the response
// must be exactly {status: SERVING} = 0x08 0x01.
class HealthSlot : public Slot {
 public:
  explicit HealthSlot(grpc::GenericStub* stub) : stub_(stub) {}

  void Start(grpc::CompletionQueue* cq) override {
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    grpc::Slice empty("", 0);
    request_ = grpc::ByteBuffer(&empty, 1);
    response_.Clear();
    reader_ = stub_->PrepareUnaryCall(context_.get(), "/grpc.health.v1.Health/Check", request_, cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, this);
  }

  grpc::Status Complete(bool ok) override {
    if (!ok) return {grpc::StatusCode::UNKNOWN, "completion queue returned ok=false"};
    if (!status_.ok()) return status_;
    std::vector<grpc::Slice> slices;
    if (!response_.Dump(&slices).ok()) return {grpc::StatusCode::INTERNAL, "cannot read the response bytes"};
    std::string bytes;
    for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    if (bytes != std::string("\x08\x01", 2)) {
      return {grpc::StatusCode::INTERNAL, absl::StrCat("health response is not SERVING (", bytes.size(), " bytes)")};
    }
    return grpc::Status::OK;
  }

 private:
  grpc::GenericStub* stub_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader_;
};

using Stub = v1::ModelRegistry::Stub;

UnarySlot<v1::GetModelRequest, v1::Model>::Prepare PrepareGet(Stub* stub) {
  return [stub](grpc::ClientContext* c, const v1::GetModelRequest& r, grpc::CompletionQueue* cq) {
    return stub->PrepareAsyncGetModel(c, r, cq);
  };
}
UnarySlot<v1::ListModelsRequest, v1::ListModelsResponse>::Prepare PrepareList(Stub* stub) {
  return [stub](grpc::ClientContext* c, const v1::ListModelsRequest& r, grpc::CompletionQueue* cq) {
    return stub->PrepareAsyncListModels(c, r, cq);
  };
}

class GetSlot : public UnarySlot<v1::GetModelRequest, v1::Model> {
 public:
  GetSlot(Stub* stub, int64_t models) : UnarySlot(PrepareGet(stub)), models_(models) {}

 protected:
  void NextRequest(v1::GetModelRequest* request) override {
    request->set_name(ModelName(static_cast<int64_t>(rng() % static_cast<uint64_t>(models_))));
  }

 private:
  int64_t models_;
};

// BatchGetModels of --batch-get-size random loaded models (distinct names: the call is all-or-nothing anyway).
class BatchGetSlot : public UnarySlot<v1::BatchGetModelsRequest, v1::BatchGetModelsResponse> {
 public:
  BatchGetSlot(Stub* stub, int64_t models, int size)
      : UnarySlot([stub](grpc::ClientContext* c, const v1::BatchGetModelsRequest& r, grpc::CompletionQueue* cq) {
          return stub->PrepareAsyncBatchGetModels(c, r, cq);
        }),
        models_(models),
        size_(size) {}

 protected:
  void NextRequest(v1::BatchGetModelsRequest* request) override {
    request->Clear();
    const auto start = static_cast<int64_t>(rng() % static_cast<uint64_t>(models_));
    const int64_t stride = 1 + static_cast<int64_t>(rng() % 997);
    for (int i = 0; i < size_ && i < models_; ++i) request->add_names(ModelName((start + i * stride) % models_));
  }
  void OnResponse(const v1::BatchGetModelsResponse& response) override { returned += response.models_size(); }

 public:
  int64_t returned = 0;

 private:
  int64_t models_;
  int size_;
};

std::string FilterFor(const std::string& filter_template, std::mt19937_64& rng) {
  const std::string pub =
      absl::StrFormat("%03d", static_cast<int64_t>(rng() % static_cast<uint64_t>(absl::GetFlag(FLAGS_publishers))));
  const std::string fam =
      absl::StrFormat("%03d", static_cast<int64_t>(rng() % static_cast<uint64_t>(absl::GetFlag(FLAGS_families))));
  return absl::StrReplaceAll(filter_template, {{"{pub}", pub}, {"{fam}", fam}});
}

class ListSelectiveSlot : public UnarySlot<v1::ListModelsRequest, v1::ListModelsResponse> {
 public:
  explicit ListSelectiveSlot(Stub* stub) : UnarySlot(PrepareList(stub)) {}

 protected:
  void NextRequest(v1::ListModelsRequest* request) override {
    request->Clear();
    request->set_parent("publishers/-");
    request->set_page_size(absl::GetFlag(FLAGS_page_size));
    request->set_filter(FilterFor(absl::GetFlag(FLAGS_selective_filter), rng));
  }
  void OnResponse(const v1::ListModelsResponse& response) override { returned += response.models_size(); }

 public:
  int64_t returned = 0;
};

// Walks --broad_pages pages of the broad filter with page tokens, then starts over; each page is one measured call.
class ListBroadSlot : public UnarySlot<v1::ListModelsRequest, v1::ListModelsResponse> {
 public:
  ListBroadSlot(Stub* stub, int page_size) : UnarySlot(PrepareList(stub)), page_size_(page_size) {}

 protected:
  void NextRequest(v1::ListModelsRequest* request) override {
    request->Clear();
    request->set_parent("publishers/-");
    request->set_page_size(page_size_);
    request->set_filter(FilterFor(absl::GetFlag(FLAGS_broad_filter), rng));
    if (page_ > 0) request->set_page_token(token_);
  }
  void OnResponse(const v1::ListModelsResponse& response) override {
    returned += response.models_size();
    token_ = response.next_page_token();
    ++page_;
    if (token_.empty() || page_ >= absl::GetFlag(FLAGS_broad_pages)) page_ = 0;
  }

 public:
  int64_t returned = 0;

 private:
  int page_size_;
  int page_ = 0;
  std::string token_;
};

class CreateSlot : public UnarySlot<v1::CreateModelRequest, v1::Model> {
 public:
  CreateSlot(Stub* stub, std::string prefix)
      : UnarySlot([stub](grpc::ClientContext* c, const v1::CreateModelRequest& r, grpc::CompletionQueue* cq) {
          return stub->PrepareAsyncCreateModel(c, r, cq);
        }),
        prefix_(std::move(prefix)) {}

 protected:
  void NextRequest(v1::CreateModelRequest* request) override {
    request->Clear();
    // Same shape as a loaded model, under a new unique id.
    FillModel(static_cast<int64_t>(rng() % 1000000), request);
    request->mutable_model()->clear_base_model();
    request->mutable_model()->clear_base_model_relation();
    request->set_model_id(absl::StrCat(prefix_, "-", seq_++));
  }

 private:
  std::string prefix_;
  int64_t seq_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// Load phase.

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(const std::string& server, int count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one TCP connection per channel
    args.SetInt("modelreg_bench.channel", i);
    args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    channels.push_back(grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args));
  }
  for (auto& channel : channels) {
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::fprintf(stderr, "modelreg_bench: cannot connect to %s\n", server.c_str());
      std::exit(1);
    }
  }
  return channels;
}

// Checks which batches exist (a batch is one transaction: its first model exists iff all do).
class ProbeSlot : public UnarySlot<v1::GetModelRequest, v1::Model> {
 public:
  ProbeSlot(Stub* stub, std::atomic<int64_t>* next, int64_t batches, std::vector<char>* present)
      : UnarySlot(PrepareGet(stub)), next_(next), batches_(batches), present_(present) {}

  grpc::Status Complete(bool ok) override {
    grpc::Status status = UnarySlot::Complete(ok);
    if (batch_ >= 0 && batch_ < batches_) {
      if (status.ok()) (*present_)[static_cast<size_t>(batch_)] = 1;
      if (status.error_code() == grpc::StatusCode::NOT_FOUND) status = grpc::Status::OK;
    }
    return status;
  }

 protected:
  void NextRequest(v1::GetModelRequest* request) override {
    batch_ = next_->fetch_add(1);
    // Past the end: probe the first batch again (harmless); RunSlots stops when the caller says so.
    const int64_t b = batch_ < batches_ ? batch_ : 0;
    request->set_name(ModelName(b * absl::GetFlag(FLAGS_batch_size)));
  }

 private:
  std::atomic<int64_t>* next_;
  int64_t batches_;
  std::vector<char>* present_;
  int64_t batch_ = -1;
};

// One BatchCreateModels call in flight; StartNext() takes the next missing batch, false when none is left.
class LoadSlot : public Slot {
 public:
  LoadSlot(Stub* stub, const std::vector<int64_t>* todo, std::atomic<size_t>* next, std::atomic<int64_t>* loaded)
      : stub_(stub), todo_(todo), next_(next), loaded_(loaded) {}

  bool StartNext(grpc::CompletionQueue* cq) {
    const size_t k = next_->fetch_add(1);
    if (k >= todo_->size()) return false;
    const int64_t batch = (*todo_)[k];
    const int64_t size = absl::GetFlag(FLAGS_batch_size);
    const int64_t total = absl::GetFlag(FLAGS_models);
    request_.Clear();
    request_.set_parent("publishers/-");
    count_ = 0;
    for (int64_t i = batch * size; i < std::min(total, (batch + 1) * size); ++i) {
      FillModel(i, request_.add_requests());
      ++count_;
    }
    Start(cq);
    return true;
  }

  void Start(grpc::CompletionQueue* cq) override {
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));
    response_.Clear();
    reader_ = stub_->PrepareAsyncBatchCreateModels(context_.get(), request_, cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, this);
  }

  // ALREADY_EXISTS: the batch was committed by an earlier, interrupted run after the probe; it counts as loaded.
  grpc::Status Complete(bool ok) override {
    if (!ok) return {grpc::StatusCode::UNKNOWN, "completion queue returned ok=false"};
    if (status_.ok() || status_.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      loaded_->fetch_add(count_);
      return grpc::Status::OK;
    }
    return status_;
  }

 private:
  Stub* stub_;
  const std::vector<int64_t>* todo_;
  std::atomic<size_t>* next_;
  std::atomic<int64_t>* loaded_;
  int64_t count_ = 0;
  v1::BatchCreateModelsRequest request_;
  v1::BatchCreateModelsResponse response_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::BatchCreateModelsResponse>> reader_;
};

// Loads the missing batches; returns the load's models/s (0 when there was nothing to load).
double Load(const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  const int64_t total = absl::GetFlag(FLAGS_models);
  const int64_t size = absl::GetFlag(FLAGS_batch_size);
  if (total <= 0) return 0;
  if (size < 1 || size > 1000) {
    std::fprintf(stderr, "modelreg_bench: --batch-size must be 1-1000\n");
    std::exit(2);
  }
  const int64_t batches = (total + size - 1) / size;
  std::vector<std::unique_ptr<Stub>> stubs;
  for (const auto& channel : channels) stubs.push_back(v1::ModelRegistry::NewStub(channel));

  // 1. Which batches are already there.
  const Clock::time_point probe_begin = Clock::now();
  std::vector<char> present(static_cast<size_t>(batches), 0);
  {
    std::atomic<int64_t> next{0};
    std::vector<std::unique_ptr<Slot>> slots;
    // ProbeSlot issues batches in order; stop once every batch has been probed (checked in the loop below).
    const int probes = static_cast<int>(std::min<int64_t>(32, batches));
    for (int s = 0; s < probes; ++s) {
      slots.push_back(
          std::make_unique<ProbeSlot>(stubs[static_cast<size_t>(s) % stubs.size()].get(), &next, batches, &present));
    }
    grpc::CompletionQueue cq;
    for (auto& slot : slots) slot->Start(&cq);
    int outstanding = probes;
    void* tag = nullptr;
    bool ok = false;
    while (outstanding > 0 && cq.Next(&tag, &ok)) {
      Slot* slot = static_cast<Slot*>(tag);
      const grpc::Status status = slot->Complete(ok);
      if (!status.ok()) {
        std::fprintf(stderr, "modelreg_bench: GetModel probe failed: %d %s\n", status.error_code(),
                     status.error_message().c_str());
        std::exit(1);
      }
      if (next.load() >= batches) {
        --outstanding;
        continue;
      }
      slot->Start(&cq);
    }
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
  }
  std::vector<int64_t> todo;
  for (int64_t b = 0; b < batches; ++b) {
    if (present[static_cast<size_t>(b)] == 0) todo.push_back(b);
  }
  const double probe_seconds = std::chrono::duration<double>(Clock::now() - probe_begin).count();
  std::printf("load: %" PRId64 " models in %" PRId64 " batches of %" PRId64 ": %" PRId64
              " batches already present (checked in %.1f s), %zu to load\n",
              total, batches, size, batches - static_cast<int64_t>(todo.size()), probe_seconds, todo.size());
  std::fflush(stdout);
  if (todo.empty()) return 0;

  // 2. Load the missing batches, --load-inflight at a time. Batch b only references base models of batches < b,
  // and batches are handed out in order, so a base model exists unless its batch is still in flight (base_model is
  // not a foreign key, so that is harmless).
  std::atomic<size_t> next{0};
  std::atomic<int64_t> loaded{0};
  std::atomic<bool> done{false};
  std::vector<std::unique_ptr<LoadSlot>> slots;
  const int inflight = std::max(1, absl::GetFlag(FLAGS_load_inflight));
  for (int s = 0; s < inflight; ++s) {
    slots.push_back(
        std::make_unique<LoadSlot>(stubs[static_cast<size_t>(s) % stubs.size()].get(), &todo, &next, &loaded));
  }
  const Clock::time_point begin = Clock::now();
  std::thread progress([&] {
    int64_t last = 0;
    Clock::time_point last_time = begin;
    while (!done.load()) {
      for (int i = 0; i < 100 && !done.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (done.load()) break;
      const Clock::time_point now = Clock::now();
      const int64_t n = loaded.load();
      std::printf("load: %" PRId64 " / %" PRId64 " models, %.0f models/s (last 10 s: %.0f models/s)\n", n,
                  static_cast<int64_t>(todo.size()) * size,
                  static_cast<double>(n) / std::chrono::duration<double>(now - begin).count(),
                  static_cast<double>(n - last) / std::chrono::duration<double>(now - last_time).count());
      std::fflush(stdout);
      last = n;
      last_time = now;
    }
  });
  {
    grpc::CompletionQueue cq;
    int outstanding = 0;
    for (auto& slot : slots) outstanding += slot->StartNext(&cq) ? 1 : 0;
    void* tag = nullptr;
    bool ok = false;
    while (outstanding > 0 && cq.Next(&tag, &ok)) {
      LoadSlot* slot = static_cast<LoadSlot*>(static_cast<Slot*>(tag));
      const grpc::Status status = slot->Complete(ok);
      if (!status.ok()) {
        std::fprintf(stderr, "modelreg_bench: BatchCreateModels failed: %d %s\n", status.error_code(),
                     status.error_message().c_str());
        std::exit(1);
      }
      if (!slot->StartNext(&cq)) --outstanding;
    }
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
  }
  done = true;
  progress.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  std::printf("load: created %" PRId64 " models in %.1f s: %.0f models/s (%d batches in flight)\n", loaded.load(),
              elapsed, static_cast<double>(loaded.load()) / elapsed, inflight);
  std::fflush(stdout);
  return static_cast<double>(loaded.load()) / elapsed;
}

// ---------------------------------------------------------------------------------------------------------------

std::vector<int> ParseIntList(const std::vector<std::string>& items, const char* flag) {
  std::vector<int> out;
  for (const std::string& item : items) {
    int value = 0;
    if (!absl::SimpleAtoi(item, &value) || value < 1) {
      std::fprintf(stderr, "modelreg_bench: --%s: `%s` is not a positive number\n", flag, item.c_str());
      std::exit(2);
    }
    out.push_back(value);
  }
  return out;
}

Result RunPhase(const std::string& phase, int concurrency, const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                const std::string& run_id) {
  std::vector<std::unique_ptr<Stub>> stubs;
  std::vector<std::unique_ptr<grpc::GenericStub>> generic;
  for (const auto& channel : channels) {
    stubs.push_back(v1::ModelRegistry::NewStub(channel));
    generic.push_back(std::make_unique<grpc::GenericStub>(channel));
  }
  const int64_t models = absl::GetFlag(FLAGS_models);
  std::vector<std::unique_ptr<Slot>> slots;
  std::random_device seed;
  for (int s = 0; s < concurrency; ++s) {
    const size_t c = static_cast<size_t>(s) % channels.size();
    std::unique_ptr<Slot> slot;
    if (phase == "health") {
      slot = std::make_unique<HealthSlot>(generic[c].get());
    } else if (phase == "get") {
      slot = std::make_unique<GetSlot>(stubs[c].get(), models);
    } else if (phase == "batch_get") {
      const int size = std::max(1, std::min(1000, absl::GetFlag(FLAGS_batch_get_size)));
      slot = std::make_unique<BatchGetSlot>(stubs[c].get(), models, size);
    } else if (phase == "list_selective") {
      slot = std::make_unique<ListSelectiveSlot>(stubs[c].get());
    } else if (phase == "list_broad") {
      slot = std::make_unique<ListBroadSlot>(stubs[c].get(), absl::GetFlag(FLAGS_page_size));
    } else if (phase == "create") {
      slot = std::make_unique<CreateSlot>(stubs[c].get(), absl::StrCat("c-", run_id, "-", concurrency, "-", s));
    } else {
      std::fprintf(stderr, "modelreg_bench: unknown phase `%s`\n", phase.c_str());
      std::exit(2);
    }
    slot->rng.seed((static_cast<uint64_t>(seed()) << 32) ^ seed());
    slots.push_back(std::move(slot));
  }
  double warmup = absl::GetFlag(FLAGS_warmup);
  if (phase == "create") warmup = std::max(warmup, absl::GetFlag(FLAGS_create_warmup));
  Result result = RunSlots(phase, slots, warmup, absl::GetFlag(FLAGS_seconds), absl::GetFlag(FLAGS_cq_threads));
  int64_t returned = 0;
  int64_t ok_calls = 0;
  for (auto& slot : slots) {
    ok_calls += slot->ok_calls;
    if (auto* l = dynamic_cast<ListSelectiveSlot*>(slot.get())) returned += l->returned;
    if (auto* l = dynamic_cast<ListBroadSlot*>(slot.get())) returned += l->returned;
    if (auto* b = dynamic_cast<BatchGetSlot*>(slot.get())) returned += b->returned;
  }
  result.key = phase;
  result.models_per_call = phase == "get" ? 1.0 : 0.0;
  if (phase == "batch_get") {
    result.models_per_call = static_cast<double>(returned) / std::max<double>(1, static_cast<double>(ok_calls));
    result.phase = absl::StrFormat("%s (%.0f/call)", phase, result.models_per_call);
  } else if (returned > 0) {
    result.phase = absl::StrFormat("%s (%.1f/page)", phase,
                                   static_cast<double>(returned) / std::max<double>(1, static_cast<double>(ok_calls)));
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// --rss-load: the server's memory under many connections listing big pages, and after.

// From /proc/PID/status (KiB; -1 when unreadable).
struct ProcMemory {
  int64_t rss_kib = -1;  // VmRSS: resident now
  int64_t hwm_kib = -1;  // VmHWM: the process's peak resident size since it started
  int64_t threads = -1;
};

ProcMemory ReadProcMemory(int pid) {
  ProcMemory m;
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    auto value = [&line](const char* key, int64_t* out) {
      const size_t n = std::strlen(key);
      if (line.compare(0, n, key) != 0) return;
      std::string digits;
      for (size_t i = n; i < line.size(); ++i) {
        if (line[i] >= '0' && line[i] <= '9') digits.push_back(line[i]);
      }
      (void)absl::SimpleAtoi(digits, out);
    };
    value("VmRSS:", &m.rss_kib);
    value("VmHWM:", &m.hwm_kib);
    value("Threads:", &m.threads);
  }
  return m;
}

double MiB(int64_t kib) { return static_cast<double>(kib) / 1024.0; }

int RunRssLoad(const std::string& server) {
  const int pid = absl::GetFlag(FLAGS_server_pid);
  if (pid <= 0 || ReadProcMemory(pid).rss_kib < 0) {
    std::fprintf(stderr, "modelreg_bench: --rss-load needs --server-pid of a modelregd running on this machine\n");
    return 2;
  }
  const int connections = std::max(1, absl::GetFlag(FLAGS_rss_connections));
  const int page_size = absl::GetFlag(FLAGS_rss_page_size);
  const ProcMemory before = ReadProcMemory(pid);

  // Samples the server every 100 ms from before the connections open until after the settle time.
  std::atomic<bool> sampling{true};
  std::atomic<int64_t> peak_rss{before.rss_kib};
  std::atomic<int64_t> peak_threads{before.threads};
  std::thread sampler([&] {
    while (sampling.load()) {
      const ProcMemory now = ReadProcMemory(pid);
      if (now.rss_kib > peak_rss.load()) peak_rss = now.rss_kib;
      if (now.threads > peak_threads.load()) peak_threads = now.threads;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  Result result;
  int64_t returned = 0;
  int64_t ok_calls = 0;
  {
    const auto channels = MakeChannels(server, connections);
    std::vector<std::unique_ptr<Stub>> stubs;
    std::vector<std::unique_ptr<Slot>> slots;
    std::random_device seed;
    for (const auto& channel : channels) {
      stubs.push_back(v1::ModelRegistry::NewStub(channel));
      slots.push_back(std::make_unique<ListBroadSlot>(stubs.back().get(), page_size));
      slots.back()->rng.seed((static_cast<uint64_t>(seed()) << 32) ^ seed());
    }
    result = RunSlots("rss_load", slots, 0, absl::GetFlag(FLAGS_seconds), std::max(2, absl::GetFlag(FLAGS_cq_threads)));
    for (auto& slot : slots) {
      ok_calls += slot->ok_calls;
      returned += static_cast<ListBroadSlot*>(slot.get())->returned;
    }
  }  // every connection closes here
  const ProcMemory at_end = ReadProcMemory(pid);
  std::this_thread::sleep_for(std::chrono::duration<double>(absl::GetFlag(FLAGS_rss_settle)));
  sampling = false;
  sampler.join();
  const ProcMemory after = ReadProcMemory(pid);

  std::printf(
      "rss-load: %d connections, one ListModels call outstanding on each, page_size %d, filter `%s`, %d pages "
      "per walk, %.0f s\n",
      connections, page_size, absl::GetFlag(FLAGS_broad_filter).c_str(), absl::GetFlag(FLAGS_broad_pages),
      absl::GetFlag(FLAGS_seconds));
  std::printf("  calls: %" PRId64 " ok (%.1f models/page), %" PRId64 " failed", result.calls,
              static_cast<double>(returned) / std::max<double>(1, static_cast<double>(ok_calls)), result.errors);
  for (const auto& [code, count] : result.error_codes) std::printf(" [code %d: %" PRId64 "]", code, count);
  if (!result.first_error.empty()) std::printf("; first error: %s", result.first_error.c_str());
  std::printf("\n  latency: p50 %.1f ms, p99 %.1f ms\n", result.PercentileMs(0.5), result.PercentileMs(0.99));
  std::printf(
      "  server RSS: before %.0f MiB, peak during load %.0f MiB (VmHWM since start %.0f MiB), when the load "
      "stopped %.0f MiB, %.0f s after the load %.0f MiB\n",
      MiB(before.rss_kib), MiB(peak_rss.load()), MiB(after.hwm_kib), MiB(at_end.rss_kib),
      absl::GetFlag(FLAGS_rss_settle), MiB(after.rss_kib));
  std::printf("  server threads: before %" PRId64 ", peak %" PRId64 ", after %" PRId64 "\n", before.threads,
              peak_threads.load(), after.threads);
  std::fflush(stdout);
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// --pgbench: PostgreSQL's own TPC-B in the same run, the yardstick of CreateModel.

// Runs `command` through the shell: its standard output, or nullopt when it could not run or exited non-zero.
std::optional<std::string> RunCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  if (pclose(pipe) != 0) return std::nullopt;
  return out;
}

std::string ShellQuote(const std::string& text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

// Initializes database modelreg_bench_tpcb (created when missing) with `pgbench -i -s --pgbench-scale`, then runs
// `pgbench -M prepared -c C -j J -T seconds` against it: its transactions/s, or 0 (the reason printed) when it
// failed.
double RunPgbench(double seconds) {
  const std::string conninfo = absl::GetFlag(FLAGS_pgbench);
  const std::string bin = absl::GetFlag(FLAGS_pg_bindir).empty() ? "" : absl::GetFlag(FLAGS_pg_bindir) + "/";
  const std::string database = ShellQuote(conninfo + " dbname=modelreg_bench_tpcb");
  // Fails when the database exists, which is fine.
  (void)RunCommand(absl::StrCat(bin, "psql -X -q ", ShellQuote(conninfo + " dbname=postgres"),
                                " -c 'CREATE DATABASE modelreg_bench_tpcb' >/dev/null 2>&1"));
  std::printf("pgbench: initializing modelreg_bench_tpcb at scale %d\n", absl::GetFlag(FLAGS_pgbench_scale));
  std::fflush(stdout);
  if (!RunCommand(absl::StrCat(bin, "pgbench -i -q -s ", absl::GetFlag(FLAGS_pgbench_scale), " ", database,
                               " >/dev/null 2>&1"))
           .has_value()) {
    std::printf("pgbench: `pgbench -i` failed (check --pgbench and --pg-bindir)\n");
    return 0;
  }
  const std::string run = absl::StrCat(bin, "pgbench -M prepared -c ", absl::GetFlag(FLAGS_pgbench_clients), " -j ",
                                       absl::GetFlag(FLAGS_pgbench_threads), " -T ", std::max(1L, std::lround(seconds)),
                                       " ", database, " 2>/dev/null");
  std::printf("pgbench: %s\n", run.c_str());
  std::fflush(stdout);
  const std::optional<std::string> out = RunCommand(run);
  if (!out.has_value()) {
    std::printf("pgbench: the run failed\n");
    return 0;
  }
  // pgbench 15: "tps = 3712.123456 (without initial connection time)".
  const size_t at = out->find("tps = ");
  double tps = 0;
  if (at == std::string::npos || !absl::SimpleAtod(out->substr(at + 6, out->find(' ', at + 6) - (at + 6)), &tps)) {
    std::printf("pgbench: no tps in its output\n");
    return 0;
  }
  return tps;
}

// The targets as ratios measured in this run, at the largest concurrency.
void PrintTargets(const std::vector<Result>& results, int concurrency, double load_rate, double tpcb) {
  auto find = [&](const std::string& key) -> const Result* {
    for (const Result& r : results) {
      if (r.key == key && r.concurrency == concurrency) return &r;
    }
    return nullptr;
  };
  std::printf("\n%-52s %16s %24s %9s %s\n", "target (this run)", "measured", "yardstick", "ratio", "goal");
  if (load_rate > 0) {
    std::printf("%-52s %9.0f mod/s %24s %9s %s\n", "bulk load, BatchCreateModels", load_rate, "", "",
                ">= 50000 models/s");
  } else {
    std::printf("%-52s %16s %24s %9s %s\n", "bulk load, BatchCreateModels", "(nothing loaded)", "", "",
                ">= 50000 models/s");
  }
  const Result* create = find("create");
  if (create != nullptr && tpcb > 0) {
    std::printf("%-52s %9.0f call/s %18.0f tps %8.2fx %s\n",
                absl::StrFormat("CreateModel C=%d vs pgbench TPC-B -c %d -j %d", concurrency,
                                absl::GetFlag(FLAGS_pgbench_clients), absl::GetFlag(FLAGS_pgbench_threads))
                    .c_str(),
                create->Rate(), tpcb, create->Rate() / tpcb, ">= 0.8x");
  } else if (tpcb > 0) {
    std::printf("%-52s %16s %18.0f tps\n", "pgbench TPC-B (no create phase)", "", tpcb);
  }
  for (const char* key : {"list_selective", "list_broad"}) {
    const Result* list = find(key);
    if (list == nullptr || list->health_rate <= 0) continue;
    std::printf("%-52s %9.0f call/s %14.0f health/s %8.1f%% %s\n",
                absl::StrFormat("ListModels %s C=%d vs health Check", key, concurrency).c_str(), list->Rate(),
                list->health_rate, 100.0 * list->Rate() / list->health_rate, ">= 25%");
  }
  const Result* get = find("get");
  const Result* batch = find("batch_get");
  if (get != nullptr && batch != nullptr && get->Rate() > 0) {
    const double batch_models = batch->Rate() * batch->models_per_call;
    std::printf("%-52s %9.0f mod/s %14.0f mod/s Get %8.1fx %s\n",
                absl::StrFormat("BatchGetModels C=%d vs GetModel C=%d", concurrency, concurrency).c_str(), batch_models,
                get->Rate(), batch_models / get->Rate(), ">= 10x");
  }
}

// --reassess-models: UpdateLicense of a license used by N models returns at once; the reassessment follows in the
// background (server/service/license_reassessor.h). Prints the call's time and the time until nothing is pending.
int RunReassessBench(const std::string& server) {
  const int64_t total = absl::GetFlag(FLAGS_reassess_models);
  const int64_t size = std::max(1, std::min(1000, absl::GetFlag(FLAGS_batch_size)));
  const int inflight = std::max(1, absl::GetFlag(FLAGS_load_inflight));
  const auto channels = MakeChannels(server, std::min(inflight, 4));
  auto licenses = v1::LicenseCatalog::NewStub(channels[0]);
  const std::string id = absl::StrFormat(
      "bench-reassess-%x",
      static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count() / 1000) & 0xffffffffU);
  v1::CreateLicenseRequest create;
  create.set_license_id(id);
  create.mutable_license()->set_display_name("Benchmark reassessment license");
  create.mutable_license()->set_osi_approved(true);
  v1::License license;
  {
    grpc::ClientContext context;
    const grpc::Status status = licenses->CreateLicense(&context, create, &license);
    if (!status.ok()) {
      std::fprintf(stderr, "modelreg_bench: CreateLicense failed: %s\n", status.error_message().c_str());
      return 1;
    }
  }

  // Load: --load-inflight threads, each with blocking BatchCreateModels calls of --batch-size models.
  const Clock::time_point load_begin = Clock::now();
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> loaders;
  for (int t = 0; t < inflight; ++t) {
    loaders.emplace_back([&, t] {
      auto stub = v1::ModelRegistry::NewStub(channels[static_cast<size_t>(t) % channels.size()]);
      for (int64_t b = next.fetch_add(1); b * size < total && !failed.load(); b = next.fetch_add(1)) {
        v1::BatchCreateModelsRequest request;
        request.set_parent("publishers/bench-reassess");
        for (int64_t i = b * size; i < std::min(total, (b + 1) * size); ++i) {
          v1::CreateModelRequest* item = request.add_requests();
          FillModel(i, item);
          item->set_parent("publishers/bench-reassess");
          item->set_model_id(absl::StrFormat("%s-%09d", id, i));
          item->mutable_model()->clear_base_model();
          item->mutable_model()->clear_base_model_relation();
          item->mutable_model()->mutable_weights()->set_license("licenses/" + id);
        }
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));
        v1::BatchCreateModelsResponse response;
        const grpc::Status status = stub->BatchCreateModels(&context, request, &response);
        if (!status.ok()) {
          std::fprintf(stderr, "modelreg_bench: BatchCreateModels failed: %s\n", status.error_message().c_str());
          failed = true;
        }
      }
    });
  }
  for (std::thread& loader : loaders) loader.join();
  if (failed.load()) return 1;
  const double load_seconds = std::chrono::duration<double>(Clock::now() - load_begin).count();
  std::printf("reassess: loaded %" PRId64 " models using licenses/%s in %.1f s (%.0f models/s)\n", total, id.c_str(),
              load_seconds, static_cast<double>(total) / load_seconds);
  std::fflush(stdout);

  // The update: a usage threshold moves every model's assessment (level 3 to 2), so each one is rewritten.
  v1::UpdateLicenseRequest update;
  update.mutable_license()->set_name(license.name());
  update.mutable_license()->set_etag(license.etag());
  auto* threshold = update.mutable_license()->add_usage_thresholds();
  threshold->set_metric(v1::License::UsageThreshold::METRIC_MONTHLY_ACTIVE_USERS);
  threshold->set_limit(700000000);
  threshold->set_consequence(v1::License::UsageThreshold::CONSEQUENCE_REQUEST_LICENSE);
  update.mutable_update_mask()->add_paths("usage_thresholds");
  const Clock::time_point update_begin = Clock::now();
  v1::License updated;
  {
    grpc::ClientContext context;
    const grpc::Status status = licenses->UpdateLicense(&context, update, &updated);
    if (!status.ok()) {
      std::fprintf(stderr, "modelreg_bench: UpdateLicense failed: %s\n", status.error_message().c_str());
      return 1;
    }
  }
  const double update_ms = std::chrono::duration<double, std::milli>(Clock::now() - update_begin).count();
  std::printf("reassess: UpdateLicense returned in %.1f ms, reassessment %s\n", update_ms,
              v1::License::ReassessmentState_Name(updated.reassessment_state()).c_str());
  std::fflush(stdout);

  // Poll GetLicense until nothing is pending.
  v1::GetLicenseRequest get;
  get.set_name(license.name());
  Clock::time_point last_print = update_begin;
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    grpc::ClientContext context;
    v1::License current;
    const grpc::Status status = licenses->GetLicense(&context, get, &current);
    if (!status.ok()) {
      std::fprintf(stderr, "modelreg_bench: GetLicense failed: %s\n", status.error_message().c_str());
      return 1;
    }
    const Clock::time_point now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - update_begin).count();
    if (current.reassessment_state() == v1::License::REASSESSMENT_STATE_UNSPECIFIED) {
      std::printf("reassess: %" PRId64 " models reassessed in the background in %.1f s (%.0f models/s)\n", total,
                  elapsed, static_cast<double>(total) / elapsed);
      break;
    }
    if (now - last_print >= std::chrono::seconds(10)) {
      std::printf("reassess: %s, %" PRId64 " pending after %.0f s\n",
                  v1::License::ReassessmentState_Name(current.reassessment_state()).c_str(),
                  current.reassessment_pending_models(), elapsed);
      std::fflush(stdout);
      last_print = now;
    }
  }
  std::fflush(stdout);
  return 0;
}

int Main() {
  const std::string server = absl::GetFlag(FLAGS_server);
  const std::vector<int> concurrencies = ParseIntList(absl::GetFlag(FLAGS_concurrency), "concurrency");
  const int max_concurrency = *std::max_element(concurrencies.begin(), concurrencies.end());

  if (absl::GetFlag(FLAGS_reassess_models) > 0) return RunReassessBench(server);
  double load_rate = Load(MakeChannels(server, std::max(1, std::min(absl::GetFlag(FLAGS_load_inflight), 4))));
  if (load_rate <= 0) load_rate = absl::GetFlag(FLAGS_load_rate);
  if (absl::GetFlag(FLAGS_load_only)) return 0;
  if (absl::GetFlag(FLAGS_rss_load)) return RunRssLoad(server);
  if (absl::GetFlag(FLAGS_models) <= 0) {
    std::fprintf(stderr, "modelreg_bench: the measured phases need --models > 0 (the loaded models to read)\n");
    return 2;
  }

  std::vector<std::string> phases = {"health"};
  for (const std::string& p : absl::GetFlag(FLAGS_phases)) {
    if (p != "health") phases.push_back(p);
  }
  const std::string run_id = absl::StrFormat(
      "%x", static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count() / 1000) & 0xffffffffU);
  std::printf("\nserver %s, %" PRId64 " models, %.1f s per phase (+%.1f s warm-up), cq threads %d, page size %d\n",
              server.c_str(), absl::GetFlag(FLAGS_models), absl::GetFlag(FLAGS_seconds), absl::GetFlag(FLAGS_warmup),
              absl::GetFlag(FLAGS_cq_threads), absl::GetFlag(FLAGS_page_size));
  std::printf("list_selective filter: %s\nlist_broad filter:     %s (%d pages per walk)\n\n",
              absl::GetFlag(FLAGS_selective_filter).c_str(), absl::GetFlag(FLAGS_broad_filter).c_str(),
              absl::GetFlag(FLAGS_broad_pages));
  std::fflush(stdout);

  std::vector<Result> results;
  for (int concurrency : concurrencies) {
    int channel_count = absl::GetFlag(FLAGS_channels);
    if (channel_count <= 0) channel_count = std::min(concurrency, 4);
    channel_count = std::max(1, std::min(channel_count, max_concurrency));
    const auto channels = MakeChannels(server, channel_count);
    double health_rate = 0;
    for (const std::string& phase : phases) {
      Result r = RunPhase(phase, concurrency, channels, run_id);
      if (phase == "health") health_rate = r.Rate();
      std::printf("  done: %-32s C=%-4d %10.0f calls/s  p50 %8.3f ms  p99 %8.3f ms  errors %" PRId64 "%s%s\n",
                  r.phase.c_str(), concurrency, r.Rate(), r.PercentileMs(0.50), r.PercentileMs(0.99), r.errors,
                  r.first_error.empty() ? "" : "  first error: ", r.first_error.c_str());
      std::fflush(stdout);
      r.health_rate = health_rate;
      results.push_back(std::move(r));
    }
  }

  std::printf("\n%-34s %5s %9s %7s %11s %9s %9s %9s %9s\n", "rpc", "C", "calls", "errors", "calls/s", "p50 ms",
              "p99 ms", "max ms", "vs health");
  for (const Result& r : results) {
    const double max_ms = r.latencies_ns.empty() ? 0 : static_cast<double>(r.latencies_ns.back()) / 1e6;
    std::printf("%-34s %5d %9" PRId64 " %7" PRId64 " %11.0f %9.3f %9.3f %9.3f %8.1f%%\n", r.phase.c_str(),
                r.concurrency, r.calls, r.errors, r.Rate(), r.PercentileMs(0.50), r.PercentileMs(0.99), max_ms,
                r.health_rate > 0 ? 100.0 * r.Rate() / r.health_rate : 0.0);
  }
  std::fflush(stdout);
  const double tpcb = absl::GetFlag(FLAGS_pgbench).empty() ? 0 : RunPgbench(absl::GetFlag(FLAGS_seconds));
  PrintTargets(results, max_concurrency, load_rate, tpcb);
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace modelreg_bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "modelreg benchmark.\nUsage: modelreg_bench --server host:port [--models N] [--concurrency 1,64] "
      "[--seconds S] [--load-only]");
  const std::vector<std::string> rest = modelreg::ParseCommandLineAcceptingDashes(argc, argv);
  if (rest.size() > 1) {
    std::fprintf(stderr, "modelreg_bench: unexpected argument `%s`\n", rest[1].c_str());
    return 2;
  }
  if (const std::string format = absl::GetFlag(FLAGS_generate_hf_listing); !format.empty()) {
    if (format != "jsonl" && format != "array") {
      std::fprintf(stderr, "modelreg_bench: --generate-hf-listing takes jsonl or array\n");
      return 2;
    }
    modelreg_bench::WriteHfListing(stdout, absl::GetFlag(FLAGS_models), absl::GetFlag(FLAGS_publishers),
                                   format == "array");
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  return modelreg_bench::Main();
}

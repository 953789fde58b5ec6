// End to end: `modelreg import hf-hub` as a process against modelregd on its embedded PostgreSQL (the shipped
// catalog loaded, so license aliases resolve): the sample listings of tests/data/hf_hub, the summary and the bad
// lines' numbers, skip vs update of existing models, a model's lines in order while batches are in flight together,
// an import again reading a batch's existing models with a few Lists (the calls counted in modelregd's call log),
// an update refused for one model failing that line only, an update meeting a stale etag reading the model again,
// and resuming after the CLI is killed mid-import.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/process.h"
#include "tests/support/eventually.h"

namespace modelreg::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

class HfHubImportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/mrhfhub.XXXXXX";
    root_ = new std::string(mkdtemp(dir_template));
    chmod(root_->c_str(), 0711);  // as root, the embedded cluster runs as `postgres`
    server_ = new ServerProcess(*root_ + "/data");
    // --log-calls: a test counts the calls an import made.
    ASSERT_TRUE(server_->Start({"--log-calls"})) << ReadText(server_->log_path());
    setenv("MODELREG_SERVER", server_->address().c_str(), 1);
    setenv("XDG_CONFIG_HOME", (*root_ + "/config").c_str(), 1);
    std::ifstream token_file(*root_ + "/data/admin.token");
    std::string token;
    std::getline(token_file, token);
    setenv("MODELREG_TOKEN", token.c_str(), 1);
  }
  static void TearDownTestSuite() {
    unsetenv("MODELREG_TOKEN");
    delete server_;
    fs::remove_all(*root_);
    delete root_;
  }

  // A copy of a sample listing in the test's directory (the state file is written next to it).
  static std::string Sample(const std::string& name) {
    std::string path = *root_ + "/" + name;
    fs::copy_file(std::string(MODELREG_SOURCE_DIR) + "/tests/data/hf_hub/" + name, path,
                  fs::copy_options::overwrite_existing);
    return path;
  }

  // Writes a listing of three models, PUBLISHER/model-0 to -2, each with `gated` (JSON); returns `path`.
  static const std::string& ThreeModelListing(const std::string& path, const std::string& publisher,
                                              const std::string& gated) {
    std::ofstream out(path);
    for (int i = 0; i < 3; ++i) {
      out << absl::StrFormat(R"({"id":"%s/model-%d","gated":%s})", publisher, i, gated) << '\n';
    }
    return path;
  }

  // The embedded cluster's database, for a test that holds rows locked from outside modelregd.
  static std::string DatabaseUrl() {
    return absl::StrCat("host=", *root_, "/data port=5432 user=postgres dbname=modelreg");
  }

  // Runs the import `import_args` while another writer updates model `model` (PUBLISHER/ID): holds the model's row
  // locked, starts the other writer's update (labels), then the import, and checks that they queue on the row in
  // that order (by whom each waits for). Then releases the row, checks that the other writer succeeded and that the
  // import's update was refused once (the stale etag), and returns the import's result.
  static CommandResult ImportBehindAnotherWriter(const std::string& model,
                                                 const std::vector<std::string>& import_args) {
    const auto [publisher, id] = std::pair<std::string, std::string>(absl::StrSplit(model, '/'));
    const size_t log_before = ReadText(server_->log_path()).size();
    pqxx::connection locker(DatabaseUrl());
    pqxx::work lock(locker);
    lock.exec_params("SELECT 1 FROM models WHERE name = $1 FOR UPDATE",
                     absl::StrCat("publishers/", publisher, "/models/", id));
    pqxx::connection monitor(DatabaseUrl());
    // The pid of a session waiting for a lock that session `pid` holds, or 0.
    const auto waiting_for = [&](int pid) {
      const std::string query =
          absl::StrCat("SELECT pid FROM pg_stat_activity WHERE ", pid, " = ANY(pg_blocking_pids(pid))");
      int waiter = 0;
      Eventually(
          [&] {
            const pqxx::result waiting = pqxx::nontransaction(monitor).exec(query);
            if (!waiting.empty()) waiter = waiting[0][0].as<int>();
            return waiter != 0;
          },
          absl::Seconds(4));
      return waiter;
    };
    const std::string labels = *root_ + "/labels.yaml";
    std::ofstream(labels) << "labels:\n  owner: platform-team\n";
    std::future<CommandResult> other = std::async(std::launch::async, [&] {
      return Cli({"models", "update", model, "-f", labels});
    });
    const int other_pid = waiting_for(locker.backendpid());
    EXPECT_NE(other_pid, 0);
    std::future<CommandResult> import = std::async(std::launch::async, [&] { return Cli(import_args); });
    EXPECT_NE(waiting_for(other_pid), 0) << "the import's update waits behind the other writer's";
    lock.abort();
    const CommandResult r = other.get();
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    CommandResult imported = import.get();
    const std::string calls = ReadText(server_->log_path()).substr(log_before);
    EXPECT_EQ(Occurrences(calls, "ModelRegistry/UpdateModel code=ABORTED"), 1u) << calls;
    return imported;
  }

  static CommandResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), BinDir() + "/modelreg");
    return RunCommand(args);
  }

  static std::string* root_;
  static ServerProcess* server_;
};

std::string* HfHubImportTest::root_ = nullptr;
ServerProcess* HfHubImportTest::server_ = nullptr;

TEST_F(HfHubImportTest, SampleListingSummaryBadLinesAndMappedFields) {
  const std::string listing = Sample("listing.jsonl");
  CommandResult r = Cli({"import", "hf-hub", listing});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // some lines failed, as other imports
  EXPECT_NE(r.out.find("read 13 models: created 9, updated 0, unchanged 0, skipped 0, failed 4"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("listing.jsonl:7: error: not JSON"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("listing.jsonl:10: error: the model info has no 'id'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("listing.jsonl:11: error: id 'acme/this-model-name"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("listing.jsonl:12: error: a model info is a JSON object"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("licenses/acme-research-license"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(listing + ".hf-hub-state"));  // removed once the import completed

  r = Cli({"models", "get", "exampleorg/example-chat-7b", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"access\": \"ACCESS_GATED_CLICK_THROUGH\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"base_model\": \"publishers/exampleorg/models/example-base-7b\""), std::string::npos);
  EXPECT_NE(r.out.find("\"base_model_relation\": \"BASE_MODEL_RELATION_FINETUNE\""), std::string::npos);
  EXPECT_NE(r.out.find("\"license\": \"licenses/mit\""), std::string::npos);
  EXPECT_NE(r.out.find("\"release_date\": \"2024-04-01\""), std::string::npos);
  EXPECT_NE(r.out.find("\"parameter_count\": \"7241732096\""), std::string::npos) << r.out;

  r = Cli({"models", "get", "acme/llama-lora", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"access\": \"ACCESS_GATED_MANUAL_APPROVAL\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"license\": \"licenses/llama3.1\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("BASE_MODEL_RELATION_ADAPTER"), std::string::npos) << r.out;

  // The same listing again: every model is there with the same facts.
  r = Cli({"import", "hf-hub", listing});
  EXPECT_NE(r.out.find("created 0, updated 0, unchanged 9, skipped 0, failed 4"), std::string::npos) << r.out;

  // A changed fact: skipped by default, replaced with --on-conflict update.
  const std::string changed = *root_ + "/changed.jsonl";
  std::ofstream(changed) << R"({"id":"bare/minimal","gated":false})"
                         << "\n";
  r = Cli({"import", "hf-hub", changed});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("created 0, updated 0, unchanged 0, skipped 1, failed 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("line 1: publishers/bare/models/minimal"), std::string::npos) << r.out;
  r = Cli({"models", "get", "bare/minimal", "-o", "json"});
  EXPECT_EQ(r.out.find("ACCESS_OPEN_DOWNLOAD"), std::string::npos) << r.out;
  r = Cli({"import", "hf-hub", changed, "--on-conflict", "update"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("created 0, updated 1, unchanged 0, skipped 0, failed 0"), std::string::npos) << r.out;
  r = Cli({"models", "get", "bare/minimal", "-o", "json"});
  EXPECT_NE(r.out.find("ACCESS_OPEN_DOWNLOAD"), std::string::npos) << r.out;
}

TEST_F(HfHubImportTest, JsonArrayListing) {
  const std::string listing = Sample("listing_array.json");
  CommandResult r = Cli({"import", "hf-hub", listing});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("read 6 models: created 4, updated 0, unchanged 0, skipped 0, failed 2"), std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.err.find("listing_array.json:21: error: expected ','"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("listing_array.json:26: error:"), std::string::npos) << r.err;
  r = Cli({"models", "get", "arrayorg/vision-1b-q8", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("BASE_MODEL_RELATION_QUANTIZED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"license\": \"licenses/gemma\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("parameter_count"), std::string::npos) << r.out;  // quantized, no dtypes: unknown
}

// Batches are in flight together; a model's later line must still be written after its earlier one, so that it
// meets it as existing and the later facts win.
TEST_F(HfHubImportTest, ALaterLineOfAModelIsWrittenAfterTheEarlierOne) {
  const std::string listing = *root_ + "/repeated.jsonl";
  {
    std::ofstream out(listing);
    // One batch each: the second would be sent while the first is still in flight.
    for (int i = 0; i < 20; ++i) {
      out << absl::StrFormat(R"({"id":"repeat/model-%d","gated":false})", i) << '\n';
      out << absl::StrFormat(R"({"id":"repeat/model-%d","gated":"manual"})", i) << '\n';
    }
  }
  CommandResult r = Cli({"import", "hf-hub", listing, "--batch-size", "1", "--on-conflict", "update"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("read 40 models: created 20, updated 20, unchanged 0, skipped 0, failed 0"), std::string::npos)
      << r.out << r.err;
  r = Cli({"models", "list", "--filter", "publisher = \"repeat\"", "--all", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Occurrences(r.out, "ACCESS_GATED_MANUAL_APPROVAL"), 20u) << r.out;
}

// Importing a listing again (a hub's periodic sync): a batch that meets existing models reads them with a few Lists,
// updates the changed ones and creates the rest as one batch, instead of a GetModel per model.
TEST_F(HfHubImportTest, AnImportAgainReadsTheBatchsExistingModelsWithAFewLists) {
  auto write = [](const std::string& path, int models, int manual) {
    std::ofstream out(path);
    for (int i = 0; i < models; ++i) {
      out << absl::StrFormat(R"({"id":"resync/model-%03d","gated":%s})", i, i < manual ? R"("manual")" : "false")
          << '\n';
    }
  };
  const std::string first = *root_ + "/resync-1.jsonl";
  write(first, 150, 0);
  CommandResult r = Cli({"import", "hf-hub", first});
  EXPECT_NE(r.out.find("read 150 models: created 150,"), std::string::npos) << r.out << r.err;
  r = Cli({"models", "delete", "resync/model-020"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // The 150 again, the first 10 changed, and 50 new: one batch.
  const std::string second = *root_ + "/resync-2.jsonl";
  write(second, 200, 10);
  const size_t log_before = ReadText(server_->log_path()).size();
  r = Cli({"import", "hf-hub", second, "--on-conflict", "update"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the soft-deleted model fails
  EXPECT_NE(r.out.find("read 200 models: created 50, updated 10, unchanged 139, skipped 0, failed 1"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.err.find("resync-2.jsonl:21: error: publishers/resync/models/model-020 exists as a soft-deleted model"),
            std::string::npos)
      << r.err;
  const std::string calls = ReadText(server_->log_path()).substr(log_before);
  auto count = [&calls](const std::string& method) {
    return Occurrences(calls, absl::StrCat("method=modelreg.v1.ModelRegistry/", method, " "));
  };
  EXPECT_EQ(count("BatchCreateModels"), 2u) << calls;  // the batch (ALREADY_EXISTS), then its 50 new models
  EXPECT_EQ(count("ListModels"), 4u) << calls;         // 200 names, at most 64 per filter
  EXPECT_EQ(count("UpdateModel"), 10u) << calls;
  EXPECT_EQ(count("GetModel"), 0u) << calls;
  EXPECT_EQ(count("CreateModel"), 0u) << calls;

  r = Cli({"models", "list", "--filter", "publisher = \"resync\" AND weights.access = GATED_MANUAL_APPROVAL", "--all",
           "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Occurrences(r.out, "\"name\": \"publishers/resync/models/"), 10u) << r.out;
  r = Cli({"models", "get", "resync/model-199"});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  // Skipping instead: the changed facts are left, nothing is written.
  write(second, 200, 0);
  r = Cli({"import", "hf-hub", second});
  EXPECT_NE(r.out.find("read 200 models: created 0, updated 0, unchanged 189, skipped 10, failed 1"), std::string::npos)
      << r.out << r.err;
}

// An update refused with ABORTED (here: the model held locked by another writer past modelregd's 5 s lock timeout)
// is about that one model: its line fails and the rest of the run goes on.
TEST_F(HfHubImportTest, AnAbortedUpdateFailsItsLineOnly) {
  const std::string listing = *root_ + "/held.jsonl";
  CommandResult r = Cli({"import", "hf-hub", ThreeModelListing(listing, "held", "false")});
  ASSERT_NE(r.out.find("read 3 models: created 3,"), std::string::npos) << r.out << r.err;

  pqxx::connection locker(DatabaseUrl());
  pqxx::work lock(locker);
  lock.exec("SELECT 1 FROM models WHERE name = 'publishers/held/models/model-1' FOR UPDATE");
  ThreeModelListing(listing, "held", R"("manual")");
  r = Cli({"import", "hf-hub", listing, "--on-conflict", "update"});
  lock.abort();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("read 3 models: created 0, updated 2, unchanged 0, skipped 0, failed 1"), std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.err.find("held.jsonl:2: error:"), std::string::npos) << r.err;
  r = Cli({"models", "get", "held/model-2", "-o", "json"});
  EXPECT_NE(r.out.find("ACCESS_GATED_MANUAL_APPROVAL"), std::string::npos) << r.out;
  r = Cli({"models", "get", "held/model-1", "-o", "json"});
  EXPECT_EQ(r.out.find("ACCESS_GATED_MANUAL_APPROVAL"), std::string::npos) << r.out;
}

// Another writer updates a model between the import's read of it and its update (as a second import of the same
// listing does): the update meets a stale etag, and the import reads the model again and updates it.
TEST_F(HfHubImportTest, AnUpdateThatMeetsAStaleEtagReadsTheModelAgain) {
  const std::string listing = *root_ + "/raced.jsonl";
  CommandResult r = Cli({"import", "hf-hub", ThreeModelListing(listing, "raced", "false")});
  ASSERT_NE(r.out.find("read 3 models: created 3,"), std::string::npos) << r.out << r.err;

  ThreeModelListing(listing, "raced", R"("manual")");
  r = ImportBehindAnotherWriter("raced/model-1", {"import", "hf-hub", listing, "--on-conflict", "update"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("read 3 models: created 0, updated 3, unchanged 0, skipped 0, failed 0"), std::string::npos)
      << r.out << r.err;
  r = Cli({"models", "get", "raced/model-1", "-o", "json"});
  EXPECT_NE(r.out.find("ACCESS_GATED_MANUAL_APPROVAL"), std::string::npos) << r.out;
}

// The same for a model card (`import hf-card`, and `import mof`, share the update): the card's facts replace the
// other writer's.
TEST_F(HfHubImportTest, ACardUpdateThatMeetsAStaleEtagReadsTheModelAgain) {
  const std::string card = *root_ + "/raced-card.md";
  std::ofstream(card) << "---\nlibrary_name: transformers\n---\n# A card written for this test\n";
  CommandResult r = Cli({"import", "hf-card", card, "--name", "raced/card"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  std::ofstream(card) << "---\nlibrary_name: transformers\ngated: manual\n---\n# A card written for this test\n";
  r = ImportBehindAnotherWriter("raced/card",
                                {"import", "hf-card", card, "--name", "raced/card", "--on-conflict", "update"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Cli({"models", "get", "raced/card", "-o", "json"});
  EXPECT_NE(r.out.find("ACCESS_GATED_MANUAL_APPROVAL"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("platform-team"), std::string::npos) << "the card replaces the other writer's labels: " << r.out;
}

// Once a batch meets existing models, the next batches read their stored models before creating (no failed
// BatchCreateModels each), until one finds none stored.
TEST_F(HfHubImportTest, AnImportAgainLooksUpItsLaterBatchesFirst) {
  auto write = [](const std::string& path, int models) {
    std::ofstream out(path);
    for (int i = 0; i < models; ++i) out << absl::StrFormat(R"({"id":"lookup/model-%03d","gated":false})", i) << '\n';
  };
  const std::string listing = *root_ + "/lookup.jsonl";
  write(listing, 300);
  CommandResult r = Cli({"import", "hf-hub", listing, "--batch-size", "50"});
  EXPECT_NE(r.out.find("read 300 models: created 300,"), std::string::npos) << r.out << r.err;

  write(listing, 500);  // the 300 again, then 200 new: ten batches of 50
  const size_t log_before = ReadText(server_->log_path()).size();
  r = Cli({"import", "hf-hub", listing, "--batch-size", "50"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("read 500 models: created 200, updated 0, unchanged 300, skipped 0, failed 0"),
            std::string::npos)
      << r.out << r.err;
  const std::string calls = ReadText(server_->log_path()).substr(log_before);
  // A batch is sent before the one two places earlier is settled (three are out at most). Batches 1-3 are sent
  // as creates and meet existing models (ALREADY_EXISTS, then a List each); from batch 4 on they are looked up
  // first: 4-6 all stored, 7-9 none stored (a List, then a create each); batch 10 is sent after batch 7 was
  // settled, as a create again.
  EXPECT_EQ(Occurrences(calls, "ModelRegistry/BatchCreateModels code=ALREADY_EXISTS"), 3u) << calls;
  EXPECT_EQ(Occurrences(calls, "ModelRegistry/BatchCreateModels code=OK"), 4u) << calls;
  EXPECT_EQ(Occurrences(calls, "ModelRegistry/ListModels code=OK"), 9u) << calls;
  EXPECT_EQ(Occurrences(calls, "ModelRegistry/GetModel "), 0u) << calls;
}

// Long names: the Lists' filters are cut by bytes (4096), not only by names (64).
TEST_F(HfHubImportTest, AnImportAgainCutsItsListsWithinTheFiltersLength) {
  const std::string listing = *root_ + "/long-names.jsonl";
  {
    std::ofstream out(listing);
    const std::string owner = "long-" + std::string(55, 'o');  // 60 characters, as each model id below
    for (int i = 0; i < 70; ++i) {
      out << absl::StrFormat(R"({"id":"%s/model-%s-%02d","gated":false})", owner, std::string(49, 'm'), i) << '\n';
    }
  }
  CommandResult r = Cli({"import", "hf-hub", listing});
  EXPECT_NE(r.out.find("read 70 models: created 70,"), std::string::npos) << r.out << r.err;
  const size_t log_before = ReadText(server_->log_path()).size();
  r = Cli({"import", "hf-hub", listing});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("read 70 models: created 0, updated 0, unchanged 70, skipped 0, failed 0"), std::string::npos)
      << r.out << r.err;
  const std::string calls = ReadText(server_->log_path()).substr(log_before);
  // `name = "publishers/<60>/models/<60>"` is 148 bytes, 152 with " OR ": 26 names a filter.
  EXPECT_EQ(Occurrences(calls, "ModelRegistry/ListModels code=OK"), 3u) << calls;
  EXPECT_EQ(Occurrences(calls, "ModelRegistry/ListModels "), 3u) << calls;
  EXPECT_EQ(Occurrences(calls, "ModelRegistry/GetModel "), 0u) << calls;
}

TEST_F(HfHubImportTest, ResumesAfterTheCliIsKilled) {
  constexpr int kModels = 3000;
  const std::string listing = *root_ + "/resume.jsonl";
  {
    std::ofstream out(listing);
    for (int i = 0; i < kModels; ++i) {
      out << absl::StrFormat(R"({"id":"resume/m-%05d","gated":false,"tags":["license:apache-2.0"]})", i) << "\n";
    }
  }
  const std::string state = listing + ".hf-hub-state";
  // Run the import in the background and kill it once its first batches are written.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    const std::string bin = BinDir() + "/modelreg";
    execl(bin.c_str(), bin.c_str(), "import", "hf-hub", listing.c_str(), "--batch-size", "50",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool killed = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(state) && ReadText(state).find("offset ") != std::string::npos) {
      kill(pid, SIGKILL);
      killed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(killed) << "the import wrote no state file";
  ASSERT_TRUE(WIFSIGNALED(status)) << "the import finished before it could be killed";
  const std::string saved = ReadText(state);
  ASSERT_NE(saved.find("\noffset "), std::string::npos) << saved;

  // Without --resume the state file is not overwritten.
  CommandResult r = Cli({"import", "hf-hub", listing});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--resume continues it"), std::string::npos) << r.err;

  r = Cli({"import", "hf-hub", listing, "--batch-size", "50", "--resume"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("resuming after line "), std::string::npos) << r.err;
  // Every model once: a batch written just before the kill is answered from its request id, not re-created.
  EXPECT_NE(r.out.find(absl::StrCat("read ", kModels, " models: created ", kModels,
                                    ", updated 0, unchanged 0, skipped 0, failed 0")),
            std::string::npos)
      << r.out << "\nstate was:\n"
      << saved;
  EXPECT_FALSE(fs::exists(state));
  r = Cli({"models", "list", "--filter", "publisher = \"resume\"", "--all", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Occurrences(r.out, "\"name\": \"publishers/resume/models/"), static_cast<size_t>(kModels));
}

TEST_F(HfHubImportTest, StdinAndUnreadableFile) {
  CommandResult r = Cli({"import", "hf-hub", *root_ + "/missing.jsonl"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("missing.jsonl"), std::string::npos) << r.err;
  r = Cli({"import", "hf-hub", "-", "--resume"});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // stdin has no default state file
}

}  // namespace
}  // namespace modelreg::testing

// The keyset pagination guarantee under concurrent writes, through the real gRPC API on a real PostgreSQL: while
// other clients insert new models and soft-delete others, a page walk returns every model that existed for the whole
// walk (created before it, never deleted) exactly once, and no model twice.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/integration/api/api_test_server.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::Call;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;

constexpr int kStable = 2000;
constexpr int kVictims = 400;
constexpr int kPageSize = 37;

// Release dates with many ties and 10% unknown, so pages end inside runs of equal keys and cross the NULL boundary.
std::string ReleaseDate(int i) {
  if (i % 10 == 3) return "";
  return absl::StrFormat("2024-%02d-%02d", 1 + (i * 7) % 12, 1 + (i * 13) % 28);
}

v1::CreateModelRequest ModelRequest(const std::string& publisher, const std::string& id, int i, bool in_family) {
  v1::CreateModelRequest request;
  request.set_parent("publishers/" + publisher);
  request.set_model_id(id);
  v1::Model& m = *request.mutable_model();
  m.set_display_name(id);
  m.set_family(in_family ? "conc" : "other");
  m.set_release_date(ReleaseDate(i));
  m.set_parameter_count(i % 5 == 0 ? 0 : 1000 + i);
  m.mutable_weights()->set_access(i % 3 == 0 ? v1::Weights::ACCESS_GATED_CLICK_THROUGH
                                             : v1::Weights::ACCESS_OPEN_DOWNLOAD);
  m.mutable_weights()->set_license("licenses/apache-2.0");
  return request;
}

class QueryConcurrencyTest : public ::modelreg::testing::SharedApiServerTest {
 protected:
  static void SetUpTestSuite() {
    SharedApiServerTest::SetUpTestSuite();
    if (server_ == nullptr) return;
    v1::CreateLicenseRequest license;
    license.set_license_id("apache-2.0");
    license.mutable_license()->set_display_name("Apache License 2.0");
    license.mutable_license()->set_osi_approved(true);
    ASSERT_OK(Call(server_->licenses(), &LC::CreateLicense, license));
  }
};

struct WalkResult {
  std::vector<std::string> names;
  int pages = 0;
};

TEST_F(QueryConcurrencyTest, EveryStableModelExactlyOnceWhileOthersInsertAndDelete) {
  // Stable models and victims interleave in every ordering: names share publishers and prefixes, dates are drawn from
  // the same distribution.
  std::set<std::string> stable;
  std::vector<std::string> victims;
  std::vector<v1::CreateModelRequest> requests;
  for (int i = 0; i < kStable + kVictims; ++i) {
    const std::string publisher = absl::StrCat("p", i % 7);
    const std::string id = absl::StrFormat("m-%05d", i);
    requests.push_back(ModelRequest(publisher, id, i, /*in_family=*/i % 11 != 5));
    const std::string name = absl::StrCat("publishers/", publisher, "/models/", id);
    if (i % 6 == 1 && static_cast<int>(victims.size()) < kVictims) {
      victims.push_back(name);
    } else {
      stable.insert(name);
    }
  }
  for (size_t start = 0; start < requests.size(); start += 1000) {
    v1::BatchCreateModelsRequest batch;
    batch.set_parent("publishers/-");
    for (size_t i = start; i < std::min(requests.size(), start + 1000); ++i) *batch.add_requests() = requests[i];
    ASSERT_OK(Call(server_->models(), &MR::BatchCreateModels, batch));
  }

  struct Walk {
    std::string filter;
    std::string order_by;
  };
  const std::vector<Walk> walks = {
      {R"(family = "conc")", "release_date desc"},
      {R"(family = "conc" AND weights.access >= GATED_CLICK_THROUGH)", ""},
      {"", "release_date desc"},
      {"", "parameter_count, release_date desc"},
      {"", ""},
  };
  // The stable models each walk must see (the filters do not depend on anything the writers change).
  auto in_walk = [&](const Walk& walk, int i) {
    if (walk.filter.empty()) return true;
    return i % 11 != 5;
  };

  int next_insert = 0;
  std::atomic<size_t> next_victim{0};
  for (const Walk& walk : walks) {
    SCOPED_TRACE(absl::StrCat("filter: ", walk.filter, "; order_by: ", walk.order_by));
    std::atomic<bool> done{false};
    std::atomic<int> inserted{0};
    std::atomic<int> deleted{0};
    std::atomic<int> writer_errors{0};
    // Inserts new models whose keys land all over the ordering.
    std::thread inserter([&] {
      while (!done.load()) {
        const int i = next_insert++;
        auto r = Call(server_->models(), &MR::CreateModel,
                      ModelRequest(absl::StrCat("p", i % 7), absl::StrFormat("new-%05d", i), i * 31 + 7, true));
        if (!r.ok()) ++writer_errors;
        ++inserted;
      }
    });
    std::thread deleter([&] {
      while (!done.load()) {
        const size_t v = next_victim++;
        if (v >= victims.size()) break;
        v1::DeleteModelRequest del;
        del.set_name(victims[v]);
        if (!Call(server_->models(), &MR::DeleteModel, del).ok()) ++writer_errors;
        ++deleted;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
    // Both writers are running before the walk starts.
    while (inserted.load() == 0 || (deleted.load() == 0 && next_victim.load() < victims.size())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const int inserted_before = inserted.load();
    const int deleted_before = deleted.load();

    v1::ListModelsRequest request;
    request.set_parent("publishers/-");
    request.set_filter(walk.filter);
    request.set_order_by(walk.order_by);
    request.set_page_size(kPageSize);
    std::map<std::string, int> seen;
    int pages = 0;
    bool ok = true;
    for (;;) {
      auto page = Call(server_->models(), &MR::ListModels, request);
      if (!page.ok()) {
        ADD_FAILURE() << "page " << pages << ": " << page.status();
        ok = false;
        break;
      }
      ++pages;
      EXPECT_LE(page->models_size(), kPageSize);
      for (const auto& m : page->models()) ++seen[m.name()];
      if (page->next_page_token().empty()) break;
      request.set_page_token(page->next_page_token());
      // Leave the writers room on a busy machine, so that writes land between pages.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (pages > 1000) {
        ADD_FAILURE() << "too many pages";
        ok = false;
        break;
      }
    }
    const int inserted_during = inserted.load() - inserted_before;
    const int deleted_during = deleted.load() - deleted_before;
    done = true;
    inserter.join();
    deleter.join();
    ASSERT_TRUE(ok);
    EXPECT_EQ(writer_errors.load(), 0);
    EXPECT_GT(inserted_during, 0) << "no insert overlapped the walk";
    if (next_victim.load() < victims.size()) {
      EXPECT_GT(deleted_during, 0) << "no delete overlapped the walk";
    }

    int missing = 0;
    int expected = 0;
    for (int i = 0; i < kStable + kVictims; ++i) {
      const std::string name = absl::StrCat("publishers/p", i % 7, "/models/", absl::StrFormat("m-%05d", i));
      if (!stable.count(name) || !in_walk(walk, i)) continue;
      ++expected;
      if (seen.count(name) == 0) {
        if (++missing <= 10) {
          ADD_FAILURE() << "stable model missing: " << name;
        }
      }
    }
    EXPECT_EQ(missing, 0);
    for (const auto& [name, count] : seen) EXPECT_EQ(count, 1) << "returned " << count << " times: " << name;
    EXPECT_GE(static_cast<int>(seen.size()), expected);
    std::cerr << "walk `" << walk.filter << "` / `" << walk.order_by << "`: " << pages << " pages, " << seen.size()
              << " models (" << expected << " stable), " << inserted_during << " inserts and " << deleted_during
              << " deletes during the walk\n";
  }
}

}  // namespace
}  // namespace modelreg

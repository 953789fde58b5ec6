// The query plans of the common ListModels requests on 200,000 models: no sequential scan of `models`. The rows are
// generated in SQL (INSERT ... SELECT generate_series) with value distributions like a real registry's, ANALYZEd, and
// each request is compiled by CompileListModels into the exact SQL the store runs, then EXPLAINed with its bound
// parameters.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/query/model_query.h"
#include "server/domain/resource/model_kind.h"
#include "server/storage/sql/list_sql.h"
#include "server/storage/sql/table_sql.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_database.h"

namespace modelreg {
namespace {

using ::modelreg::testing::TestDatabase;

constexpr int kModels = 200000;

// The columns ModelStore::List selects.
std::string ModelColumns() { return sql::BuildTableSql(ModelKind()).record_columns; }

class PlanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto start = std::chrono::steady_clock::now();
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    database_ = db->release();
    connection_ = new pqxx::connection(database_->url());
    // Bulk load without the secondary indexes, then rebuild them from their own definitions (as the migrations made
    // them): several times faster than maintaining 17 indexes, three of them GIN, row by row.
    std::vector<std::string> index_definitions;
    {
      pqxx::nontransaction tx(*connection_);
      for (const auto& row : tx.exec("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND "
                                     "tablename = 'models' AND indexname <> 'models_pkey'")) {
        index_definitions.push_back(row[1].c_str());
        tx.exec(absl::StrCat("DROP INDEX ", tx.quote_name(row[0].c_str())));
      }
    }
    ASSERT_GE(index_definitions.size(), 10u);
    pqxx::work tx(*connection_);
    tx.exec("SET LOCAL synchronous_commit = off");
    tx.exec("SET LOCAL maintenance_work_mem = '256MB'");
    tx.exec(
        "INSERT INTO licenses (id, record, display_name, spdx_id, category, commercial_use, osi_approved, fsf_libre, "
        "open_data, has_usage_threshold, has_use_restrictions, revision, create_time, update_time) VALUES "
        "('apache-2.0', '', 'Apache License 2.0', 'Apache-2.0', 1, 1, true, false, false, false, false, 1, now(), "
        "now()), "
        "('mit', '', 'MIT License', 'MIT', 1, 1, true, true, false, false, false, 1, now(), now()), "
        "('llama3.1', '', 'Llama 3.1 Community License', '', 5, 2, false, false, false, true, true, 1, now(), now()), "
        "('cc-by-nc-4.0', '', 'CC BY-NC 4.0', 'CC-BY-NC-4.0', 6, 3, false, false, false, false, false, 1, now(), "
        "now())");
    // 500 publishers, 2,000 families, 10% unknown release dates over ten years, 1/6 of each weights access, a
    // quarter without a weights license, a team label on every model ("a" on 1 in 1,000, none deleted), every fifth
    // model a fine-tune of the one before, 1% soft-deleted. `record` is the empty (valid, all-default) serialized
    // Model.
    tx.exec(absl::StrCat(
        "INSERT INTO models (name, publisher, record, display_name, family, version, release_date, parameter_count, "
        "modality, architecture, treatment, labels, base_model, base_model_relation, weights_access, weights_license, "
        "license_refs, data_disclosure_level, openness_level, mof_class, osaid_candidate, openness_flags, "
        "rules_version, revision, create_time, update_time, delete_time) "
        "SELECT 'publishers/p' || (i % 500) || '/models/m' || i, 'p' || (i % 500), ''::bytea, 'Model ' || i, "
        "'f' || (i % 2000), '1.0', "
        "CASE WHEN i % 10 = 0 THEN NULL ELSE DATE '2015-01-01' + (i % 3650) END, "
        "CASE WHEN i % 7 = 0 THEN NULL ELSE i::bigint * 1000 END, "
        "i % 7, 'decoder-only transformer', i % 4, "
        "jsonb_build_object('team', CASE WHEN i % 1000 = 1 THEN 'a' ELSE 't' || (i % 100) END), "
        "CASE WHEN i % 5 = 0 THEN 'publishers/p' || ((i - 1) % 500) || '/models/m' || (i - 1) ELSE '' END, "
        "CASE WHEN i % 5 = 0 THEN 1 ELSE 0 END, "
        "i % 6, lic, CASE WHEN lic IS NULL THEN '{}'::text[] ELSE ARRAY[lic] END, "
        "i % 6, 1 + i % 5, 1, false, "
        "CASE WHEN lic = 'llama3.1' THEN '{3,5}'::smallint[] WHEN lic = 'cc-by-nc-4.0' THEN '{4}'::smallint[] "
        "ELSE '{}'::smallint[] END, "
        "1, 1, now() - i * INTERVAL '1 minute', now() - i * INTERVAL '1 minute', "
        "CASE WHEN i % 100 = 0 THEN now() END "
        "FROM (SELECT i, (ARRAY[NULL, 'apache-2.0', 'llama3.1', 'mit', 'apache-2.0', 'cc-by-nc-4.0', 'mit', "
        "'apache-2.0'])[1 + i % 8] AS lic FROM generate_series(1, ",
        kModels, ") AS i) AS g"));
    for (const std::string& definition : index_definitions) tx.exec(definition);
    tx.commit();
    pqxx::nontransaction analyze(*connection_);
    analyze.exec("ANALYZE");
    std::cerr << "loaded " << kModels << " models in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
              << " ms\n";
  }
  static void TearDownTestSuite() {
    delete connection_;
    connection_ = nullptr;
    delete database_;
    database_ = nullptr;
  }

  static TestDatabase* database_;
  static pqxx::connection* connection_;
};

TestDatabase* PlanTest::database_ = nullptr;
pqxx::connection* PlanTest::connection_ = nullptr;

struct Case {
  std::string filter;
  std::string order_by;
};

bool HasSeqScanOnModels(pqxx::transaction_base& tx, const std::string& plan) {
  return tx
      .exec_params(
          "SELECT jsonb_path_exists($1::jsonb, "
          "'strict $.** ? (@.\"Node Type\" == \"Seq Scan\" && @.\"Relation Name\" == \"models\")')",
          plan)[0][0]
      .as<bool>();
}

// "Node Type [Index Name] [on Relation]" of every plan node, outermost first.
std::string PlanSummary(pqxx::transaction_base& tx, const std::string& plan) {
  return tx
      .exec_params(
          "SELECT string_agg(n->>'Node Type' || COALESCE(' ' || (n->>'Index Name'), '') || "
          "COALESCE(' on ' || (n->>'Relation Name'), ''), ' / ') "
          "FROM jsonb_path_query($1::jsonb, 'strict $.** ? (exists(@.\"Node Type\"))') AS n",
          plan)[0][0]
      .c_str();
}

// The check itself finds a sequential scan where there must be one.
TEST_F(PlanTest, DetectsASeqScan) {
  pqxx::nontransaction tx(*connection_);
  const std::string plan =
      tx.exec("EXPLAIN (FORMAT JSON) SELECT count(*) FROM models m WHERE m.architecture = 'x'")[0][0].c_str();
  EXPECT_TRUE(HasSeqScanOnModels(tx, plan)) << plan;
}

TEST_F(PlanTest, CommonFiltersDoNotSeqScanModels) {
  const std::vector<Case> cases = {
      {"", ""},
      {"weights.access = OPEN_DOWNLOAD", ""},
      {R"(publisher = "p42")", ""},
      {R"(family = "f42")", ""},
      {"release_date >= 2024-01-01", "release_date desc"},
      {R"(labels.team = "a")", ""},
      {"openness.flags:USAGE_THRESHOLD", ""},
      {"license.has_usage_threshold = false", ""},
      {R"(base_model_chain:"publishers/p4/models/m4")", ""},
      {"openness.level >= 4", "openness.level desc"},
  };
  for (const Case& c : cases) {
    for (bool second_page : {false, true}) {
      SCOPED_TRACE(
          absl::StrCat("filter: `", c.filter, "` order_by: `", c.order_by, "`", second_page ? " (second page)" : ""));
      v1::ListModelsRequest request;
      request.set_parent("publishers/-");
      request.set_filter(c.filter);
      request.set_order_by(c.order_by);
      auto query = CompileListModels(request);
      ASSERT_OK(query);
      sql::ListSql list = sql::BuildListSql(*query);
      std::vector<std::string> params = list.params;
      std::string sql = sql::SelectSql(ModelColumns(), ModelKind(), list);
      if (second_page) {
        // Resume after the first page's last row, as the store would.
        pqxx::nontransaction tx(*connection_);
        std::vector<std::string> with_limit = params;
        with_limit.push_back(absl::StrCat(query->limit + 1));
        pqxx::result rows = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(with_limit));
        if (rows.size() <= static_cast<size_t>(query->limit)) continue;  // a single page
        const pqxx::row last = rows[static_cast<pqxx::result::size_type>(query->limit - 1)];
        std::vector<std::optional<std::string>> key;
        for (size_t i = 0; i < list.key_columns.size(); ++i) key.emplace_back(last[static_cast<int>(5 + i)].c_str());
        request.set_page_token(MakeNextPageToken(request, key));
        query = CompileListModels(request);
        ASSERT_OK(query);
        list = sql::BuildListSql(*query);
        params = list.params;
        sql = sql::SelectSql(ModelColumns(), ModelKind(), list);
      }
      params.push_back(absl::StrCat(query->limit + 1));
      pqxx::nontransaction tx(*connection_);
      const std::string plan =
          tx.exec_params("EXPLAIN (FORMAT JSON) " + sql, pqxx::prepare::make_dynamic_params(params))[0][0].c_str();
      std::cerr << "`" << c.filter << "` / `" << c.order_by << "`" << (second_page ? " (page 2)" : "") << ": "
                << PlanSummary(tx, plan) << "\n";
      EXPECT_FALSE(HasSeqScanOnModels(tx, plan))
          << "Seq Scan on models\nSQL: " << sql << "\nparams: " << absl::StrJoin(params, " | ") << "\nplan: " << plan;
      // The plan also runs: a compiled query is valid SQL with its parameters.
      EXPECT_NO_THROW(tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params)));
    }
  }
}

}  // namespace
}  // namespace modelreg

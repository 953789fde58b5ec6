// Every sortable field of every resource kind has an index whose expression matches the ORDER BY the storage layer
// generates (storage/sql/), in both directions: with sorting disabled, PostgreSQL must still find a plan without a
// Sort node, which only an index on exactly that expression (followed by the key column) gives. So the description
// and the indexes of schema/ cannot drift apart silently.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/query/model_query.h"
#include "server/domain/resource/license_kind.h"
#include "server/domain/resource/model_kind.h"
#include "server/storage/sql/list_sql.h"
#include "server/storage/sql/table_sql.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_database.h"

namespace modelreg {
namespace {

// The plan of `list` over `kind` with sequential scans and sorts priced out.
std::string PlanWithoutSorting(pqxx::connection& connection, const ResourceKind& kind, const sql::ListSql& list) {
  pqxx::work tx(connection);
  tx.exec("SET LOCAL enable_sort = off");
  tx.exec("SET LOCAL enable_seqscan = off");
  std::vector<std::string> params = list.params;
  params.push_back(absl::StrCat(list.limit + 1));
  const std::string sql = sql::SelectSql(sql::BuildTableSql(kind).record_columns, kind, list);
  return tx.exec_params("EXPLAIN (FORMAT JSON) " + sql, pqxx::prepare::make_dynamic_params(params))[0][0].c_str();
}

template <typename Request>
void ExpectEveryOrderingIndexed(const ResourceKind& kind, absl::StatusOr<ListQuery> (*compile)(const Request&),
                                pqxx::connection& connection) {
  int checked = 0;
  for (const FieldSpec& field : kind.fields) {
    if (!field.sortable) continue;
    for (const char* direction : {"", " desc"}) {
      Request request;
      if constexpr (std::is_same_v<Request, v1::ListModelsRequest>) request.set_parent("publishers/-");
      request.set_order_by(field.name + direction);
      absl::StatusOr<ListQuery> query = compile(request);
      ASSERT_OK(query);
      const sql::ListSql list = sql::BuildListSql(*query);
      const std::string plan = PlanWithoutSorting(connection, kind, list);
      EXPECT_EQ(plan.find("Sort\""), std::string::npos)
          << kind.table << " order_by `" << field.name << direction << "` (ORDER BY " << list.order_by
          << ") has no matching index; add one to schema/ on exactly these expressions.\nplan: " << plan;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(IndexMatchTest, EverySortableFieldHasAMatchingIndex) {
  auto db = testing::TestDatabase::Create();
  ASSERT_OK(db);
  pqxx::connection connection((*db)->url());
  ExpectEveryOrderingIndexed(ModelKind(), &CompileListModels, connection);
  ExpectEveryOrderingIndexed(LicenseKind(), &CompileListLicenses, connection);
}

}  // namespace
}  // namespace modelreg

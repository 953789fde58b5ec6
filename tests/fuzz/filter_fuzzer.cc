// libFuzzer target for the query checker and the SQL generated from it: filter, order_by and page_token of ListModels
// and ListLicenses. Input: first byte selects the request kind and show_deleted; the rest is split at the first two
// 0x1F bytes into filter, order_by and page_token. Aborts when a compile error is not INVALID_ARGUMENT or a compiled
// query breaks an invariant (params must be bound, valid UTF-8 without NUL; the SQL text must not contain `;` or `--`).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "server/domain/query/filter_parser.h"
#include "server/domain/query/model_query.h"
#include "server/storage/sql/list_sql.h"

namespace {

void Check(bool condition, const char* what, const std::string& detail) {
  if (!condition) {
    std::fprintf(stderr, "invariant broken: %s\n%s\n", what, detail.c_str());
    std::abort();
  }
}

// Checks a checked query and the SQL the storage layer makes of it.
void CheckResult(const absl::StatusOr<modelreg::ListQuery>& checked) {
  if (!checked.ok()) {
    Check(checked.status().code() == absl::StatusCode::kInvalidArgument, "error is not INVALID_ARGUMENT",
          std::string(checked.status().message()));
    return;
  }
  const modelreg::sql::ListSql sql = modelreg::sql::BuildListSql(*checked);
  const modelreg::sql::ListSql* q = &sql;
  const std::string all = q->where + " ORDER BY " + q->order_by;
  Check(all.find(';') == std::string::npos, "`;` in SQL", all);
  Check(all.find("--") == std::string::npos, "`--` in SQL", all);
  Check(q->limit > 0 && q->limit <= 1000, "limit out of range", all);
  // Every $n refers to a param, and every param is referenced.
  size_t max_ref = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] != '$') continue;
    size_t n = 0, j = i + 1;
    while (j < all.size() && all[j] >= '0' && all[j] <= '9') n = n * 10 + static_cast<size_t>(all[j++] - '0');
    Check(n >= 1 && n <= q->params.size(), "dangling placeholder", all);
    max_ref = n > max_ref ? n : max_ref;
  }
  Check(max_ref == q->params.size(), "unreferenced param", all);
  for (const std::string& p : q->params) {
    Check(p.find('\0') == std::string::npos && modelreg::IsValidUtf8(p), "param not valid text", p);
  }
  Check(q->key_columns.size() >= 1, "no key columns", all);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const absl::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<absl::string_view> parts = absl::StrSplit(rest, absl::MaxSplits('\x1f', 2));
  parts.resize(3);
  const std::string filter(parts[0]), order_by(parts[1]), page_token(parts[2]);
  const bool show_deleted = (selector & 2) != 0;
  const int32_t page_size = static_cast<int32_t>(selector >> 2) - 8;
  if ((selector & 1) == 0) {
    modelreg::v1::ListModelsRequest r;
    r.set_parent((selector & 4) != 0 ? "publishers/-" : "publishers/meta-llama");
    r.set_filter(filter);
    r.set_order_by(order_by);
    r.set_show_deleted(show_deleted);
    r.set_page_size(page_size);
    r.set_page_token(page_token);
    auto q = modelreg::CompileListModels(r);
    CheckResult(q);
    if (q.ok()) {
      // A token made from arbitrary key text must be rejected or bound, never crash.
      std::vector<std::optional<std::string>> key(q->order.size(), std::string(parts[0].substr(0, 32)));
      r.set_page_token(modelreg::MakeNextPageToken(r, key));
      CheckResult(modelreg::CompileListModels(r));
    }
  } else {
    modelreg::v1::ListLicensesRequest r;
    r.set_filter(filter);
    r.set_order_by(order_by);
    r.set_show_deleted(show_deleted);
    r.set_page_size(page_size);
    r.set_page_token(page_token);
    CheckResult(modelreg::CompileListLicenses(r));
  }
  return 0;
}

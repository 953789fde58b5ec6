#include "server/domain/query/model_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "server/common/limits.h"
#include "server/domain/query/page_token.h"
#include "server/domain/resource/model_kind.h"
#include "server/storage/sql/list_sql.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The checked request (domain) as the SQL the store runs (storage).
template <typename Request>
absl::StatusOr<sql::ListSql> ToSql(const Request& request, absl::StatusOr<ListQuery> (*check)(const Request&)) {
  absl::StatusOr<ListQuery> query = check(request);
  if (!query.ok()) return query.status();
  return sql::BuildListSql(*query);
}
absl::StatusOr<sql::ListSql> CompileListModels(const v1::ListModelsRequest& r) {
  return ToSql(r, &::modelreg::CompileListModels);
}
absl::StatusOr<sql::ListSql> CompileListLicenses(const v1::ListLicensesRequest& r) {
  return ToSql(r, &::modelreg::CompileListLicenses);
}

v1::ListModelsRequest Req(const std::string& filter = "", const std::string& order_by = "",
                          const std::string& parent = "publishers/-") {
  v1::ListModelsRequest r;
  r.set_parent(parent);
  r.set_filter(filter);
  r.set_order_by(order_by);
  return r;
}

TEST(CompileListModelsTest, Defaults) {
  auto q = CompileListModels(Req());
  ASSERT_OK(q);
  EXPECT_EQ(q->where, "m.delete_time IS NULL");
  EXPECT_THAT(q->params, IsEmpty());
  EXPECT_EQ(q->order_by, "m.name ASC");
  EXPECT_THAT(q->key_columns, ElementsAre("m.name"));
  EXPECT_EQ(q->limit, 50);
}

// The page byte budget: 3/4 of the message size, and the SELECT that applies it (list_sql.h).
TEST(CompileListModelsTest, PageByteBudget) {
  auto q = CompileListModels(Req("", "release_date desc"));
  ASSERT_OK(q);
  EXPECT_EQ(q->max_bytes, ResponseRecordBudget());
  EXPECT_EQ(q->max_bytes, 3 << 20);
  EXPECT_EQ(sql::SelectSql("m.record", ModelKind(), *q),
            "SELECT * FROM (SELECT m.record, (COALESCE(m.release_date, '-infinity'::date))::text, (m.name)::text, "
            "octet_length(m.record) + 128 AS page_row_bytes, sum(octet_length(m.record) + 128) OVER (ORDER BY "
            "COALESCE(m.release_date, '-infinity'::date) DESC, m.name DESC ROWS UNBOUNDED PRECEDING) AS page_bytes, "
            "COALESCE(m.release_date, '-infinity'::date) AS page_sort_0, m.name AS page_sort_1 FROM models m WHERE "
            "(m.delete_time IS NULL) ORDER BY COALESCE(m.release_date, '-infinity'::date) DESC, m.name DESC LIMIT "
            "$1::integer) AS page WHERE page.page_bytes - page.page_row_bytes <= 3145728 ORDER BY page.page_sort_0 "
            "DESC, page.page_sort_1 DESC");
  EXPECT_EQ(sql::PageBytesColumn(1, *q), 4);  // record, two keys, page_row_bytes, page_bytes

  sql::ListSql no_budget = *q;
  no_budget.max_bytes = 0;
  EXPECT_EQ(sql::SelectSql("m.record", ModelKind(), no_budget),
            "SELECT m.record, (COALESCE(m.release_date, '-infinity'::date))::text, (m.name)::text FROM models m "
            "WHERE (m.delete_time IS NULL) ORDER BY COALESCE(m.release_date, '-infinity'::date) DESC, m.name DESC "
            "LIMIT $1::integer");
}

TEST(CompileListModelsTest, ParentShowDeletedAndFilter) {
  auto r = Req("openness.level >= 4", "", "publishers/meta-llama");
  r.set_show_deleted(true);
  auto q = CompileListModels(r);
  ASSERT_OK(q);
  EXPECT_EQ(q->where, "m.publisher = $1 AND m.openness_level >= $2::smallint");
  EXPECT_THAT(q->params, ElementsAre("meta-llama", "4"));
}

TEST(CompileListModelsTest, BadParent) {
  for (const std::string& parent :
       std::vector<std::string>{"", "publishers/", "publishers/Meta", "meta-llama", "publishers/a/models/b",
                                "publishers/a;b", std::string("publishers/a\0b", 14)}) {
    EXPECT_THAT(CompileListModels(Req("", "", parent)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("parent: ")))
        << parent;
  }
}

TEST(CompileListModelsTest, PageSize) {
  auto r = Req();
  r.set_page_size(7);
  EXPECT_EQ(CompileListModels(r)->limit, 7);
  r.set_page_size(1000);
  EXPECT_EQ(CompileListModels(r)->limit, 1000);
  r.set_page_size(1001);
  EXPECT_EQ(CompileListModels(r)->limit, 1000);
  r.set_page_size(-1);
  EXPECT_THAT(CompileListModels(r), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
  v1::ListLicensesRequest l;
  EXPECT_EQ(CompileListLicenses(l)->limit, 50);
  l.set_page_size(5000);
  EXPECT_EQ(CompileListLicenses(l)->limit, 1000);
  l.set_page_size(-5);
  EXPECT_THAT(CompileListLicenses(l), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
}

TEST(CompileListModelsTest, OrderBy) {
  auto q = CompileListModels(Req("", "release_date desc"));
  ASSERT_OK(q);
  EXPECT_EQ(q->order_by, "COALESCE(m.release_date, '-infinity'::date) DESC, m.name DESC");
  EXPECT_THAT(q->key_columns, ElementsAre("COALESCE(m.release_date, '-infinity'::date)", "m.name"));

  q = CompileListModels(Req("", " family , parameter_count DESC,create_time"));
  ASSERT_OK(q);
  EXPECT_EQ(q->order_by,
            "m.family COLLATE \"C\" ASC, COALESCE(m.parameter_count, -1) DESC, m.create_time ASC, m.name ASC");
  EXPECT_THAT(q->key_columns, ElementsAre("m.family COLLATE \"C\"", "COALESCE(m.parameter_count, -1)",
                                          "(EXTRACT(EPOCH FROM m.create_time) * 1000000)::bigint", "m.name"));

  q = CompileListModels(Req("", "name desc, family"));  // keys after the unique name are dropped
  ASSERT_OK(q);
  EXPECT_EQ(q->order_by, "m.name DESC");

  q = CompileListModels(Req("", "publisher, openness.level desc, openness.mof_class asc, update_time desc"));
  ASSERT_OK(q);
  EXPECT_EQ(q->order_by, "m.publisher ASC, m.openness_level DESC, m.mof_class ASC, m.update_time DESC, m.name DESC");
}

TEST(CompileListModelsTest, OrderByErrors) {
  EXPECT_THAT(CompileListModels(Req("", "relase_date")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "order_by: unknown field `relase_date` at column 1; did you mean `release_date`?"));
  EXPECT_THAT(CompileListModels(Req("", "name, modality")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("order_by: unsortable field `modality` at column 7; expected one of name, ")));
  EXPECT_THAT(CompileListModels(Req("", "family sideways")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected `asc`, `desc` or `,`")));
  EXPECT_THAT(CompileListModels(Req("", "family,,name")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty item at column 8")));
  EXPECT_THAT(CompileListModels(Req("", "family, family desc")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("listed twice")));
  EXPECT_THAT(CompileListModels(Req("", "family; DROP TABLE models")), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CompileListModelsTest, FilterErrorsAreInvalidArgument) {
  EXPECT_THAT(CompileListModels(Req("licence = x")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "filter: unknown field `licence` at column 1; did you mean `license.category`?"));
  EXPECT_THAT(CompileListModels(Req(std::string(1 << 20, '('))), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PageTokenTest, RoundTripSameDirection) {
  auto r = Req("modality = TEXT", "release_date desc", "publishers/meta-llama");
  r.set_page_size(10);
  const std::string token = MakeNextPageToken(r, {"2024-07-23", "publishers/meta-llama/models/llama-3.1-8b"});
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  r.set_page_token(token);
  r.set_page_size(20);  // page_size may change between pages
  auto q = CompileListModels(r);
  ASSERT_OK(q);
  EXPECT_EQ(q->where,
            "m.publisher = $1 AND m.delete_time IS NULL AND m.modality = $2::smallint AND "
            "(COALESCE(m.release_date, '-infinity'::date), m.name) < ($3::date, $4)");
  EXPECT_THAT(q->params, ElementsAre("meta-llama", "1", "2024-07-23", "publishers/meta-llama/models/llama-3.1-8b"));
  EXPECT_EQ(q->limit, 20);
}

TEST(PageTokenTest, UnknownValuesUseTheSentinel) {
  auto r = Req("", "release_date");
  r.set_page_token(MakeNextPageToken(r, {"-infinity", "publishers/a/models/b"}));
  auto q = CompileListModels(r);
  ASSERT_OK(q);
  EXPECT_EQ(q->where,
            "m.delete_time IS NULL AND (COALESCE(m.release_date, '-infinity'::date), m.name) > ($1::date, $2)");
  EXPECT_THAT(q->params, ElementsAre("-infinity", "publishers/a/models/b"));
}

TEST(PageTokenTest, SingleKeyAndMixedDirections) {
  auto r = Req();
  r.set_page_token(MakeNextPageToken(r, {"publishers/a/models/b"}));
  auto q = CompileListModels(r);
  ASSERT_OK(q);
  EXPECT_EQ(q->where, "m.delete_time IS NULL AND m.name > $1");

  r = Req("", "parameter_count desc, create_time, name desc");
  r.set_page_token(MakeNextPageToken(r, {"8000000000", "1721692800000000", "publishers/a/models/b"}));
  q = CompileListModels(r);
  ASSERT_OK(q);
  EXPECT_EQ(q->where,
            "m.delete_time IS NULL AND (COALESCE(m.parameter_count, -1) <= $1::bigint AND "
            "(COALESCE(m.parameter_count, -1) < $1::bigint OR (COALESCE(m.parameter_count, -1) = $1::bigint AND "
            "m.create_time > (TIMESTAMPTZ 'epoch' + $2::bigint * INTERVAL '1 microsecond')) OR "
            "(COALESCE(m.parameter_count, -1) = $1::bigint AND m.create_time = (TIMESTAMPTZ 'epoch' + $2::bigint * "
            "INTERVAL '1 microsecond') AND m.name < $3)))");
  EXPECT_THAT(q->params, ElementsAre("8000000000", "1721692800000000", "publishers/a/models/b"));
}

TEST(PageTokenTest, MismatchedRequestIsRejected) {
  auto first = Req("modality = TEXT", "family", "publishers/a");
  const std::string token = MakeNextPageToken(first, {"llama", "publishers/a/models/b"});
  auto check = [&](v1::ListModelsRequest r) {
    r.set_page_token(token);
    EXPECT_THAT(CompileListModels(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                               HasSubstr("page_token: the token belongs to a request with another")));
  };
  check(Req("modality = CODE", "family", "publishers/a"));
  check(Req("modality = TEXT", "family desc", "publishers/a"));
  check(Req("modality = TEXT", "family", "publishers/b"));
  auto deleted = first;
  deleted.set_show_deleted(true);
  check(deleted);
  // A model token is not a license token.
  v1::ListLicensesRequest l;
  l.set_page_token(MakeNextPageToken(Req(), {"publishers/a/models/b"}));
  EXPECT_THAT(CompileListLicenses(l), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

TEST(PageTokenTest, CorruptTokensAreRejected) {
  auto r = Req("", "create_time");
  const std::string good = MakeNextPageToken(r, {"1721692800000000", "publishers/a/models/b"});
  std::vector<std::string> bad = {"!!!", "AAAA", good.substr(0, good.size() - 3), good + "AA",
                                  "x",   "=",    std::string(20000, 'A')};
  // Right fingerprint, wrong content: wrong key count, NULL key, non-integer timestamp.
  bad.push_back(MakeNextPageToken(r, {"publishers/a/models/b"}));
  bad.push_back(MakeNextPageToken(r, {std::nullopt, "publishers/a/models/b"}));
  bad.push_back(MakeNextPageToken(r, {"2024-01-01 00:00:00+00", "publishers/a/models/b"}));
  bad.push_back(MakeNextPageToken(r, {"1", std::string("a\0b", 3)}));
  bad.push_back(MakeNextPageToken(r, {"1", "\xff"}));
  for (const std::string& token : bad) {
    r.set_page_token(token);
    EXPECT_THAT(CompileListModels(r), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")))
        << token.substr(0, 40);
  }
  auto d = Req("", "release_date");
  d.set_page_token(MakeNextPageToken(d, {"2024-02-30", "publishers/a/models/b"}));
  EXPECT_THAT(CompileListModels(d), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  auto n = Req("", "parameter_count");
  n.set_page_token(MakeNextPageToken(n, {"1e9", "publishers/a/models/b"}));
  EXPECT_THAT(CompileListModels(n), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

// Forged keys outside PostgreSQL's ranges (a date after 5874897-12-31, an instant outside years 1-9999) are the
// client's error, caught before any SQL runs; the bounds themselves are accepted.
TEST(PageTokenTest, OutOfRangeDateAndTimestampKeysAreRejected) {
  auto d = Req("", "release_date");
  for (const char* date : {"9999999-01-01", "5874898-01-01", "0000-01-01"}) {
    d.set_page_token(MakeNextPageToken(d, {date, "publishers/a/models/b"}));
    EXPECT_THAT(CompileListModels(d), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token"))) << date;
  }
  for (const char* date : {"5874897-12-31", "0001-01-01", "infinity", "-infinity"}) {
    d.set_page_token(MakeNextPageToken(d, {date, "publishers/a/models/b"}));
    EXPECT_OK(CompileListModels(d)) << date;
  }
  auto t = Req("", "update_time");
  for (const char* micros : {"-9223372036854775808", "9223372036854775807", "-62135596800000001", "253402300800000000",
                             "-212760172800000000"}) {
    t.set_page_token(MakeNextPageToken(t, {micros, "publishers/a/models/b"}));
    EXPECT_THAT(CompileListModels(t), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token"))) << micros;
  }
  for (const char* micros : {"-62135596800000000", "253402300799999999", "0"}) {
    t.set_page_token(MakeNextPageToken(t, {micros, "publishers/a/models/b"}));
    EXPECT_OK(CompileListModels(t)) << micros;
  }
}

TEST(PageTokenTest, EncodingRoundTrip) {
  PageTokenData data{0x0123456789abcdefULL, {"a", std::nullopt, std::string(300, 'x'), ""}};
  auto decoded = DecodePageToken(EncodePageToken(data));
  ASSERT_OK(decoded);
  EXPECT_EQ(decoded->fingerprint, data.fingerprint);
  EXPECT_EQ(decoded->key, data.key);
  EXPECT_NE(Fingerprint({"ab", "c"}), Fingerprint({"a", "bc"}));
}

TEST(CompileListLicensesTest, Basics) {
  v1::ListLicensesRequest r;
  auto q = CompileListLicenses(r);
  ASSERT_OK(q);
  EXPECT_EQ(q->where, "l.delete_time IS NULL");
  EXPECT_EQ(q->order_by, "l.id ASC");
  EXPECT_THAT(q->key_columns, ElementsAre("l.id"));

  r.set_filter("category = PERMISSIVE OR osi_approved = true");
  r.set_order_by("category desc");
  r.set_show_deleted(true);
  r.set_page_token(MakeNextPageToken(r, {"5", "llama3.1"}));
  q = CompileListLicenses(r);
  ASSERT_OK(q);
  EXPECT_EQ(q->where,
            "(l.category = $1::smallint OR l.osi_approved = $2::boolean) AND (l.category, l.id) < ($3::bigint, $4)");
  EXPECT_EQ(q->order_by, "l.category DESC, l.id DESC");
  EXPECT_THAT(q->params, ElementsAre("1", "true", "5", "llama3.1"));

  r.set_order_by("spdx_idd");
  EXPECT_THAT(CompileListLicenses(r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("did you mean `spdx_id`")));
}

}  // namespace
}  // namespace modelreg

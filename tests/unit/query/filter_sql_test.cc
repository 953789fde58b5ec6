// The filter checker (domain/query/filter_check.h) and the SQL the storage layer makes of it
// (storage/sql/filter_sql.h).
#include "server/storage/sql/filter_sql.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/query/time_values.h"
#include "server/domain/resource/edit_distance.h"
#include "server/domain/resource/license_kind.h"
#include "server/domain/resource/model_kind.h"
#include "tests/support/status_matchers.h"

namespace modelreg {
namespace {

using ::modelreg::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Compiled {
  std::string sql;
  std::vector<std::string> params;
};

// Parses and checks `filter` (domain), then generates its SQL (storage).
absl::StatusOr<Compiled> CompileWith(const ResourceKind& kind, const std::string& filter) {
  auto ast = ParseFilter(filter);
  if (!ast.ok()) return ast.status();
  auto checked = CheckFilter(**ast, kind);
  if (!checked.ok()) return checked.status();
  Compiled out;
  sql::ParamBinder binder(&out.params);
  out.sql = sql::FilterSql(*checked, kind, binder);
  return out;
}
absl::StatusOr<Compiled> M(const std::string& filter) { return CompileWith(ModelKind(), filter); }
absl::StatusOr<Compiled> L(const std::string& filter) { return CompileWith(LicenseKind(), filter); }

// expected[0] is the SQL, the rest the params.
void ExpectSql(const char* file, int line, const absl::StatusOr<Compiled>& r, std::vector<std::string> expected) {
  ::testing::ScopedTrace trace(file, line, "EXPECT_SQL");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->sql, expected[0]);
  expected.erase(expected.begin());
  EXPECT_EQ(r->params, expected) << r->sql;
}
#define EXPECT_SQL(result, ...) ExpectSql(__FILE__, __LINE__, (result), {__VA_ARGS__})

TEST(FilterCompilerTest, TextFields) {
  EXPECT_SQL(M("name = \"publishers/meta-llama/models/llama-3.1-8b\""), "m.name = $1",
             "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_SQL(M("publisher = meta-llama"), "m.publisher = $1", "meta-llama");
  EXPECT_SQL(M("publisher = publishers/meta-llama"), "m.publisher = $1", "meta-llama");
  EXPECT_SQL(M("family != llama-3"), "m.family COLLATE \"C\" <> $1", "llama-3");
  EXPECT_SQL(M("display_name < \"M\""), "m.display_name COLLATE \"C\" < $1", "M");
  EXPECT_SQL(M("version >= \"2\""), "m.version COLLATE \"C\" >= $1", "2");
  EXPECT_SQL(M("architecture:\"mixture-of-experts\""), "m.architecture COLLATE \"C\" = $1", "mixture-of-experts");
  EXPECT_SQL(M("base_model = \"publishers/a/models/b\""), "m.base_model = $1", "publishers/a/models/b");
  EXPECT_SQL(M("base_model:*"), "m.base_model <> ''");
}

TEST(FilterCompilerTest, WildcardsBecomeEscapedLikePatterns) {
  EXPECT_SQL(M("family = \"llama*\""), "m.family COLLATE \"C\" LIKE $1", "llama%");
  EXPECT_SQL(M("name:publishers/meta-llama/*"), "m.name LIKE $1", "publishers/meta-llama/%");
  EXPECT_SQL(M("family != \"50%_off\\\\*\""), "m.family COLLATE \"C\" NOT LIKE $1", "50\\%\\_off\\\\%");
  EXPECT_SQL(M("family = \"star\\*\""), "m.family COLLATE \"C\" = $1", "star*");
  EXPECT_SQL(M("weights.license = \"licenses/llama*\""),
             "(m.weights_license IS NOT NULL AND m.weights_license LIKE $1)", "llama%");
  EXPECT_THAT(M("family > \"a*\""), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("comparator `>` not supported for `family` at column 8")));
}

TEST(FilterCompilerTest, NullableScalars) {
  EXPECT_SQL(M("release_date >= 2024-01-01"),
             "(m.release_date IS NOT NULL AND COALESCE(m.release_date, '-infinity'::date) >= $1::date)", "2024-01-01");
  EXPECT_SQL(M("release_date != \"2024-02-29\""),
             "(m.release_date IS NOT NULL AND COALESCE(m.release_date, '-infinity'::date) <> $1::date)", "2024-02-29");
  EXPECT_SQL(M("release_date:*"), "m.release_date IS NOT NULL");
  EXPECT_SQL(M("parameter_count > 7000000000"),
             "(m.parameter_count IS NOT NULL AND COALESCE(m.parameter_count, -1) > $1::bigint)", "7000000000");
  EXPECT_SQL(M("parameter_count <= -1"),
             "(m.parameter_count IS NOT NULL AND COALESCE(m.parameter_count, -1) <= $1::bigint)", "-1");
  EXPECT_SQL(M("parameter_count:*"), "m.parameter_count IS NOT NULL");
  // Filterable, not sortable: compared on the column itself.
  EXPECT_SQL(M("active_parameter_count < 20000000000"),
             "(m.active_parameter_count IS NOT NULL AND m.active_parameter_count < $1::bigint)", "20000000000");
  EXPECT_SQL(M("active_parameter_count:*"), "m.active_parameter_count IS NOT NULL");
  EXPECT_SQL(M("weights.license = apache-2.0"), "(m.weights_license IS NOT NULL AND m.weights_license = $1)",
             "apache-2.0");
  EXPECT_SQL(M("weights.license = \"licenses/apache-2.0\""),
             "(m.weights_license IS NOT NULL AND m.weights_license = $1)", "apache-2.0");
  EXPECT_SQL(M("weights.license:*"), "m.weights_license IS NOT NULL");
}

TEST(FilterCompilerTest, BadScalarValues) {
  EXPECT_THAT(M("release_date >= 2023-02-29"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "filter: invalid value `2023-02-29` for `release_date` at column 17; expected a date "
                       "YYYY-MM-DD, e.g. 2024-01-31"));
  EXPECT_THAT(M("release_date >= 0000-01-01"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(M("release_date >= 2024-1-1"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(M("parameter_count > 7B"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected a 64-bit integer")));
  EXPECT_THAT(M("parameter_count > 99999999999999999999"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(M("openness.level > 40000"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from -32768 to 32767")));
  EXPECT_THAT(M("openness.osaid_candidate = yes"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected true or false")));
  EXPECT_THAT(M("openness.osaid_candidate < true"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("comparator `<` not supported")));
  EXPECT_THAT(M("family = *"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("`family:*` to test presence")));
  EXPECT_THAT(M("create_time > yesterday"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected an RFC 3339 timestamp")));
}

TEST(FilterCompilerTest, Timestamps) {
  EXPECT_SQL(M("create_time >= 2024-01-01T10:00:00Z"), "m.create_time >= $1::timestamptz",
             "2024-01-01T10:00:00.000000Z");
  EXPECT_SQL(M("update_time < \"2024-01-01T10:00:00.5+02:00\""), "m.update_time < $1::timestamptz",
             "2024-01-01T08:00:00.500000Z");
  EXPECT_SQL(M("create_time > 2024-06-30"), "m.create_time > $1::timestamptz", "2024-06-30T00:00:00.000000Z");
  EXPECT_SQL(M("delete_time:*"), "m.delete_time IS NOT NULL");
  EXPECT_SQL(M("delete_time < 2025-01-01"), "(m.delete_time IS NOT NULL AND m.delete_time < $1::timestamptz)",
             "2025-01-01T00:00:00.000000Z");
  EXPECT_THAT(M("create_time > 2024-13-01T00:00:00Z"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(M("create_time > 2024-01-01T00:00:00"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FilterCompilerTest, Enums) {
  EXPECT_SQL(M("weights.access = OPEN_DOWNLOAD"), "m.weights_access = $1::smallint", "5");
  EXPECT_SQL(M("weights.access = ACCESS_OPEN_DOWNLOAD"), "m.weights_access = $1::smallint", "5");
  EXPECT_SQL(M("weights.access != \"GATED_MANUAL_APPROVAL\""), "m.weights_access <> $1::smallint", "4");
  EXPECT_SQL(M("weights.access:*"), "m.weights_access <> 0");
  EXPECT_SQL(M("modality = TEXT"), "m.modality = $1::smallint", "1");
  EXPECT_SQL(M("treatment = INSTRUCT"), "m.treatment = $1::smallint", "2");
  EXPECT_SQL(M("base_model_relation = QUANTIZED"), "m.base_model_relation = $1::smallint", "3");
  EXPECT_SQL(M("data_disclosure.level >= LISTED"), "m.data_disclosure_level >= $1::smallint", "4");
  EXPECT_SQL(M("openness.mof_class >= II"), "m.mof_class >= $1::smallint", "3");
  EXPECT_SQL(M("openness.mof_class = MOF_CLASS_I"), "m.mof_class = $1::smallint", "4");
  EXPECT_THAT(M("weights.access = open_download"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown value `open_download` for `weights.access`; did you mean `OPEN_DOWNLOAD`?")));
  EXPECT_THAT(M("weights.access = OPEN_DOWNLAOD"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("did you mean `OPEN_DOWNLOAD`?")));
  EXPECT_THAT(M("modality = SMELL"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected one of UNSPECIFIED, TEXT, CODE")));
  EXPECT_THAT(M("modality = 1"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FilterCompilerTest, IntsAndBools) {
  EXPECT_SQL(M("openness.level >= 4"), "m.openness_level >= $1::smallint", "4");
  EXPECT_SQL(M("openness.level:*"), "m.openness_level <> 0");
  EXPECT_SQL(M("openness.osaid_candidate = true"), "m.osaid_candidate = $1::boolean", "true");
  EXPECT_SQL(M("openness.osaid_candidate != FALSE"), "m.osaid_candidate <> $1::boolean", "false");
  EXPECT_SQL(M("openness.osaid_candidate:*"), "m.osaid_candidate");
}

TEST(FilterCompilerTest, RepeatedFlags) {
  EXPECT_SQL(M("openness.flags:USAGE_THRESHOLD"), "m.openness_flags @> ARRAY[$1::smallint]", "3");
  EXPECT_SQL(M("openness.flags:OPENNESS_FLAG_LICENSE_BLOCKED"), "m.openness_flags @> ARRAY[$1::smallint]", "1");
  EXPECT_SQL(M("openness.flags:*"), "cardinality(m.openness_flags) > 0");
  EXPECT_SQL(M("-openness.flags:NON_COMMERCIAL"), "(NOT m.openness_flags @> ARRAY[$1::smallint])", "4");
  EXPECT_THAT(M("openness.flags = USAGE_THRESHOLD"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected `openness.flags:VALUE`")));
}

TEST(FilterCompilerTest, Labels) {
  EXPECT_SQL(M("labels:env"), "m.labels ? $1::text", "env");
  EXPECT_SQL(M("labels:*"), "m.labels <> '{}'::jsonb");
  EXPECT_SQL(M("labels.env:*"), "m.labels ? $1::text", "env");
  EXPECT_SQL(M("labels.env = prod"), "m.labels @> jsonb_build_object($1::text, $2::text)", "env", "prod");
  EXPECT_SQL(M("labels.team/a.b:\"x y\""), "m.labels @> jsonb_build_object($1::text, $2::text)", "team/a.b", "x y");
  EXPECT_SQL(M("labels.env != prod"), "(m.labels ? $1::text AND (m.labels ->> $1::text) COLLATE \"C\" <> $2::text)",
             "env", "prod");
  EXPECT_SQL(M("labels.env = \"pr*\""), "(m.labels ? $1::text AND (m.labels ->> $1::text) COLLATE \"C\" LIKE $2)",
             "env", "pr%");
  EXPECT_THAT(M("labels = x"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("`labels:KEY`")));
}

TEST(FilterCompilerTest, LicenseFieldsGoThroughTheWeightsLicense) {
  EXPECT_SQL(M("license.category = PERMISSIVE"),
             "(m.weights_license IS NOT NULL AND m.weights_license IN (SELECT l.id FROM licenses l WHERE l.category = "
             "$1::smallint))",
             "1");
  EXPECT_SQL(M("license.commercial_use = ALLOWED"),
             "(m.weights_license IS NOT NULL AND m.weights_license IN (SELECT l.id FROM licenses l WHERE "
             "l.commercial_use = $1::smallint))",
             "1");
  EXPECT_SQL(M("license.osi_approved = true"),
             "(m.weights_license IS NOT NULL AND m.weights_license IN (SELECT l.id FROM licenses l WHERE "
             "l.osi_approved = $1::boolean))",
             "true");
  EXPECT_SQL(M("license.territorial_restrictions:EU"),
             "(m.weights_license IS NOT NULL AND m.weights_license IN (SELECT l.id FROM licenses l WHERE "
             "l.withheld_territories @> ARRAY[$1::text]))",
             "EU");
  EXPECT_SQL(M("NOT license.has_usage_threshold:*"),
             "(NOT (m.weights_license IS NOT NULL AND m.weights_license IN (SELECT l.id FROM licenses l WHERE "
             "l.has_usage_threshold)))");
}

TEST(FilterCompilerTest, Lineage) {
  EXPECT_SQL(
      M("base_model_chain:\"publishers/meta-llama/models/llama-3.1-8b\""),
      "m.name = ANY (ARRAY(WITH RECURSIVE chain(name) AS (SELECT c.name FROM models c WHERE c.base_model = $1 AND "
      "c.base_model <> '' UNION SELECT c.name FROM models c JOIN chain ON c.base_model = chain.name WHERE "
      "c.base_model <> '') SELECT chain.name FROM chain))",
      "publishers/meta-llama/models/llama-3.1-8b");
  EXPECT_THAT(M("base_model_chain > x"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(M("base_model_chain:*"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FilterCompilerTest, BooleanStructureAndParamNumbering) {
  EXPECT_SQL(M("openness.level >= 4 AND release_date >= 2024-01-01"),
             "(m.openness_level >= $1::smallint AND (m.release_date IS NOT NULL AND COALESCE(m.release_date, "
             "'-infinity'::date) >= $2::date))",
             "4", "2024-01-01");
  // OR binds tighter than AND.
  EXPECT_SQL(M("modality = TEXT AND family = a OR family = b"),
             "(m.modality = $1::smallint AND (m.family COLLATE \"C\" = $2 OR m.family COLLATE \"C\" = $3))", "1", "a",
             "b");
  EXPECT_SQL(M("NOT (family = a) modality = CODE"), "((NOT m.family COLLATE \"C\" = $1) AND m.modality = $2::smallint)",
             "a", "2");
}

TEST(FilterCompilerTest, UnknownFieldSuggests) {
  EXPECT_THAT(M("licence = x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "filter: unknown field `licence` at column 1; did you mean `license.category`?"));
  EXPECT_THAT(M("modality = TEXT AND famly = x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "filter: unknown field `famly` at column 21; did you mean `family`?"));
  EXPECT_THAT(M("openness.levl > 1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("did you mean `openness.level`?")));
  EXPECT_THAT(M("zzzzzzzzzz = 1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("; expected one of name, publisher, family")));
  EXPECT_THAT(M("labels. = 1"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown field `labels.`")));
}

TEST(FilterCompilerTest, LicenseCatalog) {
  EXPECT_SQL(L("name = \"licenses/apache-2.0\""), "l.id = $1", "apache-2.0");
  EXPECT_SQL(L("spdx_id = Apache-2.0"), "l.spdx_id COLLATE \"C\" = $1", "Apache-2.0");
  EXPECT_SQL(L("display_name = \"Llama*\""), "l.display_name COLLATE \"C\" LIKE $1", "Llama%");
  EXPECT_SQL(L("category = COMMUNITY"), "l.category = $1::smallint", "5");
  EXPECT_SQL(L("commercial_use = CONDITIONAL"), "l.commercial_use = $1::smallint", "2");
  EXPECT_SQL(L("osi_approved = true"), "l.osi_approved = $1::boolean", "true");
  EXPECT_SQL(L("fsf_libre = false"), "l.fsf_libre = $1::boolean", "false");
  EXPECT_SQL(L("open_data = true"), "l.open_data = $1::boolean", "true");
  EXPECT_SQL(L("has_usage_threshold = true"), "l.has_usage_threshold = $1::boolean", "true");
  EXPECT_SQL(L("has_use_restrictions = true"), "l.has_use_restrictions = $1::boolean", "true");
  EXPECT_SQL(L("usage_thresholds:*"), "l.has_usage_threshold");
  EXPECT_SQL(L("-use_restrictions:*"), "(NOT l.has_use_restrictions)");
  EXPECT_SQL(L("create_time > 2024-01-01"), "l.create_time > $1::timestamptz", "2024-01-01T00:00:00.000000Z");
  EXPECT_SQL(L("update_time > 2024-01-01"), "l.update_time > $1::timestamptz", "2024-01-01T00:00:00.000000Z");
  EXPECT_THAT(L("usage_thresholds = 1"), StatusIs(absl::StatusCode::kInvalidArgument));
  // A text set: `:VALUE` or `:*` only.
  EXPECT_SQL(L("territorial_restrictions:EU"), "l.withheld_territories @> ARRAY[$1::text]", "EU");
  EXPECT_SQL(L("territorial_restrictions:*"), "cardinality(l.withheld_territories) > 0");
  EXPECT_SQL(L("NOT territorial_restrictions:EU"), "(NOT l.withheld_territories @> ARRAY[$1::text])", "EU");
  EXPECT_THAT(L("territorial_restrictions = EU"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected `territorial_restrictions:VALUE`")));
  EXPECT_THAT(L("territorial_restrictions:\"E*\""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(L("family = x"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown field `family`")));
}

TEST(FilterCompilerTest, MaliciousValuesAreOnlyEverBound) {
  const std::vector<std::string> evil = {
      "'; DROP TABLE models; --", "\\'", "a\"b", "$1", "x' OR '1'='1", "/* c */", "\\\\", "😀'", "NOT x"};
  for (const std::string& value : evil) {
    std::string quoted = "\"";
    for (char ch : value) {
      if (ch == '"' || ch == '\\') quoted.push_back('\\');
      quoted.push_back(ch);
    }
    quoted.push_back('"');
    auto r = M(absl::StrCat("family = ", quoted, " OR labels.k = ", quoted));
    ASSERT_TRUE(r.ok()) << value << ": " << r.status();
    EXPECT_THAT(r->params, ElementsAre(value, "k", value));
    if (value != "$1") {
      EXPECT_EQ(r->sql.find(value), std::string::npos) << r->sql;
    }
    EXPECT_EQ(r->sql.find(';'), std::string::npos);
  }
  // Bare values may contain `;`, `'` and `--`: bound, never pasted.
  EXPECT_SQL(M("family = a;b--"), "m.family COLLATE \"C\" = $1", "a;b--");
}

TEST(EditDistanceTest, Basics) {
  EXPECT_EQ(EditDistance("kitten", "sitting", 10), 3u);
  EXPECT_EQ(EditDistance("", "abc", 10), 3u);
  EXPECT_EQ(EditDistance("abcdef", "zzzzzz", 2), 3u);
}

TEST(TimestampTest, ParseAndFormat) {
  int64_t us = 0;
  ASSERT_TRUE(ParseTimestampMicros("1970-01-01T00:00:01.000001Z", &us));
  EXPECT_EQ(us, 1000001);
  EXPECT_EQ(FormatTimestampMicros(us), "1970-01-01T00:00:01.000001Z");
  EXPECT_FALSE(ParseTimestampMicros("0000-01-01T00:00:00Z", &us));
  EXPECT_FALSE(ParseTimestampMicros("2024-01-01 00:00:00Z", &us));
  EXPECT_TRUE(IsValidDate("2000-02-29"));
  EXPECT_FALSE(IsValidDate("1900-02-29"));
  EXPECT_FALSE(IsValidDate("12345-01-01"));
  EXPECT_TRUE(IsValidDate("12345-01-01", true));
}

}  // namespace
}  // namespace modelreg

#include "server/domain/query/filter_compiler.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "modelreg/v1/license.pb.h"
#include "modelreg/v1/model.pb.h"
#include "modelreg/v1/openness.pb.h"

namespace modelreg {
namespace {

constexpr absl::string_view kLabelsPrefix = "labels.";

FieldSpec Text(std::string name, std::string sql, std::string strip_prefix = "") {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::kText;
  f.sql = std::move(sql);
  f.strip_prefix = std::move(strip_prefix);
  return f;
}
FieldSpec Typed(std::string name, FieldType type, std::string sql) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  f.sql = std::move(sql);
  return f;
}
FieldSpec Enum(std::string name, std::string sql, const google::protobuf::EnumDescriptor* type) {
  FieldSpec f = Typed(std::move(name), FieldType::kEnum, std::move(sql));
  f.enum_type = type;
  return f;
}
FieldSpec Sortable(FieldSpec f, KeyType key_type, std::string sort_sql = "", std::string key_sql = "") {
  f.key_type = key_type;
  f.sort_sql = sort_sql.empty() ? f.sql : std::move(sort_sql);
  f.key_sql = key_sql.empty() ? f.sort_sql : std::move(key_sql);
  return f;
}
FieldSpec License(FieldSpec f) {
  f.via_license = true;
  return f;
}
FieldSpec Nullable(FieldSpec f) {
  f.nullable = true;
  return f;
}
FieldSpec SmallInt(FieldSpec f) {
  f.smallint = true;
  return f;
}
FieldSpec TimestampField(const std::string& name, const std::string& alias, bool sortable) {
  const std::string col = absl::StrCat(alias, ".", name);
  FieldSpec f = Typed(name, FieldType::kTimestamp, col);
  if (!sortable) return f;
  return Sortable(std::move(f), KeyType::kTimestamp, col,
                  absl::StrCat("(EXTRACT(EPOCH FROM ", col, ") * 1000000)::bigint"));
}

void Finish(FieldCatalog& catalog, absl::string_view primary_key) {
  for (const FieldSpec& f : catalog.fields) {
    if (f.name == primary_key) catalog.primary_key = &f;
  }
}

FieldCatalog BuildModelFields() {
  FieldCatalog c;
  c.resource = "models";
  c.alias = "m";
  auto& f = c.fields;
  f.push_back(Sortable(Text("name", "m.name"), KeyType::kText));
  f.push_back(Sortable(Text("publisher", "m.publisher", "publishers/"), KeyType::kText));
  f.push_back(Sortable(Text("family", "m.family COLLATE \"C\""), KeyType::kText));
  f.push_back(Sortable(Text("display_name", "m.display_name COLLATE \"C\""), KeyType::kText));
  f.push_back(Sortable(Text("version", "m.version COLLATE \"C\""), KeyType::kText));
  f.push_back(Sortable(Nullable(Typed("release_date", FieldType::kDate, "m.release_date")), KeyType::kDate,
                       "COALESCE(m.release_date, '-infinity'::date)"));
  f.push_back(Sortable(Nullable(Typed("parameter_count", FieldType::kInt, "m.parameter_count")), KeyType::kInt,
                       "COALESCE(m.parameter_count, -1)"));
  f.push_back(Enum("modality", "m.modality", v1::Model_Modality_descriptor()));
  f.push_back(Text("architecture", "m.architecture COLLATE \"C\""));
  f.push_back(Enum("treatment", "m.treatment", v1::Model_Treatment_descriptor()));
  f.push_back(Text("base_model", "m.base_model"));
  f.push_back(Enum("base_model_relation", "m.base_model_relation", v1::Model_BaseModelRelation_descriptor()));
  f.push_back(Typed("base_model_chain", FieldType::kLineage, "m.name"));
  f.push_back(Typed("labels", FieldType::kLabels, "m.labels"));
  // license.* before weights.* so that `licence` suggests `license.category`.
  f.push_back(License(Enum("license.category", "l.category", v1::License_Category_descriptor())));
  f.push_back(License(Enum("license.commercial_use", "l.commercial_use", v1::License_CommercialUse_descriptor())));
  f.push_back(License(Typed("license.osi_approved", FieldType::kBool, "l.osi_approved")));
  f.push_back(License(Typed("license.fsf_libre", FieldType::kBool, "l.fsf_libre")));
  f.push_back(License(Typed("license.open_data", FieldType::kBool, "l.open_data")));
  f.push_back(License(Typed("license.has_usage_threshold", FieldType::kBool, "l.has_usage_threshold")));
  f.push_back(License(Typed("license.has_use_restrictions", FieldType::kBool, "l.has_use_restrictions")));
  f.push_back(Enum("weights.access", "m.weights_access", v1::Weights_Access_descriptor()));
  f.push_back(Nullable(Text("weights.license", "m.weights_license", "licenses/")));
  f.push_back(Enum("data_disclosure.level", "m.data_disclosure_level", v1::DataDisclosure_Level_descriptor()));
  f.push_back(Sortable(SmallInt(Typed("openness.level", FieldType::kInt, "m.openness_level")), KeyType::kInt));
  f.push_back(Sortable(Enum("openness.mof_class", "m.mof_class", v1::MofClass_descriptor()), KeyType::kInt));
  f.push_back(Typed("openness.osaid_candidate", FieldType::kBool, "m.osaid_candidate"));
  FieldSpec flags = Typed("openness.flags", FieldType::kEnumSet, "m.openness_flags");
  flags.enum_type = v1::OpennessFlag_descriptor();
  f.push_back(flags);
  f.push_back(TimestampField("create_time", "m", true));
  f.push_back(TimestampField("update_time", "m", true));
  f.push_back(Nullable(TimestampField("delete_time", "m", false)));
  Finish(c, "name");
  return c;
}

FieldCatalog BuildLicenseFields() {
  FieldCatalog c;
  c.resource = "licenses";
  c.alias = "l";
  auto& f = c.fields;
  f.push_back(Sortable(Text("name", "l.id", "licenses/"), KeyType::kText));
  f.push_back(Sortable(Text("display_name", "l.display_name COLLATE \"C\""), KeyType::kText));
  f.push_back(Sortable(Text("spdx_id", "l.spdx_id COLLATE \"C\""), KeyType::kText));
  f.push_back(Sortable(Enum("category", "l.category", v1::License_Category_descriptor()), KeyType::kInt));
  f.push_back(Enum("commercial_use", "l.commercial_use", v1::License_CommercialUse_descriptor()));
  f.push_back(Typed("osi_approved", FieldType::kBool, "l.osi_approved"));
  f.push_back(Typed("fsf_libre", FieldType::kBool, "l.fsf_libre"));
  f.push_back(Typed("open_data", FieldType::kBool, "l.open_data"));
  f.push_back(Typed("has_usage_threshold", FieldType::kBool, "l.has_usage_threshold"));
  f.push_back(Typed("has_use_restrictions", FieldType::kBool, "l.has_use_restrictions"));
  f.push_back(Typed("usage_thresholds", FieldType::kPresence, "l.has_usage_threshold"));
  f.push_back(Typed("use_restrictions", FieldType::kPresence, "l.has_use_restrictions"));
  f.push_back(TimestampField("create_time", "l", true));
  f.push_back(TimestampField("update_time", "l", true));
  f.push_back(Nullable(TimestampField("delete_time", "l", false)));
  Finish(c, "name");
  return c;
}

absl::string_view SqlOperator(Comparator op) {
  switch (op) {
    case Comparator::kEq:
    case Comparator::kHas:
      return "=";
    case Comparator::kNe:
      return "<>";
    case Comparator::kLt:
      return "<";
    case Comparator::kLe:
      return "<=";
    case Comparator::kGt:
      return ">";
    case Comparator::kGe:
      return ">=";
  }
  return "=";
}

// The UPPER_SNAKE_CASE prefix of an enum's values: `MofClass` -> `MOF_CLASS_`.
std::string EnumPrefix(const google::protobuf::EnumDescriptor* type) {
  std::string out;
  for (char ch : type->name()) {
    if (absl::ascii_isupper(static_cast<unsigned char>(ch)) && !out.empty()) out.push_back('_');
    out.push_back(absl::ascii_toupper(static_cast<unsigned char>(ch)));
  }
  out.push_back('_');
  return out;
}

std::string EscapeLike(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 1);
  for (char ch : text) {
    if (ch == '\\' || ch == '%' || ch == '_') out.push_back('\\');
    out.push_back(ch);
  }
  out.push_back('%');
  return out;
}

std::string Quote(absl::string_view text) {
  if (text.size() > 64) return absl::StrCat("`", text.substr(0, 64), "...`");
  return absl::StrCat("`", text, "`");
}

class Compiler {
 public:
  Compiler(const FieldCatalog& catalog, ParamBinder& binder, absl::string_view field_name)
      : catalog_(catalog), binder_(binder), field_name_(field_name) {}

  absl::StatusOr<std::string> Compile(const FilterNode& node) {
    switch (node.kind) {
      case FilterNode::Kind::kAnd:
      case FilterNode::Kind::kOr: {
        std::vector<std::string> parts;
        for (const auto& child : node.children) {
          auto part = Compile(*child);
          if (!part.ok()) return part.status();
          parts.push_back(*std::move(part));
        }
        return absl::StrCat("(", absl::StrJoin(parts, node.kind == FilterNode::Kind::kAnd ? " AND " : " OR "), ")");
      }
      case FilterNode::Kind::kNot: {
        auto part = Compile(*node.children[0]);
        if (!part.ok()) return part.status();
        return absl::StrCat("(NOT ", *part, ")");
      }
      case FilterNode::Kind::kRestriction:
        return CompileRestriction(node);
    }
    return absl::InvalidArgumentError(absl::StrCat(field_name_, ": unsupported expression"));
  }

 private:
  absl::Status Error(size_t column, absl::string_view what, absl::string_view expected) const {
    return absl::InvalidArgumentError(
        absl::StrCat(field_name_, ": ", what, " at column ", column, expected.empty() ? "" : "; expected ", expected));
  }
  absl::Status ValueError(const FilterNode& r, absl::string_view expected) const {
    return Error(
        r.value.column,
        absl::StrCat("invalid value ", r.value.IsPresence() ? "`*`" : Quote(r.value.text),
                     r.value.wildcard && !r.value.IsPresence() ? " with wildcard" : "", " for `", r.field, "`"),
        expected);
  }
  absl::Status OpError(const FilterNode& r, absl::string_view expected) const {
    return Error(r.op_column, absl::StrCat("comparator `", ComparatorText(r.op), "` not supported for `", r.field, "`"),
                 expected);
  }

  absl::StatusOr<std::string> CompileRestriction(const FilterNode& r) {
    const FieldSpec* field = catalog_.Find(r.field);
    if (field == nullptr) {
      std::string suggestion = catalog_.Suggest(r.field, false);
      return absl::InvalidArgumentError(
          absl::StrCat(field_name_, ": unknown field ", Quote(r.field), " at column ", r.field_column,
                       suggestion.empty() ? absl::StrCat("; expected one of ", catalog_.Names(false))
                                          : absl::StrCat("; did you mean `", suggestion, "`?")));
    }
    auto sql = CompileField(*field, r);
    if (!sql.ok() || !field->via_license) return sql;
    return absl::StrCat("(m.weights_license IS NOT NULL AND m.weights_license IN (SELECT l.id FROM licenses l WHERE ",
                        *sql, "))");
  }

  // `expr op param`, made two-valued for nullable columns. A nullable sortable column compares on its (non-NULL)
  // sort expression, guarded by IS NOT NULL, so that one index on the sort expression serves filter and order.
  std::string Compare(const FieldSpec& f, Comparator op, const std::string& param) {
    const std::string& expr = f.nullable && !f.sort_sql.empty() ? f.sort_sql : f.sql;
    std::string cmp = absl::StrCat(expr, " ", SqlOperator(op), " ", param);
    if (f.nullable) return absl::StrCat("(", f.sql, " IS NOT NULL AND ", cmp, ")");
    return cmp;
  }

  absl::StatusOr<std::string> CompileField(const FieldSpec& f, const FilterNode& r) {
    const FilterValue& v = r.value;
    const bool presence = r.op == Comparator::kHas && v.IsPresence();
    if (v.IsPresence() && r.op != Comparator::kHas) {
      return ValueError(r, absl::StrCat("`", r.field, ":*` to test presence, or a value"));
    }
    switch (f.type) {
      case FieldType::kText: {
        if (presence) return f.nullable ? absl::StrCat(f.sql, " IS NOT NULL") : absl::StrCat(f.sql, " <> ''");
        std::string text = v.text;
        if (!f.strip_prefix.empty() && absl::StartsWith(text, f.strip_prefix)) text.erase(0, f.strip_prefix.size());
        if (v.wildcard) {
          if (r.op != Comparator::kEq && r.op != Comparator::kHas && r.op != Comparator::kNe) {
            return OpError(r, "=, != or : with a trailing `*` wildcard");
          }
          std::string like =
              absl::StrCat(f.sql, r.op == Comparator::kNe ? " NOT LIKE " : " LIKE ", binder_.Bind(EscapeLike(text)));
          if (f.nullable) return absl::StrCat("(", f.sql, " IS NOT NULL AND ", like, ")");
          return like;
        }
        return Compare(f, r.op, binder_.Bind(std::move(text)));
      }
      case FieldType::kDate: {
        if (presence) return absl::StrCat(f.sql, " IS NOT NULL");
        if (v.wildcard || !IsValidDate(v.text)) return ValueError(r, "a date YYYY-MM-DD, e.g. 2024-01-31");
        return Compare(f, r.op, binder_.Bind(v.text, "::date"));
      }
      case FieldType::kTimestamp: {
        if (presence) return absl::StrCat(f.sql, " IS NOT NULL");
        int64_t micros = 0;
        if (v.wildcard || !ParseTimestampMicros(v.text, &micros)) {
          return ValueError(r, "an RFC 3339 timestamp (2024-01-31T12:00:00Z) or a date YYYY-MM-DD");
        }
        return Compare(f, r.op, binder_.Bind(FormatTimestampMicros(micros), "::timestamptz"));
      }
      case FieldType::kInt: {
        if (presence) return f.nullable ? absl::StrCat(f.sql, " IS NOT NULL") : absl::StrCat(f.sql, " <> 0");
        int64_t n = 0;
        if (v.wildcard || !absl::SimpleAtoi(v.text, &n) || (f.smallint && (n < -32768 || n > 32767))) {
          return ValueError(r, f.smallint ? "an integer from -32768 to 32767" : "a 64-bit integer");
        }
        return Compare(f, r.op, binder_.Bind(absl::StrCat(n), f.smallint ? "::smallint" : "::bigint"));
      }
      case FieldType::kBool: {
        if (presence) return f.sql;
        if (r.op != Comparator::kEq && r.op != Comparator::kNe && r.op != Comparator::kHas) {
          return OpError(r, "=, != or :");
        }
        bool b = false;
        if (!v.wildcard && (v.text == "true" || v.text == "TRUE" || v.text == "True")) {
          b = true;
        } else if (!v.wildcard && (v.text == "false" || v.text == "FALSE" || v.text == "False")) {
          b = false;
        } else {
          return ValueError(r, "true or false");
        }
        return Compare(f, r.op, binder_.Bind(b ? "true" : "false", "::boolean"));
      }
      case FieldType::kEnum: {
        if (presence) return absl::StrCat(f.sql, " <> 0");
        auto number = EnumNumber(f, r);
        if (!number.ok()) return number.status();
        return Compare(f, r.op, binder_.Bind(absl::StrCat(*number), "::smallint"));
      }
      case FieldType::kEnumSet: {
        if (r.op != Comparator::kHas) return OpError(r, absl::StrCat("`", r.field, ":VALUE` or `", r.field, ":*`"));
        if (presence) return absl::StrCat("cardinality(", f.sql, ") > 0");
        auto number = EnumNumber(f, r);
        if (!number.ok()) return number.status();
        return absl::StrCat(f.sql, " @> ARRAY[", binder_.Bind(absl::StrCat(*number), "::smallint"), "]");
      }
      case FieldType::kPresence: {
        if (!presence) return OpError(r, absl::StrCat("`", r.field, ":*`"));
        return f.sql;
      }
      case FieldType::kLineage: {
        if (r.op != Comparator::kEq && r.op != Comparator::kHas) return OpError(r, "= or :");
        if (v.wildcard || v.text.empty()) return ValueError(r, "a model name publishers/{publisher}/models/{model}");
        const std::string p = binder_.Bind(v.text);
        return absl::StrCat(
            "m.name = ANY (ARRAY(WITH RECURSIVE chain(name) AS (SELECT c.name FROM models c WHERE c.base_model = ", p,
            " AND c.base_model <> '' UNION SELECT c.name FROM models c JOIN chain ON c.base_model = chain.name "
            "WHERE c.base_model <> '') SELECT chain.name FROM chain))");
      }
      case FieldType::kLabels:
        return CompileLabels(f, r);
    }
    return OpError(r, "");
  }

  absl::StatusOr<std::string> CompileLabels(const FieldSpec& f, const FilterNode& r) {
    const FilterValue& v = r.value;
    const bool presence = r.op == Comparator::kHas && v.IsPresence();
    if (r.field == "labels") {
      if (r.op != Comparator::kHas) return OpError(r, "`labels:KEY`, `labels:*` or `labels.KEY = value`");
      if (presence) return absl::StrCat(f.sql, " <> '{}'::jsonb");
      if (v.wildcard || v.text.empty()) return ValueError(r, "a label key");
      return absl::StrCat(f.sql, " ? ", binder_.Bind(v.text, "::text"));
    }
    const std::string key(absl::string_view(r.field).substr(kLabelsPrefix.size()));
    if (presence) return absl::StrCat(f.sql, " ? ", binder_.Bind(key, "::text"));
    const std::string k = binder_.Bind(key, "::text");
    const std::string value_expr = absl::StrCat("(", f.sql, " ->> ", k, ") COLLATE \"C\"");
    if (v.wildcard) {
      if (r.op != Comparator::kEq && r.op != Comparator::kHas && r.op != Comparator::kNe) {
        return OpError(r, "=, != or : with a trailing `*` wildcard");
      }
      return absl::StrCat("(", f.sql, " ? ", k, " AND ", value_expr, r.op == Comparator::kNe ? " NOT LIKE " : " LIKE ",
                          binder_.Bind(EscapeLike(v.text)), ")");
    }
    if (r.op == Comparator::kEq || r.op == Comparator::kHas) {
      return absl::StrCat(f.sql, " @> jsonb_build_object(", k, ", ", binder_.Bind(v.text, "::text"), ")");
    }
    return absl::StrCat("(", f.sql, " ? ", k, " AND ", value_expr, " ", SqlOperator(r.op), " ",
                        binder_.Bind(v.text, "::text"), ")");
  }

  absl::StatusOr<int> EnumNumber(const FieldSpec& f, const FilterNode& r) {
    const FilterValue& v = r.value;
    const std::string prefix = EnumPrefix(f.enum_type);
    if (!v.wildcard && !v.text.empty()) {
      const auto* value = f.enum_type->FindValueByName(v.text);
      if (value == nullptr) value = f.enum_type->FindValueByName(prefix + v.text);
      if (value != nullptr) return value->number();
    }
    std::vector<std::string> names;
    std::string best;
    size_t best_distance = 3;
    for (int i = 0; i < f.enum_type->value_count(); ++i) {
      std::string name = f.enum_type->value(i)->name();
      if (absl::StartsWith(name, prefix)) name.erase(0, prefix.size());
      const std::string upper = absl::AsciiStrToUpper(v.text.substr(0, 64));
      const size_t d = std::min(EditDistance(upper, name, 3), EditDistance(upper, prefix + name, 3));
      if (d < best_distance) {
        best_distance = d;
        best = name;
      }
      names.push_back(std::move(name));
    }
    std::string expected = absl::StrCat("one of ", absl::StrJoin(names, ", "));
    if (!best.empty()) {
      return Error(v.column,
                   absl::StrCat("unknown value ", Quote(v.text), " for `", r.field, "`; did you mean `", best, "`?"),
                   "");
    }
    return ValueError(r, expected);
  }

  const FieldCatalog& catalog_;
  ParamBinder& binder_;
  absl::string_view field_name_;
};

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

}  // namespace

const FieldSpec* FieldCatalog::Find(absl::string_view name) const {
  for (const FieldSpec& f : fields) {
    if (f.name == name) return &f;
  }
  if (absl::StartsWith(name, kLabelsPrefix) && name.size() > kLabelsPrefix.size()) {
    for (const FieldSpec& f : fields) {
      if (f.type == FieldType::kLabels) return &f;
    }
  }
  return nullptr;
}

std::string FieldCatalog::Suggest(absl::string_view name, bool sortable_only) const {
  if (name.size() > 128) return "";
  // Score: 2 * distance, +1 when matched against the first dot-separated part, +2 against the last part.
  size_t best_score = SIZE_MAX;
  std::string best;
  const size_t limit = std::max<size_t>(2, name.size() / 3);
  for (const FieldSpec& f : fields) {
    if (sortable_only && f.sort_sql.empty()) continue;
    const std::vector<absl::string_view> parts = absl::StrSplit(f.name, '.');
    size_t score = SIZE_MAX;
    size_t d = EditDistance(name, f.name, limit);
    if (d <= limit) score = 2 * d;
    if (parts.size() > 1 && name.find('.') == absl::string_view::npos) {
      d = EditDistance(name, parts.front(), limit);
      if (d <= limit) score = std::min(score, 2 * d + 1);
      d = EditDistance(name, parts.back(), limit);
      if (d <= limit) score = std::min(score, 2 * d + 2);
    }
    if (score < best_score) {
      best_score = score;
      best = f.type == FieldType::kLabels ? "labels.KEY" : f.name;
    }
  }
  return best;
}

std::string FieldCatalog::Names(bool sortable_only) const {
  std::vector<std::string> names;
  for (const FieldSpec& f : fields) {
    if (sortable_only && f.sort_sql.empty()) continue;
    names.push_back(f.type == FieldType::kLabels ? "labels.KEY" : f.name);
  }
  return absl::StrJoin(names, ", ");
}

const FieldCatalog& ModelFields() {
  static const FieldCatalog* const catalog = new FieldCatalog(BuildModelFields());
  return *catalog;
}

const FieldCatalog& LicenseFields() {
  static const FieldCatalog* const catalog = new FieldCatalog(BuildLicenseFields());
  return *catalog;
}

std::string ParamBinder::Bind(std::string value, absl::string_view cast) {
  params_->push_back(std::move(value));
  return absl::StrCat("$", params_->size(), cast);
}

absl::StatusOr<std::string> CompileFilter(const FilterNode& node, const FieldCatalog& catalog, ParamBinder& binder,
                                          absl::string_view field_name) {
  return Compiler(catalog, binder, field_name).Compile(node);
}

size_t EditDistance(absl::string_view a, absl::string_view b, size_t cap) {
  const size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > cap) return cap + 1;
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > cap) return cap + 1;
    std::swap(prev, cur);
  }
  return std::min(prev[b.size()], cap + 1);
}

bool IsValidDate(absl::string_view text, bool allow_long_year) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  if (parts.size() != 3 || parts[1].size() != 2 || parts[2].size() != 2) return false;
  if (parts[0].size() < 4 || (parts[0].size() > 4 && !allow_long_year) || parts[0].size() > 7) return false;
  if (!AllDigits(parts[0]) || !AllDigits(parts[1]) || !AllDigits(parts[2])) return false;
  int64_t year = 0;
  int month = 0, day = 0;
  if (!absl::SimpleAtoi(parts[0], &year) || !absl::SimpleAtoi(parts[1], &month) || !absl::SimpleAtoi(parts[2], &day)) {
    return false;
  }
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= DaysInMonth(year, month);
}

bool ParseTimestampMicros(absl::string_view text, int64_t* micros) {
  if (text.size() > 64) return false;
  absl::Time t;
  std::string err;
  if (IsValidDate(text)) {
    if (!absl::ParseTime("%Y-%m-%d", std::string(text), absl::UTCTimeZone(), &t, &err)) return false;
  } else {
    // RFC 3339: a date, `T` (or `t`), a time with optional fraction, and `Z` or an offset.
    if (text.size() < 20 || !IsValidDate(text.substr(0, 10)) || (text[10] != 'T' && text[10] != 't')) return false;
    std::string canonical(text);
    canonical[10] = 'T';
    if (canonical.back() == 'z') canonical.back() = 'Z';
    if (!absl::ParseTime(absl::RFC3339_full, canonical, absl::UTCTimeZone(), &t, &err)) return false;
  }
  const absl::CivilSecond civil = absl::ToCivilSecond(t, absl::UTCTimeZone());
  if (civil.year() < 1 || civil.year() > 9999) return false;
  *micros = absl::ToUnixMicros(t);
  return true;
}

std::string FormatTimestampMicros(int64_t micros) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

}  // namespace modelreg

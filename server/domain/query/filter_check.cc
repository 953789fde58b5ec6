#include "server/domain/query/filter_check.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"
#include "server/domain/query/time_values.h"
#include "server/domain/resource/edit_distance.h"

namespace modelreg {
namespace {

constexpr absl::string_view kLabelsPrefix = "labels.";

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

std::string Quote(absl::string_view text) {
  if (text.size() > 64) return absl::StrCat("`", text.substr(0, 64), "...`");
  return absl::StrCat("`", text, "`");
}

bool IsEqualityOrHas(Comparator op) { return op == Comparator::kEq || op == Comparator::kHas; }

class Checker {
 public:
  Checker(const ResourceKind& kind, absl::string_view field_name) : kind_(kind), field_name_(field_name) {}

  absl::StatusOr<CheckedFilter> Check(const FilterNode& node) {
    CheckedFilter out;
    switch (node.kind) {
      case FilterNode::Kind::kAnd:
      case FilterNode::Kind::kOr:
      case FilterNode::Kind::kNot:
        out.kind = node.kind == FilterNode::Kind::kAnd  ? CheckedFilter::Kind::kAnd
                   : node.kind == FilterNode::Kind::kOr ? CheckedFilter::Kind::kOr
                                                        : CheckedFilter::Kind::kNot;
        for (const auto& child : node.children) {
          MODELREG_ASSIGN_OR_RETURN(CheckedFilter checked, Check(*child));
          out.children.push_back(std::move(checked));
        }
        return out;
      case FilterNode::Kind::kRestriction:
        out.kind = CheckedFilter::Kind::kPredicate;
        MODELREG_ASSIGN_OR_RETURN(out.predicate, CheckRestriction(node));
        return out;
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

  absl::StatusOr<Predicate> CheckRestriction(const FilterNode& r) {
    const FieldSpec* field = kind_.Find(r.field);
    if (field == nullptr) {
      std::string suggestion = kind_.Suggest(r.field, false);
      return absl::InvalidArgumentError(
          absl::StrCat(field_name_, ": unknown field ", Quote(r.field), " at column ", r.field_column,
                       suggestion.empty() ? absl::StrCat("; expected one of ", kind_.Names(false))
                                          : absl::StrCat("; did you mean `", suggestion, "`?")));
    }
    Predicate p;
    p.field = field;
    p.op = r.op;
    MODELREG_RETURN_IF_ERROR(CheckValue(*field, r, p));
    return p;
  }

  absl::Status CheckValue(const FieldSpec& f, const FilterNode& r, Predicate& p) {
    const FilterValue& v = r.value;
    const bool presence = r.op == Comparator::kHas && v.IsPresence();
    if (v.IsPresence() && r.op != Comparator::kHas) {
      return ValueError(r, absl::StrCat("`", r.field, ":*` to test presence, or a value"));
    }
    if (presence && f.type != FieldType::kLabels && f.type != FieldType::kLineage) {
      p.test = Predicate::Test::kPresent;
      return absl::OkStatus();
    }
    switch (f.type) {
      case FieldType::kText: {
        p.value = v.text;
        if (!f.strip_prefix.empty() && absl::StartsWith(p.value, f.strip_prefix)) {
          p.value.erase(0, f.strip_prefix.size());
        }
        if (v.wildcard) {
          if (!IsEqualityOrHas(r.op) && r.op != Comparator::kNe) {
            return OpError(r, "=, != or : with a trailing `*` wildcard");
          }
          p.test = Predicate::Test::kPrefix;
        }
        return absl::OkStatus();
      }
      case FieldType::kDate:
        if (v.wildcard || !IsValidDate(v.text)) return ValueError(r, "a date YYYY-MM-DD, e.g. 2024-01-31");
        p.value = v.text;
        return absl::OkStatus();
      case FieldType::kTimestamp: {
        int64_t micros = 0;
        if (v.wildcard || !ParseTimestampMicros(v.text, &micros)) {
          return ValueError(r, "an RFC 3339 timestamp (2024-01-31T12:00:00Z) or a date YYYY-MM-DD");
        }
        p.value = FormatTimestampMicros(micros);
        return absl::OkStatus();
      }
      case FieldType::kInt: {
        int64_t n = 0;
        if (v.wildcard || !absl::SimpleAtoi(v.text, &n) || (f.smallint && (n < -32768 || n > 32767))) {
          return ValueError(r, f.smallint ? "an integer from -32768 to 32767" : "a 64-bit integer");
        }
        p.value = absl::StrCat(n);
        return absl::OkStatus();
      }
      case FieldType::kBool: {
        if (!IsEqualityOrHas(r.op) && r.op != Comparator::kNe) return OpError(r, "=, != or :");
        if (!v.wildcard && (v.text == "true" || v.text == "TRUE" || v.text == "True")) {
          p.value = "true";
        } else if (!v.wildcard && (v.text == "false" || v.text == "FALSE" || v.text == "False")) {
          p.value = "false";
        } else {
          return ValueError(r, "true or false");
        }
        return absl::OkStatus();
      }
      case FieldType::kEnum: {
        MODELREG_ASSIGN_OR_RETURN(int number, EnumNumber(f, r));
        p.value = absl::StrCat(number);
        return absl::OkStatus();
      }
      case FieldType::kEnumSet: {
        if (r.op != Comparator::kHas) return OpError(r, absl::StrCat("`", r.field, ":VALUE` or `", r.field, ":*`"));
        MODELREG_ASSIGN_OR_RETURN(int number, EnumNumber(f, r));
        p.value = absl::StrCat(number);
        return absl::OkStatus();
      }
      case FieldType::kTextSet:
        if (r.op != Comparator::kHas) return OpError(r, absl::StrCat("`", r.field, ":VALUE` or `", r.field, ":*`"));
        if (v.wildcard || v.text.empty()) return ValueError(r, "a value, e.g. `EU`");
        p.value = v.text;
        return absl::OkStatus();
      case FieldType::kPresence:
        return OpError(r, absl::StrCat("`", r.field, ":*`"));
      case FieldType::kLineage:
        if (!IsEqualityOrHas(r.op)) return OpError(r, "= or :");
        if (v.wildcard || v.text.empty()) return ValueError(r, "a model name publishers/{publisher}/models/{model}");
        p.value = v.text;
        return absl::OkStatus();
      case FieldType::kLabels:
        return CheckLabels(r, p);
    }
    return OpError(r, "");
  }

  absl::Status CheckLabels(const FilterNode& r, Predicate& p) {
    const FilterValue& v = r.value;
    const bool presence = r.op == Comparator::kHas && v.IsPresence();
    if (r.field == "labels") {
      if (r.op != Comparator::kHas) return OpError(r, "`labels:KEY`, `labels:*` or `labels.KEY = value`");
      if (presence) {
        p.test = Predicate::Test::kPresent;
        return absl::OkStatus();
      }
      if (v.wildcard || v.text.empty()) return ValueError(r, "a label key");
      p.test = Predicate::Test::kLabelKey;
      p.value = v.text;
      return absl::OkStatus();
    }
    const std::string key(absl::string_view(r.field).substr(kLabelsPrefix.size()));
    if (presence) {
      p.test = Predicate::Test::kLabelKey;
      p.value = key;
      return absl::OkStatus();
    }
    p.label_key = key;
    p.value = v.text;
    if (v.wildcard) {
      if (!IsEqualityOrHas(r.op) && r.op != Comparator::kNe) {
        return OpError(r, "=, != or : with a trailing `*` wildcard");
      }
      p.test = Predicate::Test::kPrefix;
    }
    return absl::OkStatus();
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
    if (!best.empty()) {
      return Error(v.column,
                   absl::StrCat("unknown value ", Quote(v.text), " for `", r.field, "`; did you mean `", best, "`?"),
                   "");
    }
    return ValueError(r, absl::StrCat("one of ", absl::StrJoin(names, ", ")));
  }

  const ResourceKind& kind_;
  absl::string_view field_name_;
};

}  // namespace

absl::StatusOr<CheckedFilter> CheckFilter(const FilterNode& node, const ResourceKind& kind,
                                          absl::string_view field_name) {
  return Checker(kind, field_name).Check(node);
}

}  // namespace modelreg

#include "client/cli/importers/json_value.h"

#include <simdjson.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace modelreg::cli {
namespace {

using google::protobuf::Value;

absl::Status NotJson(absl::string_view why) { return absl::InvalidArgumentError(absl::StrCat("not JSON: ", why)); }

absl::Status Convert(simdjson::dom::element element, int depth, Value* out) {
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      if (depth >= kMaxJsonDepth) return NotJson(absl::StrCat("nested deeper than ", kMaxJsonDepth));
      auto* fields = out->mutable_struct_value()->mutable_fields();
      for (simdjson::dom::key_value_pair field : simdjson::dom::object(element)) {
        Value& value = (*fields)[std::string(field.key)];
        value.Clear();
        if (absl::Status status = Convert(field.value, depth + 1, &value); !status.ok()) return status;
      }
      return absl::OkStatus();
    }
    case simdjson::dom::element_type::ARRAY: {
      if (depth >= kMaxJsonDepth) return NotJson(absl::StrCat("nested deeper than ", kMaxJsonDepth));
      google::protobuf::ListValue* list = out->mutable_list_value();
      for (simdjson::dom::element item : simdjson::dom::array(element)) {
        if (absl::Status status = Convert(item, depth + 1, list->add_values()); !status.ok()) return status;
      }
      return absl::OkStatus();
    }
    case simdjson::dom::element_type::STRING: {
      std::string_view text;
      if (element.get(text) != simdjson::SUCCESS) return NotJson("a bad string");
      out->set_string_value(std::string(text));
      return absl::OkStatus();
    }
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: {
      double number = 0;
      if (element.get(number) != simdjson::SUCCESS) return NotJson("a bad number");
      out->set_number_value(number);
      return absl::OkStatus();
    }
    case simdjson::dom::element_type::BOOL: {
      bool flag = false;
      if (element.get(flag) != simdjson::SUCCESS) return NotJson("a bad boolean");
      out->set_bool_value(flag);
      return absl::OkStatus();
    }
    case simdjson::dom::element_type::NULL_VALUE:
      out->set_null_value(google::protobuf::NULL_VALUE);
      return absl::OkStatus();
  }
  return NotJson("an unknown value");
}

}  // namespace

absl::StatusOr<Value> ParseJsonValue(absl::string_view json) {
  // One parser per thread: its buffers are kept from one model info to the next.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (simdjson::error_code error = parser.parse(json.data(), json.size()).get(root); error != simdjson::SUCCESS) {
    return NotJson(simdjson::error_message(error));
  }
  Value value;
  if (absl::Status status = Convert(root, 0, &value); !status.ok()) return status;
  return value;
}

}  // namespace modelreg::cli

// Every string field of Model and License, found by walking the protobuf descriptors (a field added to the proto is
// covered without editing this test), through the real gRPC API on a real PostgreSQL, one field per record:
// - text full of SQL metacharacters and non-ASCII UTF-8 is stored and read back verbatim (URIs get it after
//   `https://`), unless the field has a syntax of its own (resource names, dates, label keys: kSyntaxFields), which
//   refuses it with INVALID_ARGUMENT naming the field;
// - text holding a NUL byte is refused with INVALID_ARGUMENT naming the field (control characters are never stored:
//   PostgreSQL text cannot hold NUL, and other control characters would reach terminals through the CLI), and
//   nothing is stored;
// never another error, and the tables are intact afterwards.
#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "tests/integration/api/api_test_server.h"

namespace modelreg::testing {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using MR = v1::ModelRegistry::Stub;
using LC = v1::LicenseCatalog::Stub;

const std::string& Metacharacters() {
  static const auto* text =
      new std::string("it's \"q\" \\ %_ $1 ?; '; DROP TABLE models; -- /* x */ \xC3\xA9\xE2\x9C\x93 \xE6\x97\xA5");
  return *text;
}
const std::string& WithNul() {
  static const auto* text = new std::string("a\0b", 3);
  return *text;
}

// Fields, by path with indexes removed (`components.license`), whose values have a syntax that SQL metacharacters
// break: refused with INVALID_ARGUMENT naming the field.
const std::set<std::string>& SyntaxFields() {
  static const auto* fields = new std::set<std::string>{
      "base_model",  // a model resource name
      "weights.license",
      "components.license",  // license resource names
      "data_disclosure.datasets.license",
      "release_date",
      "version_date",                        // YYYY-MM-DD
      "labels.key",                          // label keys: lowercase letters, digits, -_./
      "territorial_restrictions.territory",  // ISO 3166-1 alpha-2 or EU
  };
  return *fields;
}

// Output-only fields: the server sets them (the name from the request's ids, the computed openness assessment),
// whatever the record in the request says.
bool IsOutputOnly(const std::string& generic) {
  return generic == "name" || generic == "etag" || absl::StartsWith(generic, "openness.");
}

bool IsUri(const std::string& path) {
  return absl::EndsWith(path, "uri") || absl::EndsWith(path, "source") || path == "sources";
}

// One string field reached from the record: the chain of fields to it (messages along the way, index 0 of a
// repeated one), and for map fields whether it is the key or the value.
struct Slot {
  std::vector<const FieldDescriptor*> chain;
  std::string path;     // `components[0].license`: how errors name it (`labels` for a key, `labels[k]` for a value)
  std::string generic;  // `components.license`
};

void CollectSlots(const Descriptor* type, const std::vector<const FieldDescriptor*>& chain, const std::string& path,
                  const std::string& generic, int depth, std::vector<Slot>* out) {
  if (depth > 4) return;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    std::vector<const FieldDescriptor*> next = chain;
    next.push_back(field);
    const std::string name = std::string(field->name());
    const std::string at = path.empty() ? name : absl::StrCat(path, ".", name);
    const std::string gen = generic.empty() ? name : absl::StrCat(generic, ".", name);
    if (field->is_map()) {
      const Descriptor* entry = field->message_type();
      for (int k = 0; k < 2; ++k) {  // key, value
        if (entry->field(k)->type() != FieldDescriptor::TYPE_STRING) continue;
        std::vector<const FieldDescriptor*> with = next;
        with.push_back(entry->field(k));
        out->push_back({with, k == 0 ? at : absl::StrCat(at, "[k]"), absl::StrCat(gen, ".", k == 0 ? "key" : "value")});
      }
    } else if (field->type() == FieldDescriptor::TYPE_STRING) {
      out->push_back({next, field->is_repeated() ? absl::StrCat(at, "[0]") : at, gen});
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE &&
               field->message_type()->file()->package() == "modelreg.v1") {
      CollectSlots(field->message_type(), next, field->is_repeated() ? absl::StrCat(at, "[0]") : at, gen, depth + 1,
                   out);
    }
  }
}

// A message added on the way to a slot gets each of its enums set to the first known value and its integers to 1, as
// a real one would have (a component needs its kind, a usage threshold its metric and limit).
void SetRequiredScalars(Message* message) {
  const Descriptor* type = message->GetDescriptor();
  const Reflection* reflection = message->GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->is_repeated()) continue;
    if (field->type() == FieldDescriptor::TYPE_ENUM && field->enum_type()->value_count() > 1) {
      reflection->SetEnum(message, field, field->enum_type()->value(1));
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
      reflection->SetInt64(message, field, 1);
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
      reflection->SetInt32(message, field, 1);
    }
  }
}

// Sets the slot's string in `record` to `value` (adding element 0 of repeated messages on the way).
void SetSlot(Message* record, const Slot& slot, const std::string& value) {
  Message* message = record;
  for (size_t i = 0; i + 1 < slot.chain.size(); ++i) {
    const FieldDescriptor* field = slot.chain[i];
    const Reflection* reflection = message->GetReflection();
    if (field->is_map()) {
      Message* entry = reflection->AddMessage(message, field);
      const FieldDescriptor* leaf = slot.chain.back();
      const FieldDescriptor* other = entry->GetDescriptor()->field(leaf->number() == 1 ? 1 : 0);
      entry->GetReflection()->SetString(entry, leaf, value);
      if (other->type() == FieldDescriptor::TYPE_STRING) entry->GetReflection()->SetString(entry, other, "k");
      return;
    }
    if (!field->is_repeated()) {
      message = reflection->MutableMessage(message, field);
    } else if (reflection->FieldSize(*message, field) > 0) {
      message = reflection->MutableRepeatedMessage(message, field, 0);
    } else {
      message = reflection->AddMessage(message, field);
      SetRequiredScalars(message);
    }
  }
  const FieldDescriptor* leaf = slot.chain.back();
  if (leaf->is_repeated() && message->GetReflection()->FieldSize(*message, leaf) > 0) {
    message->GetReflection()->SetRepeatedString(message, leaf, 0, value);
  } else if (leaf->is_repeated()) {
    message->GetReflection()->AddString(message, leaf, value);
  } else {
    message->GetReflection()->SetString(message, leaf, value);
  }
}

// The slot's string in `record` ("" when absent).
std::string GetSlot(const Message& record, const Slot& slot) {
  const Message* message = &record;
  for (size_t i = 0; i + 1 < slot.chain.size(); ++i) {
    const FieldDescriptor* field = slot.chain[i];
    const Reflection* reflection = message->GetReflection();
    if (field->is_map()) {
      for (int e = 0; e < reflection->FieldSize(*message, field); ++e) {
        const Message& entry = reflection->GetRepeatedMessage(*message, field, e);
        std::string found = entry.GetReflection()->GetString(entry, slot.chain.back());
        if (!found.empty()) return found;
      }
      return "";
    }
    if (field->is_repeated()) {
      if (reflection->FieldSize(*message, field) == 0) return "";
      message = &reflection->GetRepeatedMessage(*message, field, 0);
    } else {
      message = &reflection->GetMessage(*message, field);
    }
  }
  const FieldDescriptor* leaf = slot.chain.back();
  const Reflection* reflection = message->GetReflection();
  if (leaf->is_repeated()) {
    return reflection->FieldSize(*message, leaf) == 0 ? "" : reflection->GetRepeatedString(*message, leaf, 0);
  }
  return reflection->GetString(*message, leaf);
}

class StringFieldsTest : public SharedApiServerTest {
 protected:
  // Runs both values through every slot of `type`. `create` stores a record made by `make` (numbered ids) with the
  // slot set and returns the status; `get` reads it back.
  template <typename Record>
  void CheckEverySlot(const std::string& prefix, const std::function<Record()>& base,
                      const std::function<absl::StatusOr<Record>(const Record&, int)>& create,
                      const std::function<absl::StatusOr<Record>(int)>& get) {
    std::vector<Slot> slots;
    CollectSlots(Record::descriptor(), {}, "", "", 0, &slots);
    ASSERT_GT(slots.size(), 10u) << "the walk found too few string fields";
    int id = 0;
    for (const Slot& slot : slots) {
      if (IsOutputOnly(slot.generic)) continue;
      const bool uri = IsUri(slot.generic);
      const std::string field = absl::StrCat(prefix, ".", slot.path);
      SCOPED_TRACE(field);

      // SQL metacharacters: stored verbatim, or refused naming the field where the field has a syntax.
      // Numbered, as a license alias names one license only.
      const std::string meta = absl::StrCat(uri ? "https://example.com/" : "", Metacharacters(), " ", id + 1);
      Record record = base();
      SetSlot(&record, slot, meta);
      absl::StatusOr<Record> created = create(record, ++id);
      if (SyntaxFields().count(slot.generic) > 0) {
        EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument) << created.status();
        EXPECT_TRUE(absl::StrContains(created.status().message(), field)) << created.status();
      } else {
        EXPECT_TRUE(created.ok()) << created.status();
        absl::StatusOr<Record> read = get(id);
        EXPECT_TRUE(read.ok()) << read.status();
        if (created.ok() && read.ok()) {
          EXPECT_EQ(GetSlot(*read, slot), meta);
          EXPECT_EQ(GetSlot(*created, slot), meta);
        }
      }

      // A NUL byte: refused naming the field, nothing stored.
      record = base();
      SetSlot(&record, slot, uri ? "https://example.com/" + WithNul() : WithNul());
      created = create(record, ++id);
      EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument) << created.status();
      EXPECT_TRUE(absl::StrContains(created.status().message(), field)) << created.status();
      EXPECT_EQ(get(id).status().code(), absl::StatusCode::kNotFound);
      ++checked_;
    }
  }

  int checked_ = 0;
};

TEST_F(StringFieldsTest, ModelStringFieldsKeepMetacharactersAndRefuseNul) {
  const std::string publisher = "strings";
  auto base = [] {
    v1::Model model;
    model.add_sources("https://example.com/model");
    return model;
  };
  auto create = [&](const v1::Model& model, int id) {
    v1::CreateModelRequest request;
    request.set_parent("publishers/" + publisher);
    request.set_model_id(absl::StrCat("m", id));
    *request.mutable_model() = model;
    return Call(server_->models(), &MR::CreateModel, request);
  };
  auto get = [&](int id) {
    v1::GetModelRequest request;
    request.set_name(absl::StrCat("publishers/", publisher, "/models/m", id));
    return Call(server_->models(), &MR::GetModel, request);
  };
  CheckEverySlot<v1::Model>("model", base, create, get);
  EXPECT_GT(checked_, 10);
  std::cout << "model string fields checked: " << checked_ << "\n";

  v1::ListModelsRequest list;
  list.set_parent("publishers/" + publisher);
  list.set_page_size(1000);
  absl::StatusOr<v1::ListModelsResponse> listed = Call(server_->models(), &MR::ListModels, list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_GT(listed->models_size(), 0) << "the models table is intact";
}

TEST_F(StringFieldsTest, LicenseStringFieldsKeepMetacharactersAndRefuseNul) {
  auto base = [] {
    v1::License license;
    license.set_display_name("String fields");
    license.add_sources("https://example.com/license");
    // A territorial restriction needs its territory: the slots inside it change one field of this valid one.
    v1::License::TerritorialRestriction* territorial = license.add_territorial_restrictions();
    territorial->set_territory("EU");
    territorial->set_applies_to(v1::License::TerritorialRestriction::SCOPE_MULTIMODAL_MODELS);
    return license;
  };
  auto create = [&](const v1::License& license, int id) {
    v1::CreateLicenseRequest request;
    request.set_license_id(absl::StrCat("strings-", id));
    *request.mutable_license() = license;
    return Call(server_->licenses(), &LC::CreateLicense, request);
  };
  auto get = [&](int id) {
    v1::GetLicenseRequest request;
    request.set_name(absl::StrCat("licenses/strings-", id));
    return Call(server_->licenses(), &LC::GetLicense, request);
  };
  CheckEverySlot<v1::License>("license", base, create, get);
  EXPECT_GT(checked_, 10);
  std::cout << "license string fields checked: " << checked_ << "\n";

  v1::ListLicensesRequest list;
  list.set_page_size(1000);
  absl::StatusOr<v1::ListLicensesResponse> listed = Call(server_->licenses(), &LC::ListLicenses, list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_GT(listed->licenses_size(), 0) << "the licenses table is intact";
}

}  // namespace
}  // namespace modelreg::testing

#include "server/domain/request_fingerprint.h"

#include <openssl/sha.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/common/errors.h"
#include "server/domain/request_id.h"

namespace modelreg {
namespace {

constexpr char kField[] = "request_id";  // NOLINT(modernize-avoid-c-arrays)

const google::protobuf::FieldDescriptor* RequestIdField(const google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName(kField);
  if (field == nullptr || field->is_repeated() || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return nullptr;
  }
  return field;
}

}  // namespace

std::string RequestIdOf(const google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* field = RequestIdField(request);
  return field == nullptr ? "" : request.GetReflection()->GetString(request, field);
}

absl::StatusOr<std::string> CheckRequestId(absl::string_view id) {
  if (!IsValidRequestId(id)) {
    return InvalidFieldError(kField, absl::StrCat("`", id.substr(0, 80),
                                                  "` is not a UUID (8-4-4-4-12 hex digits, e.g. "
                                                  "`8c0b5e2a-3f4d-4e1b-9a57-2d9f0c6e7b13`)"));
  }
  return NormalizeRequestId(id);
}

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  if (const google::protobuf::FieldDescriptor* field = RequestIdField(*copy); field != nullptr) {
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes = absl::StrCat(request.GetDescriptor()->full_name(), std::string(1, '\0'));
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): OpenSSL's byte buffers
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

}  // namespace modelreg

#include "server/storage/record_codec.h"

#include <array>
#include <cstdint>
#include <cstdio>

#include "absl/base/internal/endian.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/common/json_string.h"

namespace modelreg::storage_internal {

std::string SerializeDeterministic(const google::protobuf::MessageLite& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream string_stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&string_stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

std::string ComputeEtag(absl::string_view record, int64_t revision) {
  // FNV-1a's constants applied to 8-byte little-endian words instead of single bytes (a read computes the etag of
  // every record it returns, so this is on every read path), then a 64-bit finalizer (MurmurHash3's fmix64) so that
  // every input bit reaches every output bit. Stable across processes and machines: etags survive restarts.
  constexpr uint64_t kOffsetBasis = 14695981039346656037ULL;
  constexpr uint64_t kPrime = 1099511628211ULL;
  uint64_t hash = kOffsetBasis;
  auto mix = [&hash](absl::string_view bytes) {
    size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
      hash = (hash ^ absl::little_endian::Load64(bytes.data() + i)) * kPrime;
    }
    for (; i < bytes.size(); ++i) hash = (hash ^ static_cast<unsigned char>(bytes[i])) * kPrime;
  };
  mix(record);
  hash = (hash ^ record.size()) * kPrime;  // so that the record's end is not ambiguous with the revision's digits
  mix(absl::StrCat(revision));
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ULL;
  hash ^= hash >> 33;
  return absl::StrCat(absl::Hex(hash, absl::kZeroPad16));
}

int64_t TimestampToMicros(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() * 1000000 + timestamp.nanos() / 1000;
}

google::protobuf::Timestamp MicrosToTimestamp(int64_t micros) {
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(rest * 1000));
  return timestamp;
}

namespace {

void AppendQuotedElement(absl::string_view value, std::string* out) {
  *out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') *out += '\\';
    *out += c;
  }
  *out += '"';
}

void AppendBigEndian32(uint32_t value, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) *out += static_cast<char>((value >> shift) & 0xFF);
}

}  // namespace

absl::string_view LeadingName(absl::string_view record) {
  // Tag 0x0a (field 1, length-delimited), then the length as a varint.
  if (record.empty() || record[0] != '\x0a') return {};
  size_t length = 0;
  size_t at = 1;
  for (int shift = 0; at < record.size() && shift < 35; shift += 7) {
    const auto byte = static_cast<unsigned char>(record[at++]);
    length |= static_cast<size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return length <= record.size() - at ? record.substr(at, length) : absl::string_view();
  }
  return {};
}

bool DecodeByteaHex(absl::string_view text, std::string* out) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) return false;
  // Every record read passes through here: one table lookup per hex digit (-1: not a hex digit).
  static const std::array<int, 256> kNibble = [] {
    std::array<int, 256> table;
    table.fill(-1);
    for (int i = 0; i < 10; ++i) table['0' + i] = i;
    for (int i = 0; i < 6; ++i) {
      table['a' + i] = 10 + i;
      table['A' + i] = 10 + i;
    }
    return table;
  }();
  const size_t size = (text.size() - 2) / 2;
  out->resize(size);
  const auto* in = reinterpret_cast<const unsigned char*>(text.data() + 2);
  char* dest = out->data();
  int invalid = 0;  // the OR of every nibble: negative once any digit was not hex
  for (size_t o = 0; o < size; ++o) {
    const int high = kNibble[in[2 * o]];
    const int low = kNibble[in[2 * o + 1]];
    invalid |= high | low;
    dest[o] = static_cast<char>((static_cast<unsigned>(high) << 4) | static_cast<unsigned>(low));  // garbage if invalid
  }
  return invalid >= 0;
}

std::string TextArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendQuotedElement(values[i], &out);
  }
  out += '}';
  return out;
}

std::string NullableTextArrayLiteral(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (values[i].has_value()) {
      AppendQuotedElement(*values[i], &out);
    } else {
      out += "NULL";
    }
  }
  out += '}';
  return out;
}

std::string ByteaArrayBinary(const std::vector<std::string>& values) {
  constexpr uint32_t kByteaOid = 17;
  size_t size = 20;
  for (const std::string& value : values) size += 4 + value.size();
  std::string out;
  out.reserve(size);
  AppendBigEndian32(1, &out);  // dimensions
  AppendBigEndian32(0, &out);  // flags: no NULLs
  AppendBigEndian32(kByteaOid, &out);
  AppendBigEndian32(static_cast<uint32_t>(values.size()), &out);
  AppendBigEndian32(1, &out);  // lower bound
  for (const std::string& value : values) {
    AppendBigEndian32(static_cast<uint32_t>(value.size()), &out);
    out += value;
  }
  return out;
}

std::string IntArrayLiteral(const std::vector<int>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    absl::StrAppend(&out, values[i]);
  }
  out += '}';
  return out;
}

std::optional<std::string> EncodeColumn(const ColumnValue& value) {
  struct Encoder {
    std::optional<std::string> operator()(std::monostate) const { return std::nullopt; }
    std::optional<std::string> operator()(const std::string& text) const { return text; }
    std::optional<std::string> operator()(int64_t number) const { return absl::StrCat(number); }
    std::optional<std::string> operator()(bool flag) const { return flag ? "true" : "false"; }
    std::optional<std::string> operator()(const std::vector<int>& numbers) const { return IntArrayLiteral(numbers); }
    std::optional<std::string> operator()(const std::vector<std::string>& texts) const {
      return TextArrayLiteral(texts);
    }
    std::optional<std::string> operator()(const std::map<std::string, std::string>& map) const {
      std::string json = "{";
      for (const auto& [key, text] : map) {
        if (json.size() > 1) json += ',';
        absl::StrAppend(&json, JsonQuote(key), ":", JsonQuote(text));
      }
      return json + "}";
    }
  };
  return std::visit(Encoder(), value);
}

}  // namespace modelreg::storage_internal

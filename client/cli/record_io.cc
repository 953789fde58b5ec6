#include "client/cli/record_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "server/common/yaml_json.h"

namespace modelreg::cli {

absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  const bool is_stdin = path == "-";
  const std::string name = is_stdin ? std::string("standard input") : path;
  auto io_error = [&name](int error, absl::string_view doing) {
    const std::string message = absl::StrCat("cannot ", doing, " ", name, ": ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    if (error == EACCES || error == EPERM) return absl::PermissionDeniedError(message);
    if (error == EISDIR) return absl::InvalidArgumentError(absl::StrCat(name, ": is a directory; expected a file"));
    return absl::InternalError(message);
  };
  auto too_large = [&name, max_bytes] {
    return absl::InvalidArgumentError(absl::StrCat(name, ": larger than the input limit of ", max_bytes,
                                                   " bytes; expected a record or catalog file"));
  };
  int fd = STDIN_FILENO;
  if (!is_stdin) {
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return io_error(errno, "read");
  }
  struct FdCloser {
    int fd;
    bool owned;
    ~FdCloser() {
      if (owned) ::close(fd);
    }
  } closer{fd, !is_stdin};
  struct stat info {};
  if (::fstat(fd, &info) != 0) return io_error(errno, "read");
  if (S_ISDIR(info.st_mode)) return io_error(EISDIR, "read");
  if (S_ISREG(info.st_mode) && static_cast<uint64_t>(info.st_size) > max_bytes) return too_large();
  std::string text;
  // Reads at most max_bytes + 1: one byte more than allowed tells a too-large input, whatever its kind.
  constexpr size_t kChunk = 64 << 10;
  while (true) {
    const size_t want = std::min(kChunk, max_bytes + 1 - text.size());
    const size_t old_size = text.size();
    text.resize(old_size + want);
    const ssize_t got = ::read(fd, text.data() + old_size, want);
    if (got < 0) {
      const int error = errno;
      text.resize(old_size);
      if (error == EINTR) continue;
      return io_error(error, "read");
    }
    text.resize(old_size + static_cast<size_t>(got));
    if (got == 0) break;
    if (text.size() > max_bytes) return too_large();
  }
  return text;
}

absl::Status ParseRecord(const std::string& path, absl::string_view text, google::protobuf::Message* message) {
  absl::Status status = ParseYamlOrJson(text, message);
  if (!status.ok()) return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> TopLevelFields(absl::string_view text,
                                                        const google::protobuf::Descriptor& descriptor) {
  static const std::set<std::string> kSkipped = {"name",        "etag",     "create_time", "update_time",
                                                 "delete_time", "revision", "openness"};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed YAML at line ", e.mark.line + 1, ": ", e.msg));
  }
  std::vector<std::string> fields;
  if (!root.IsMap()) return fields;
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    const google::protobuf::FieldDescriptor* field = descriptor.FindFieldByName(key);
    if (field == nullptr) field = descriptor.FindFieldByCamelcaseName(key);
    if (field == nullptr) {
      for (int i = 0; i < descriptor.field_count(); ++i) {
        if (descriptor.field(i)->json_name() == key) field = descriptor.field(i);
      }
    }
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("'", key, "' is not a field of ", descriptor.name()));
    }
    if (kSkipped.count(field->name()) == 0) fields.push_back(field->name());
  }
  return fields;
}

absl::StatusOr<std::vector<std::string>> ParseUpdateMask(absl::string_view text) {
  std::vector<std::string> paths;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) paths.emplace_back(part);
  }
  if (paths.empty()) return absl::InvalidArgumentError("--update-mask names no fields");
  return paths;
}

}  // namespace modelreg::cli

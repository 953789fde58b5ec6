#include "server/common/limits.h"

#include <algorithm>
#include <atomic>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"

namespace modelreg {
namespace {
std::atomic<int64_t> g_max_message_bytes{kDefaultMaxMessageBytes};
}  // namespace

void SetMaxMessageBytes(int64_t bytes) {
  g_max_message_bytes.store(std::clamp(bytes, kMinMaxMessageBytes, kMaxMaxMessageBytes));
}

int64_t MaxMessageBytes() { return g_max_message_bytes.load(); }

int64_t ResponseRecordBudget() { return MaxMessageBytes() / 4 * 3; }

absl::Status CheckResponseBudget(const std::string& field, int64_t bytes) {
  if (bytes <= ResponseRecordBudget()) return absl::OkStatus();
  return InvalidFieldError(
      field,
      absl::StrCat("the batch's models total ", bytes, " bytes serialized, over the ", ResponseRecordBudget(),
                   " bytes one response may carry (3/4 of the maximum message size); send "
                   "fewer per call"),
      "BATCH_TOO_LARGE");
}

}  // namespace modelreg

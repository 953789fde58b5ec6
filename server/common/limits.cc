#include "server/common/limits.h"

#include <algorithm>
#include <atomic>

namespace modelreg {
namespace {
std::atomic<int64_t> g_max_message_bytes{kDefaultMaxMessageBytes};
}  // namespace

void SetMaxMessageBytes(int64_t bytes) {
  g_max_message_bytes.store(std::clamp(bytes, kMinMaxMessageBytes, kMaxMaxMessageBytes));
}

int64_t MaxMessageBytes() { return g_max_message_bytes.load(); }

int64_t ResponseRecordBudget() { return MaxMessageBytes() / 4 * 3; }

}  // namespace modelreg

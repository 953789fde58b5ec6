// A small thread-safe logger writing timestamped lines to stderr (abseil 20220623 has no absl/log).
#pragma once

#include <sstream>
#include <string>

namespace modelreg {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Lines below this level are dropped. Default kInfo.
void SetMinLogLevel(LogLevel level);

// Writes one line: `2026-11-21T22:00:00.123Z I message`.
void LogLine(LogLevel level, const std::string& message);

namespace internal {
// Collects a message with operator<< and writes it as one line when destroyed.
class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  ~LogMessage() { LogLine(level_, stream_.str()); }
  template <typename T>
  LogMessage& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

inline constexpr LogLevel kLogLevel_DEBUG = LogLevel::kDebug;
inline constexpr LogLevel kLogLevel_INFO = LogLevel::kInfo;
inline constexpr LogLevel kLogLevel_WARNING = LogLevel::kWarning;
inline constexpr LogLevel kLogLevel_ERROR = LogLevel::kError;
}  // namespace internal

}  // namespace modelreg

// `MODELREG_LOG(INFO) << "text";` with DEBUG, INFO, WARNING or ERROR. Prefixed so it cannot collide with the
// LOG_* macros of <syslog.h>.
#define MODELREG_LOG(severity) ::modelreg::internal::LogMessage(::modelreg::internal::kLogLevel_##severity)

// A small thread-safe logger writing timestamped lines to stderr (abseil 20220623 has no absl/log), as text or, with
// `modelregd --log-format json`, one JSON object per line.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace modelreg {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Lines below this level are dropped. Default kInfo.
void SetMinLogLevel(LogLevel level);

// kText: `2026-11-21T22:00:00.123Z I message key=value ...`.
// kJson: `{"time":"2026-11-21T22:00:00.123Z","level":"INFO","message":"...","key":value,...}`, one object per line
// (strings JSON-escaped, invalid UTF-8 replaced by U+FFFD, so every line parses).
enum class LogFormat { kText, kJson };
void SetLogFormat(LogFormat format);

// A structured field of a line: a string, or a number written as is (`numeric`, e.g. a duration in seconds).
struct LogField {
  std::string key;
  std::string value;
  bool numeric = false;
};

// Writes one line in the format set (default text).
void LogLine(LogLevel level, const std::string& message, const std::vector<LogField>& fields = {});

// Limits how often one call site may write: at most `lines` per `window`; the rest are counted, and the count is
// reported on the site's next line that is written ("N similar lines suppressed"). Failure paths that repeat under
// load (a lost database, a flood of bad requests) thereby cannot fill the disk or drown other lines. Thread-safe.
class LogRateLimiter {
 public:
  LogRateLimiter(int lines, absl::Duration window) : lines_(lines), window_(window) {}
  // Whether a line of the site `file`:`line` may be written at `now`; when it may, `*suppressed` is the number of
  // the site's lines dropped since its last written one.
  bool Admit(const char* file, int line, absl::Time now, int64_t* suppressed);

 private:
  struct Site {
    absl::Time window_start = absl::InfinitePast();
    int written = 0;
    int64_t suppressed = 0;
  };
  const int lines_;
  const absl::Duration window_;
  std::mutex mutex_;
  std::map<std::pair<const char*, int>, Site> sites_;
};

// Warnings and errors pass through one limiter: 10 lines per call site per 10 seconds.
void LogLineFromSite(LogLevel level, const char* file, int line, const std::string& message);

namespace internal {
// Collects a message with operator<< and writes it as one line when destroyed.
class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line) : level_(level), file_(file), line_(line) {}
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  ~LogMessage() { LogLineFromSite(level_, file_, line_, stream_.str()); }
  template <typename T>
  LogMessage& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  LogLevel level_;
  const char* file_;
  int line_;
  std::ostringstream stream_;
};

inline constexpr LogLevel kLogLevel_DEBUG = LogLevel::kDebug;
inline constexpr LogLevel kLogLevel_INFO = LogLevel::kInfo;
inline constexpr LogLevel kLogLevel_WARNING = LogLevel::kWarning;
inline constexpr LogLevel kLogLevel_ERROR = LogLevel::kError;
}  // namespace internal

}  // namespace modelreg

// `MODELREG_LOG(INFO) << "text";` with DEBUG, INFO, WARNING or ERROR. Prefixed so it cannot collide with the
// LOG_* macros of <syslog.h>. WARNING and ERROR lines are rate-limited per call site (LogRateLimiter).
#define MODELREG_LOG(severity) \
  ::modelreg::internal::LogMessage(::modelreg::internal::kLogLevel_##severity, __FILE__, __LINE__)

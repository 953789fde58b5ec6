#include "server/common/logging.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/common/json_string.h"

namespace modelreg {
namespace {
std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<LogFormat> g_format{LogFormat::kText};
std::mutex g_mutex;

char LevelChar(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return 'D';
    case LogLevel::kInfo:
      return 'I';
    case LogLevel::kWarning:
      return 'W';
    case LogLevel::kError:
      return 'E';
  }
  return '?';
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

}  // namespace

bool LogRateLimiter::Admit(const char* file, int line, absl::Time now, int64_t* suppressed) {
  std::lock_guard<std::mutex> lock(mutex_);
  Site& site = sites_[{file, line}];
  if (now - site.window_start >= window_) {
    site.window_start = now;
    site.written = 0;
  }
  if (site.written >= lines_) {
    ++site.suppressed;
    return false;
  }
  ++site.written;
  *suppressed = site.suppressed;
  site.suppressed = 0;
  return true;
}

void LogLineFromSite(LogLevel level, const char* file, int line, const std::string& message) {
  if (level < LogLevel::kWarning) {
    LogLine(level, message);
    return;
  }
  static LogRateLimiter* const limiter = new LogRateLimiter(10, absl::Seconds(10));
  int64_t suppressed = 0;
  if (!limiter->Admit(file, line, absl::Now(), &suppressed)) return;
  if (suppressed == 0) {
    LogLine(level, message);
  } else {
    LogLine(level, message + " (" + std::to_string(suppressed) + " similar lines suppressed)");
  }
}

void SetMinLogLevel(LogLevel level) { g_min_level.store(static_cast<int>(level)); }

void SetLogFormat(LogFormat format) { g_format.store(format); }

void LogLine(LogLevel level, const std::string& message, const std::vector<LogField>& fields) {
  if (static_cast<int>(level) < g_min_level.load()) {
    return;
  }
  const std::string time = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (g_format.load() == LogFormat::kJson) {
    line =
        "{\"time\":\"" + time + "\",\"level\":\"" + LevelName(level) + "\",\"message\":\"" + JsonEscape(message) + "\"";
    for (const LogField& field : fields) {
      line += ",\"" + JsonEscape(field.key) + "\":";
      line += field.numeric ? field.value : "\"" + JsonEscape(field.value) + "\"";
    }
    line += "}";
  } else {
    line = time + " " + LevelChar(level) + " " + message;
    for (const LogField& field : fields) line += " " + field.key + "=" + field.value;
  }
  line += "\n";
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace modelreg

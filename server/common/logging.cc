#include "server/common/logging.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"

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

// The length of the valid UTF-8 sequence starting at `s[i]`, or 0 when it is not one (RFC 3629: no overlongs, no
// surrogates, at most U+10FFFF).
size_t Utf8SequenceLength(const std::string& s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    const unsigned char next = byte(i + k);
    if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return 0;
  }
  return length;
}
}  // namespace

std::string JsonEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(text, i, length);
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

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

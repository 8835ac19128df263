// Structured logs: one JSON object per line, {"ts":…,"level":…,"event":…, fields…}, to stderr or a
// sink passed in. Values are escaped JSON strings or numbers; nothing is ever interpolated into the
// event name. ID numbers (身份证号) never appear in clear: log them through MaskId().
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "server/clock.h"

namespace yibao {

// 110101199003071234 → 110101********1234 (18 characters: the first 6 and the last 4 stay, the
// region and the check digits; the birth date and sequence go). Longer strings likewise keep the
// first 6 and last 4. Shorter strings keep only the last 2; 1–2 characters are masked entirely, so
// the whole value is never shown. Counts characters (UTF-8 code points), so the result stays valid
// UTF-8.
std::string MaskId(std::string_view certno);

enum class LogLevel { kDebug, kInfo, kWarn, kError };
std::string_view LogLevelName(LogLevel level);

// One `key: value` of a log line; implicitly built from strings and integers.
class LogField {
 public:
  LogField(std::string_view key, std::string_view value) : key_(key), text_(value) {}
  LogField(std::string_view key, const char* value) : key_(key), text_(value) {}
  LogField(std::string_view key, const std::string& value) : key_(key), text_(value) {}
  LogField(std::string_view key, int64_t value) : key_(key), number_(value), is_number_(true) {}
  LogField(std::string_view key, int value) : LogField(key, int64_t(value)) {}
  LogField(std::string_view key, uint64_t value) : LogField(key, int64_t(value)) {}
  LogField(std::string_view key, unsigned value) : LogField(key, int64_t(value)) {}

  std::string_view key() const { return key_; }
  void AppendValue(std::string& out) const;

 private:
  std::string_view key_;
  std::string_view text_;
  int64_t number_ = 0;
  bool is_number_ = false;
};

class Logger {
 public:
  // Receives each line, '\n' included. Must be thread-safe: every I/O thread logs.
  using Sink = std::function<void(std::string_view line)>;

  // Writes to stderr with one fwrite per line (lines from different threads never interleave).
  Logger();
  // `clock` (not owned) stamps the lines; null means the system clock.
  explicit Logger(Sink sink, LogLevel min_level = LogLevel::kInfo, const Clock* clock = nullptr);

  bool Enabled(LogLevel level) const { return level >= min_level_; }
  void Log(LogLevel level, std::string_view event,
           std::initializer_list<LogField> fields = {}) const;

  // The line Log() would write (tests, and sinks that batch).
  std::string Format(LogLevel level, std::string_view event,
                     std::initializer_list<LogField> fields) const;

 private:
  Sink sink_;
  LogLevel min_level_;
  const Clock* clock_;
};

}  // namespace yibao

// Wall-clock time for the shell. The core never reads a clock; the server asks a `Clock` for the
// receive and respond times of each message, so tests can fix time and get byte-exact replies.
// Times are shown in China Standard Time (UTC+8, no daylight saving), as the national platform
// does.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace yibao {

class Clock {
 public:
  virtual ~Clock() = default;
  // Thread-safe: called from every I/O thread.
  virtual std::chrono::system_clock::time_point Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
  static const SystemClock& Instance();
};

// A clock that says what it is told (tests). Set() may be called while other threads read it.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point t) : t_(t) {}
  std::chrono::system_clock::time_point Now() const override { return t_.load(); }
  void Set(std::chrono::system_clock::time_point t) { t_.store(t); }

 private:
  std::atomic<std::chrono::system_clock::time_point> t_;
};

// "YYYY-MM-DD HH:MM:SS" in UTC+8 (the format of inf_time, refmsg_time and respond_time).
std::string FormatTime(std::chrono::system_clock::time_point t);
void AppendTime(std::string& out, std::chrono::system_clock::time_point t);
// "YYYYMMDDHHMMSS" in UTC+8 (the timestamp inside a message id).
void AppendCompactTime(std::string& out, std::chrono::system_clock::time_point t);
// "YYYY-MM-DDTHH:MM:SS.mmm+08:00" (log lines).
void AppendLogTime(std::string& out, std::chrono::system_clock::time_point t);

// Reads "YYYY-MM-DD HH:MM:SS" as UTC+8; nullopt unless exactly that shape and a real date and time.
std::optional<std::chrono::system_clock::time_point> ParseTime(std::string_view s);

}  // namespace yibao

#include "server/log.h"

#include <fmt/format.h>

#include <cstdio>
#include <iterator>

#include "interface/bill_json.h"

namespace yibao {

std::string MaskId(std::string_view certno) {
  std::string out;
  size_t chars = 0;
  for (unsigned char c : certno) chars += (c & 0xC0) != 0x80;
  size_t keep_head = 0, keep_tail = 0;
  if (chars >= 18) {
    keep_head = 6;
    keep_tail = 4;
  } else if (chars > 2) {
    keep_tail = 2;
  }
  out.reserve(certno.size());
  size_t index = 0;  // code point index
  for (size_t i = 0; i < certno.size();) {
    size_t len = 1;
    while (i + len < certno.size() && (static_cast<unsigned char>(certno[i + len]) & 0xC0) == 0x80)
      ++len;
    if (index < keep_head || index >= chars - keep_tail)
      out.append(certno.substr(i, len));
    else
      out.push_back('*');
    i += len;
    ++index;
  }
  return out;
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

void LogField::AppendValue(std::string& out) const {
  if (is_number_)
    fmt::format_to(std::back_inserter(out), "{}", number_);
  else
    AppendJsonString(out, text_);
}

Logger::Logger()
    : Logger([](std::string_view line) { std::fwrite(line.data(), 1, line.size(), stderr); }) {}

Logger::Logger(Sink sink, LogLevel min_level, const Clock* clock)
    : sink_(std::move(sink)),
      min_level_(min_level),
      clock_(clock ? clock : &SystemClock::Instance()) {}

std::string Logger::Format(LogLevel level, std::string_view event,
                           std::initializer_list<LogField> fields) const {
  std::string line;
  line.reserve(128);
  line += "{\"ts\":\"";
  AppendLogTime(line, clock_->Now());
  line += "\",\"level\":\"";
  line += LogLevelName(level);
  line += "\",\"event\":";
  AppendJsonString(line, event);
  for (const LogField& f : fields) {
    line.push_back(',');
    AppendJsonString(line, f.key());
    line.push_back(':');
    f.AppendValue(line);
  }
  line += "}\n";
  return line;
}

void Logger::Log(LogLevel level, std::string_view event,
                 std::initializer_list<LogField> fields) const {
  if (!Enabled(level)) return;
  sink_(Format(level, event, fields));
}

}  // namespace yibao

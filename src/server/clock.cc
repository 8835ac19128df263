#include "server/clock.h"

#include <fmt/format.h>

#include <iterator>

namespace yibao {
namespace {

using std::chrono::system_clock;
constexpr std::chrono::hours kChinaOffset{8};

struct CivilTime {
  int year;
  unsigned month, day, hour, minute, second, millisecond;
};

CivilTime ToCivil(system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = floor<milliseconds>(t) + kChinaOffset;
  auto day = floor<days>(ms);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> hms{ms - day};
  return {int(ymd.year()),
          unsigned(ymd.month()),
          unsigned(ymd.day()),
          unsigned(hms.hours().count()),
          unsigned(hms.minutes().count()),
          unsigned(hms.seconds().count()),
          unsigned(hms.subseconds().count())};
}

}  // namespace

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

void AppendTime(std::string& out, system_clock::time_point t) {
  CivilTime c = ToCivil(t);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02} {:02}:{:02}:{:02}", c.year, c.month,
                 c.day, c.hour, c.minute, c.second);
}

std::string FormatTime(system_clock::time_point t) {
  std::string s;
  AppendTime(s, t);
  return s;
}

void AppendCompactTime(std::string& out, system_clock::time_point t) {
  CivilTime c = ToCivil(t);
  fmt::format_to(std::back_inserter(out), "{:04}{:02}{:02}{:02}{:02}{:02}", c.year, c.month, c.day,
                 c.hour, c.minute, c.second);
}

void AppendLogTime(std::string& out, system_clock::time_point t) {
  CivilTime c = ToCivil(t);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+08:00", c.year,
                 c.month, c.day, c.hour, c.minute, c.second, c.millisecond);
}

std::optional<system_clock::time_point> ParseTime(std::string_view s) {
  using namespace std::chrono;
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  auto num = [&](size_t at, size_t len, int& out) {
    out = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) ||
      !num(17, 2, se))
    return std::nullopt;
  year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} - kChinaOffset;
}

}  // namespace yibao

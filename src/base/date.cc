#include "base/date.h"

#include <cstdio>

namespace yibao {
namespace {

// Howard Hinnant's days-from-civil arithmetic (public-domain algorithm, re-derived here).
int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int32_t(doe) - 719468;
}

void CivilFromDays(int32_t z, int& y, int& m, int& d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = int(doy - (153 * mp + 2) / 5 + 1);
  m = int(mp < 10 ? mp + 3 : mp - 9);
  y = int(yoe) + era * 400 + (m <= 2);
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool Digits(std::string_view t, size_t pos, size_t n, int& out) {
  if (pos + n > t.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    out = out * 10 + (t[i] - '0');
  }
  return true;
}

}  // namespace

Date Date::FromYmd(int year, int month, int day) {
  return Date(DaysFromCivil(year, unsigned(month), unsigned(day)));
}

std::optional<Date> Date::Parse(std::string_view t) {
  int y, m, d;
  if (t.size() < 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  if (!Digits(t, 0, 4, y) || !Digits(t, 5, 2, m) || !Digits(t, 8, 2, d)) return std::nullopt;
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m))
    return std::nullopt;
  if (t.size() != 10) {
    int hh, mm, ss;
    if (t.size() != 19 || (t[10] != ' ' && t[10] != 'T') || t[13] != ':' || t[16] != ':' ||
        !Digits(t, 11, 2, hh) || !Digits(t, 14, 2, mm) || !Digits(t, 17, 2, ss) || hh > 23 ||
        mm > 59 || ss > 59)
      return std::nullopt;
  }
  return FromYmd(y, m, d);
}

int Date::year() const {
  int y, m, d;
  CivilFromDays(days_, y, m, d);
  return y;
}
int Date::month() const {
  int y, m, d;
  CivilFromDays(days_, y, m, d);
  return m;
}
int Date::day() const {
  int y, m, d;
  CivilFromDays(days_, y, m, d);
  return d;
}

std::string Date::ToString() const {
  int y, m, d;
  CivilFromDays(days_, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

int AgeInYears(Date birthday, Date on) {
  int by, bm, bd, y, m, d;
  CivilFromDays(birthday.days(), by, bm, bd);
  CivilFromDays(on.days(), y, m, d);
  int age = y - by;
  if (m < bm || (m == bm && d < bd)) --age;
  return age;
}

}  // namespace yibao

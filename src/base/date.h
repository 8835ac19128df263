// Calendar dates (proleptic Gregorian) as a day number; no clock is ever read in the core.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yibao {

class Date {
 public:
  constexpr Date() = default;
  static Date FromYmd(int year, int month, int day);                   // caller guarantees validity
  static constexpr Date FromDays(int32_t days) { return Date(days); }  // since 1970-01-01
  // "2025-03-01", optionally followed by " HH:MM:SS" or "THH:MM:SS" (the national interface sends
  // datetimes; only the day matters to settlement). Years 1900..2200.
  static std::optional<Date> Parse(std::string_view text);
  static constexpr Date Max() { return Date(1 << 30); }
  static constexpr Date Min() { return Date(-(1 << 30)); }

  constexpr int32_t days() const { return days_; }  // days since 1970-01-01
  int year() const;
  int month() const;
  int day() const;
  std::string ToString() const;  // YYYY-MM-DD
  constexpr auto operator<=>(const Date&) const = default;
  constexpr int32_t operator-(Date o) const { return days_ - o.days_; }

 private:
  constexpr explicit Date(int32_t d) : days_(d) {}
  int32_t days_ = 0;
};

constexpr Date PlusDays(Date d, int32_t n) { return Date::FromDays(d.days() + n); }

// Completed years of age on `on` for someone born on `birthday` (a 29 Feb birthday counts from 1
// Mar in common years). Negative if `on` precedes the birthday.
int AgeInYears(Date birthday, Date on);

}  // namespace yibao

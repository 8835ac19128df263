// Ratio: an exact proportion in parts per million (ppm), e.g. 80% = 800'000, 11.2% = 112'000.
//
// Why ppm and not a double: reimbursement ratios, 先行自付 shares, retiree multipliers and point
// adjustments combine (0.8 × 14% = 11.2%, 90% − 10 points) and must give the same fen on every
// machine. Every published ratio has at most four decimals of a percent, so ppm is exact for them.
//
// Rounding (documented, the only rounding in yibao): Apply() rounds half-up (half away from zero)
// to the fen. Times() of two ratios rounds half-up to the ppm.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/money.h"

namespace yibao {

class Ratio {
 public:
  static constexpr int64_t kOne = 1'000'000;
  // Factors such as "deductible × 2" need ratios above 1; nothing sane is above 100×.
  static constexpr int64_t kMaxAbsPpm = 100 * kOne;

  constexpr Ratio() = default;
  static constexpr Ratio Ppm(int64_t ppm) { return Ratio(ppm); }
  static constexpr Ratio Percent(int64_t pct) { return Ratio(pct * 10'000); }
  static constexpr Ratio Points(int64_t pts) { return Ratio(pts * 10'000); }  // 1 point = 1%
  static constexpr Ratio Zero() { return Ratio(0); }
  static constexpr Ratio One() { return Ratio(kOne); }

  constexpr int64_t ppm() const { return ppm_; }
  constexpr bool is_zero() const { return ppm_ == 0; }
  constexpr Ratio Complement() const { return Ratio(kOne - ppm_); }  // 1 − r
  constexpr Ratio operator+(Ratio o) const { return Ratio(ppm_ + o.ppm_); }
  constexpr Ratio operator-(Ratio o) const { return Ratio(ppm_ - o.ppm_); }
  constexpr auto operator<=>(const Ratio&) const = default;

  // amount × ratio, half-up to the fen.
  Money Apply(Money amount) const;
  // this × other, half-up to the ppm.
  Ratio Times(Ratio other) const;
  Ratio Clamp(Ratio lo, Ratio hi) const { return *this < lo ? lo : (hi < *this ? hi : *this); }

  // "80%", "12.5%", "0.8", "1", "-10%" (points adjustments). At most 4 decimals of a percent
  // (6 of a fraction); anything else is rejected.
  static std::optional<Ratio> Parse(std::string_view text);
  // "80%", "11.2%", "-10%": shortest exact percent form.
  std::string ToString() const;

 private:
  constexpr explicit Ratio(int64_t ppm) : ppm_(ppm) {}
  int64_t ppm_ = 0;
};

// amount × num ÷ den, half-up to the fen (den > 0). Used for proportional splits of a fee line.
Money MulDivHalfUp(Money amount, int64_t num, int64_t den);

}  // namespace yibao

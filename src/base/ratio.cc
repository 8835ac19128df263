#include "base/ratio.h"

#include <cassert>

namespace yibao {
namespace {

// n ÷ d rounded half away from zero; d > 0.
int64_t DivHalfUp(__int128 n, __int128 d) {
  if (n >= 0) return int64_t((n + d / 2) / d);
  return -int64_t((-n + d / 2) / d);
}

}  // namespace

Money Ratio::Apply(Money amount) const {
  return Money::Fen(DivHalfUp(__int128(amount.fen()) * ppm_, kOne));
}

Ratio Ratio::Times(Ratio other) const {
  return Ratio(DivHalfUp(__int128(ppm_) * other.ppm_, kOne));
}

Money MulDivHalfUp(Money amount, int64_t num, int64_t den) {
  assert(den > 0);
  return Money::Fen(DivHalfUp(__int128(amount.fen()) * num, den));
}

std::optional<Ratio> Ratio::Parse(std::string_view t) {
  if (t.empty()) return std::nullopt;
  bool percent = t.back() == '%';
  if (percent) t.remove_suffix(1);
  bool negative = false;
  size_t i = 0;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    i = 1;
  }
  // Scale so that the parsed decimal becomes ppm: a percent has 4 usable decimals, a fraction 6.
  const int max_frac = percent ? 4 : 6;
  int64_t whole = 0;
  int digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    if (whole > 1'000'000) return std::nullopt;
    whole = whole * 10 + (t[i] - '0');
    ++digits;
    ++i;
  }
  int64_t frac = 0;
  int frac_digits = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (frac_digits == max_frac) return std::nullopt;
      frac = frac * 10 + (t[i] - '0');
      ++frac_digits;
      ++i;
    }
    if (frac_digits == 0) return std::nullopt;
  }
  if (i != t.size() || digits == 0) return std::nullopt;
  for (int k = frac_digits; k < max_frac; ++k) frac *= 10;
  int64_t unit = percent ? 10'000 : kOne;
  int64_t ppm = whole * unit + frac;
  if (ppm > kMaxAbsPpm) return std::nullopt;
  return Ratio(negative ? -ppm : ppm);
}

std::string Ratio::ToString() const {
  // ppm → percent with up to 4 decimals, trailing zeros trimmed.
  int64_t v = ppm_ < 0 ? -ppm_ : ppm_;
  std::string s = ppm_ < 0 ? "-" : "";
  s += std::to_string(v / 10'000);
  int64_t frac = v % 10'000;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, 4 - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    s += "." + f;
  }
  s += "%";
  return s;
}

}  // namespace yibao

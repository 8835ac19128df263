#include "base/ratio.h"

#include <cassert>

#include "base/decimal.h"

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
  // A percent with 4 decimals and a fraction with 6 are both exactly parts per million.
  bool percent = !t.empty() && t.back() == '%';
  if (percent) t.remove_suffix(1);
  auto ppm = ParseScaledDecimal(
      t, {.decimals = percent ? 4 : 6, .limit = kMaxAbsPpm, .allow_negative = true});
  if (!ppm) return std::nullopt;
  return Ratio(*ppm);
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

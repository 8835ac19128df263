#include "base/quantity.h"

namespace yibao {
namespace {

// Non-negative decimal with at most `max_frac` decimals, scaled by 10^max_frac; ≤ limit.
std::optional<int64_t> ParseScaled(std::string_view t, int max_frac, int64_t limit) {
  size_t i = 0;
  if (!t.empty() && t[0] == '+') i = 1;
  int64_t whole = 0;
  int digits = 0;
  int64_t scale = 1;
  for (int k = 0; k < max_frac; ++k) scale *= 10;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    if (whole > limit / scale) return std::nullopt;
    whole = whole * 10 + (t[i] - '0');
    ++digits;
    ++i;
  }
  int64_t frac = 0;
  int frac_digits = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (frac_digits == max_frac) {
        if (t[i] != '0') return std::nullopt;  // trailing zeros beyond the precision are harmless
        ++i;
        continue;
      }
      frac = frac * 10 + (t[i] - '0');
      ++frac_digits;
      ++i;
    }
  }
  if (i != t.size() || digits == 0) return std::nullopt;
  for (int k = frac_digits; k < max_frac; ++k) frac *= 10;
  int64_t v = whole * scale + frac;
  if (v > limit) return std::nullopt;
  return v;
}

std::string FormatScaled(int64_t v, int decimals) {
  int64_t scale = 1;
  for (int k = 0; k < decimals; ++k) scale *= 10;
  std::string s = std::to_string(v / scale);
  int64_t frac = v % scale;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, size_t(decimals) - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    s += "." + f;
  }
  return s;
}

}  // namespace

std::optional<Quantity> Quantity::Parse(std::string_view t) {
  auto v = ParseScaled(t, 4, kMax);
  if (!v) return std::nullopt;
  return Quantity(*v);
}
std::string Quantity::ToString() const { return FormatScaled(scaled_, 4); }

std::optional<UnitPrice> UnitPrice::Parse(std::string_view t) {
  auto v = ParseScaled(t, 6, kMax);
  if (!v) return std::nullopt;
  return UnitPrice(*v);
}
std::string UnitPrice::ToString() const { return FormatScaled(micro_, 6); }

Money LineAmount(UnitPrice price, Quantity count) {
  // micro-yuan × (cnt × 10^4) = 10^-10 yuan = 10^-8 fen.
  __int128 p = __int128(price.micro_yuan()) * count.scaled();
  const __int128 d = 100'000'000;
  return Money::Fen(int64_t((p + d / 2) / d));
}

}  // namespace yibao

#include "base/decimal.h"

namespace yibao {

std::optional<int64_t> ParseScaledDecimal(std::string_view t, const DecimalFormat& f) {
  bool negative = false;
  size_t i = 0;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    negative = t[0] == '-';
    if (negative && !f.allow_negative) return std::nullopt;
    i = 1;
  }
  int64_t scale = 1;
  for (int k = 0; k < f.decimals; ++k) scale *= 10;
  int64_t whole = 0;
  int whole_digits = 0;
  for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++whole_digits) {
    if (whole > f.limit / scale) return std::nullopt;  // also keeps the next step from overflowing
    whole = whole * 10 + (t[i] - '0');
  }
  int64_t frac = 0;
  int frac_digits = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int seen = 0;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++seen) {
      if (frac_digits == f.decimals) {
        if (t[i] != '0' || !f.allow_extra_zeros) return std::nullopt;  // never round on input
        continue;
      }
      frac = frac * 10 + (t[i] - '0');
      ++frac_digits;
    }
    if (seen == 0) return std::nullopt;
  }
  if (i != t.size() || whole_digits == 0) return std::nullopt;
  for (int k = frac_digits; k < f.decimals; ++k) frac *= 10;
  int64_t v = whole * scale + frac;
  if (v > f.limit) return std::nullopt;
  return negative ? -v : v;
}

std::string FormatScaledDecimal(int64_t scaled, int decimals) {
  uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  // Magnitude in unsigned arithmetic: INT64_MIN has no positive counterpart.
  const uint64_t magnitude = scaled < 0 ? 0 - uint64_t(scaled) : uint64_t(scaled);
  std::string s = (scaled < 0 ? "-" : "") + std::to_string(magnitude / scale);
  uint64_t frac = magnitude % scale;
  if (frac == 0) return s;
  std::string f = std::to_string(frac);
  f.insert(0, size_t(decimals) - f.size(), '0');
  while (f.back() == '0') f.pop_back();
  return s + "." + f;
}

}  // namespace yibao

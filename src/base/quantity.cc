#include "base/quantity.h"

#include "base/decimal.h"

namespace yibao {
namespace {

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
  auto v = ParseScaledDecimal(t, {.decimals = 4, .limit = kMax, .allow_extra_zeros = true});
  if (!v) return std::nullopt;
  return Quantity(*v);
}
std::string Quantity::ToString() const { return FormatScaled(scaled_, 4); }

std::optional<UnitPrice> UnitPrice::Parse(std::string_view t) {
  auto v = ParseScaledDecimal(t, {.decimals = 6, .limit = kMax, .allow_extra_zeros = true});
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

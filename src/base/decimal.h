// Exact parsing of decimal text into a scaled integer: the one parser behind Money, Ratio, Quantity
// and UnitPrice, so that "12.34" means the same everywhere and is never rounded on input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yibao {

struct DecimalFormat {
  int decimals = 2;   // the value is returned × 10^decimals
  int64_t limit = 0;  // |scaled value| ≤ limit
  bool allow_negative = false;
  bool allow_extra_zeros = false;  // "1.50000" for 2 decimals: digits past `decimals` if all zero
};

// "[+|-]digits[.digits]": at least one digit before the point and one after it if there is a point.
// nullopt when malformed, when a nonzero digit lies beyond `decimals`, or beyond `limit`.
std::optional<int64_t> ParseScaledDecimal(std::string_view text, const DecimalFormat& format);

// The shortest text of `scaled` ÷ 10^decimals: no trailing zeros, no point for a whole number
// ("1.25", "3", "-0.5"). For figures that are not money (weights, points, scores); money prints
// with exactly two decimals (Money::ToString).
std::string FormatScaledDecimal(int64_t scaled, int decimals);

}  // namespace yibao

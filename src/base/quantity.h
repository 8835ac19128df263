// Quantity (`cnt`) and unit price (`pric`) of a fee line, as exact decimals.
//
// The national interface sends cnt with up to 4 decimals and pric with up to 6 (prices per tablet
// or per millilitre are often fractions of a fen), so neither fits in Money. The line amount
// `det_item_fee_sumamt` is pric × cnt rounded half-up to the fen (LineAmount).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/money.h"

namespace yibao {

class Quantity {
 public:
  static constexpr int64_t kScale = 10'000;              // 4 decimals
  static constexpr int64_t kMax = 100'000'000 * kScale;  // 1 亿 units on one line is already absurd

  constexpr Quantity() = default;
  static constexpr Quantity Units(int64_t n) { return Quantity(n * kScale); }
  static constexpr Quantity Raw(int64_t scaled) { return Quantity(scaled); }
  constexpr int64_t scaled() const { return scaled_; }
  constexpr auto operator<=>(const Quantity&) const = default;
  constexpr Quantity operator-(Quantity o) const { return Quantity(scaled_ - o.scaled_); }

  static std::optional<Quantity> Parse(std::string_view text);  // non-negative, ≤ 4 decimals
  std::string ToString() const;

 private:
  constexpr explicit Quantity(int64_t s) : scaled_(s) {}
  int64_t scaled_ = 0;
};

class UnitPrice {
 public:
  static constexpr int64_t kScale = 1'000'000;           // micro-yuan: 6 decimals of a yuan
  static constexpr int64_t kMax = 100'000'000 * kScale;  // 1 亿元 per unit

  constexpr UnitPrice() = default;
  static constexpr UnitPrice MicroYuan(int64_t v) { return UnitPrice(v); }
  static constexpr UnitPrice FromMoney(Money m) { return UnitPrice(m.fen() * 10'000); }
  constexpr int64_t micro_yuan() const { return micro_; }
  constexpr auto operator<=>(const UnitPrice&) const = default;
  constexpr UnitPrice operator-(UnitPrice o) const { return UnitPrice(micro_ - o.micro_); }

  static std::optional<UnitPrice> Parse(std::string_view text);  // non-negative, ≤ 6 decimals
  std::string ToString() const;

 private:
  constexpr explicit UnitPrice(int64_t v) : micro_(v) {}
  int64_t micro_ = 0;
};

// pric × cnt, half-up to the fen.
Money LineAmount(UnitPrice price, Quantity count);

}  // namespace yibao

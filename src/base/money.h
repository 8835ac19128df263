// Money: an exact amount in fen (0.01 元), the only representation of money in yibao.
//
// Why int64 fen: every figure a bureau publishes is to the fen, and a bill must balance to the fen,
// so no floating point ever touches an amount. Amounts are bounded by kMaxAbsFen so that products
// with ratios (see ratio.h) never overflow even in 64 bits; parsing rejects anything larger.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yibao {

class Money {
 public:
  // 10^13 fen = 1000 亿元: far above any visit, annual cap or fund flow of one pool in one call.
  static constexpr int64_t kMaxAbsFen = 10'000'000'000'000;

  constexpr Money() = default;
  static constexpr Money Fen(int64_t fen) { return Money(fen); }
  static constexpr Money Yuan(int64_t yuan) { return Money(yuan * 100); }
  static constexpr Money Zero() { return Money(0); }

  constexpr int64_t fen() const { return fen_; }
  constexpr bool is_zero() const { return fen_ == 0; }
  constexpr bool is_negative() const { return fen_ < 0; }

  constexpr Money operator+(Money o) const { return Money(fen_ + o.fen_); }
  constexpr Money operator-(Money o) const { return Money(fen_ - o.fen_); }
  constexpr Money operator-() const { return Money(-fen_); }
  constexpr Money& operator+=(Money o) {
    fen_ += o.fen_;
    return *this;
  }
  constexpr Money& operator-=(Money o) {
    fen_ -= o.fen_;
    return *this;
  }
  constexpr auto operator<=>(const Money&) const = default;

  // "1234.50", "-0.07": always two decimals, no grouping.
  std::string ToString() const;
  // Appends ToString() without allocating a temporary (hot path of the bill writer).
  void AppendTo(std::string& out) const;

  // Exact decimal parse of yuan: "12", "12.3", "12.34", "-5.00", "+1". More than two decimals,
  // exponents, spaces or |value| > kMaxAbsFen are rejected (nullopt): money is never rounded on
  // input.
  static std::optional<Money> ParseYuan(std::string_view text);

 private:
  constexpr explicit Money(int64_t fen) : fen_(fen) {}
  int64_t fen_ = 0;
};

constexpr Money Min(Money a, Money b) { return a < b ? a : b; }
constexpr Money Max(Money a, Money b) { return a < b ? b : a; }

}  // namespace yibao

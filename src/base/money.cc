#include "base/money.h"

#include "base/decimal.h"

namespace yibao {

void Money::AppendTo(std::string& out) const {
  char buf[32];
  int n = 0;
  uint64_t v = fen_ < 0 ? uint64_t(0) - uint64_t(fen_) : uint64_t(fen_);
  // Digits in reverse: two decimals, the point, then at least one integer digit.
  buf[n++] = char('0' + v % 10);
  v /= 10;
  buf[n++] = char('0' + v % 10);
  v /= 10;
  buf[n++] = '.';
  do {
    buf[n++] = char('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (fen_ < 0) buf[n++] = '-';
  while (n > 0) out.push_back(buf[--n]);
}

std::string Money::ToString() const {
  std::string s;
  AppendTo(s);
  return s;
}

std::optional<Money> Money::ParseYuan(std::string_view t) {
  auto fen = ParseScaledDecimal(t, {.decimals = 2, .limit = kMaxAbsFen, .allow_negative = true});
  if (!fen) return std::nullopt;
  return Money::Fen(*fen);
}

}  // namespace yibao

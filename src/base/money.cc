#include "base/money.h"

#include <cstdlib>

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
  if (t.empty()) return std::nullopt;
  bool negative = false;
  size_t i = 0;
  if (t[0] == '-' || t[0] == '+') {
    negative = t[0] == '-';
    i = 1;
  }
  int64_t whole = 0;
  int whole_digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    if (whole > kMaxAbsFen / 100) return std::nullopt;
    whole = whole * 10 + (t[i] - '0');
    ++whole_digits;
    ++i;
  }
  int64_t frac = 0;
  int frac_digits = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (frac_digits == 2) return std::nullopt;  // sub-fen precision is never silently rounded
      frac = frac * 10 + (t[i] - '0');
      ++frac_digits;
      ++i;
    }
    if (frac_digits == 0) return std::nullopt;
  }
  if (i != t.size() || whole_digits == 0) return std::nullopt;
  if (frac_digits == 1) frac *= 10;
  int64_t fen = whole * 100 + frac;
  if (fen > kMaxAbsFen) return std::nullopt;
  return Money::Fen(negative ? -fen : fen);
}

}  // namespace yibao

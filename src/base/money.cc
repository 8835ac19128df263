#include "base/money.h"

#include "base/decimal.h"

namespace yibao {

void Money::AppendTo(std::string& out) const {
  // Digits from the end of the buffer back: two decimals, the point, then at least one integer
  // digit; appended at once.
  char buf[32];
  char* const end = buf + sizeof buf;
  char* p = end;
  uint64_t v = fen_ < 0 ? uint64_t(0) - uint64_t(fen_) : uint64_t(fen_);
  *--p = char('0' + v % 10);
  v /= 10;
  *--p = char('0' + v % 10);
  v /= 10;
  *--p = '.';
  do {
    *--p = char('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (fen_ < 0) *--p = '-';
  out.append(p, size_t(end - p));
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

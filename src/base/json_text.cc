#include "base/json_text.h"

#include <cstdint>
#include <cstring>

namespace yibao {

namespace {

constexpr uint64_t Repeat(uint8_t b) { return 0x0101010101010101ull * b; }

// Whether any of the 8 bytes of `w` needs an escape: a control byte (< 0x20), '"' or '\\'. Each
// test is the usual "has a zero byte" bit trick, which never misses a byte it looks for (it may
// flag a clean byte above a flagged one, which only sends the block to the byte loop).
inline bool NeedsEscape(uint64_t w) {
  constexpr uint64_t kHigh = Repeat(0x80);
  const uint64_t control = (w - Repeat(0x20)) & ~w;
  const uint64_t quote = ((w ^ Repeat('"')) - Repeat(0x01)) & ~(w ^ Repeat('"'));
  const uint64_t backslash = ((w ^ Repeat('\\')) - Repeat(0x01)) & ~(w ^ Repeat('\\'));
  return ((control | quote | backslash) & kHigh) != 0;
}

inline bool IsPlain(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; }

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escape
  size_t i = 0;
  while (i < s.size()) {
    // Text is mostly plain (names, codes, the trace): skip it eight bytes at a time.
    if (s.size() - i >= 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (!NeedsEscape(w)) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (IsPlain(c)) {
      ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    run = ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

}  // namespace yibao

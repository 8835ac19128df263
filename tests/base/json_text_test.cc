#include "base/json_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace yibao {
namespace {

// The escaper one byte at a time, as the JSON grammar states it.
std::string Reference(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      static const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

TEST(AppendJsonString, EscapesQuotesBackslashesAndControlBytesOnly) {
  std::string out;
  AppendJsonString(out, "门诊统筹: \"支付\" 0.00\n\\ \x01\x1f end");
  EXPECT_EQ(out, "\"门诊统筹: \\\"支付\\\" 0.00\\n\\\\ \\u0001\\u001f end\"");
}

// The eight-bytes-at-a-time skip agrees with the byte-by-byte rule at every length and offset:
// random text of plain ASCII, UTF-8 bytes (0x80-0xff), the bytes next to the ones escaped (0x1f,
// 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f) and the escaped ones.
TEST(AppendJsonString, AgreesWithTheByteByByteRuleOnRandomText) {
  std::mt19937 rng(20261123);
  const std::string specials =
      std::string("\"\\\n\r\t\x01\x1f\x20\x21\x23\x5b\x5d\x7f", 13) + std::string(1, '\0');
  for (int round = 0; round < 20000; ++round) {
    const size_t n = rng() % 40;
    std::string s;
    for (size_t i = 0; i < n; ++i) {
      const unsigned pick = rng() % 10;
      if (pick < 5) {
        s += char('a' + rng() % 26);
      } else if (pick < 8) {
        s += char(0x80 + rng() % 0x80);
      } else {
        s += specials[rng() % specials.size()];
      }
    }
    std::string out = "prefix";
    AppendJsonString(out, s);
    ASSERT_EQ(out, "prefix" + Reference(s)) << "round " << round;
  }
}

}  // namespace
}  // namespace yibao

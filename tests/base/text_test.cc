#include "base/text.h"

#include <gtest/gtest.h>

#include <vector>

namespace yibao {
namespace {

std::vector<std::pair<int, std::string>> Lines(std::string_view text) {
  std::vector<std::pair<int, std::string>> out;
  LineReader r(text);
  std::string_view line;
  while (r.Next(line)) out.emplace_back(r.line_number(), std::string(line));
  return out;
}

TEST(LineReader, HandlesCrlfBomAndMissingFinalNewline) {
  using V = std::vector<std::pair<int, std::string>>;
  EXPECT_EQ(Lines("\xEF\xBB\xBF"
                  "a\r\nb\n\nc"),
            (V{{1, "a"}, {2, "b"}, {3, ""}, {4, "c"}}));
  EXPECT_EQ(Lines("a\n"), (V{{1, "a"}}));
  EXPECT_EQ(Lines(""), V{});
}

TEST(Utf8, AcceptsChineseRejectsGbkAndOverlongs) {
  EXPECT_TRUE(IsValidUtf8("霍乱 abc"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xBB\xF4\xC2\xD2"));  // 霍乱 in GBK
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE9\x9C"));          // cut short
}

TEST(ReadTextFile, NamesTheMissingPath) {
  Result<std::string> r = ReadTextFile("/nonexistent/yibao/table.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].file, "/nonexistent/yibao/table.txt");
}

}  // namespace
}  // namespace yibao

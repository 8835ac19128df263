#include "server/log.h"

#include <gtest/gtest.h>

#include <simdjson.h>

namespace yibao {
namespace {

TEST(MaskId, KeepsRegionAndCheckDigitsOfAnIdNumber) {
  EXPECT_EQ(MaskId("110101199003071234"), "110101********1234");
  EXPECT_EQ(MaskId("11010119900307123X"), "110101********123X");
}

TEST(MaskId, ShorterStringsKeepOnlyTheLastTwo) {
  EXPECT_EQ(MaskId("110101900307123"), "*************23");  // a 15-digit old ID
  EXPECT_EQ(MaskId("E12345678"), "*******78");              // a passport
  EXPECT_EQ(MaskId("abc"), "*bc");
  // Never the whole value.
  EXPECT_EQ(MaskId("12"), "**");
  EXPECT_EQ(MaskId("1"), "*");
  EXPECT_EQ(MaskId(""), "");
}

TEST(MaskId, LongerStringsAndUtf8) {
  EXPECT_EQ(MaskId("1101011990030712345678"), "110101************5678");
  // Characters, not bytes: the result stays valid UTF-8.
  EXPECT_EQ(MaskId("张三丰"), "*三丰");
}

TEST(Logger, WritesOneJsonObjectPerLine) {
  FixedClock clock(*ParseTime("2024-03-01 09:30:00"));
  std::vector<std::string> lines;
  Logger log([&](std::string_view line) { lines.emplace_back(line); }, LogLevel::kInfo, &clock);
  log.Log(LogLevel::kWarn, "bad_envelope",
          {{"field", "msgid"},
           {"error", "quote \" and\nnewline"},
           {"bytes", 42},
           {"certno", MaskId("110101199003071234")}});
  log.Log(LogLevel::kDebug, "hidden");  // below the level
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            R"({"ts":"2024-03-01T09:30:00.000+08:00","level":"warn","event":"bad_envelope",)"
            R"("field":"msgid","error":"quote \" and\nnewline","bytes":42,)"
            R"("certno":"110101********1234"})"
            "\n");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(lines[0]).get(doc), simdjson::SUCCESS);
}

}  // namespace
}  // namespace yibao

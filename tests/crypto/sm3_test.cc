#include "crypto/sm3.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace yibao {
namespace {

using ::testing::HasSubstr;

// GB/T 32905-2016 Appendix A (the same two examples as GM/T 0004-2012 and
// draft-shen-sm3-hash-01; checked against Bouncy Castle's SM3DigestTest and nettle's sm3 test).
TEST(Sm3Test, StandardExample1Abc) {
  EXPECT_EQ(Hex(Sm3("abc")), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

TEST(Sm3Test, StandardExample2SixtyFourBytes) {
  std::string m;
  for (int i = 0; i < 16; ++i) m += "abcd";
  ASSERT_EQ(m.size(), 64u);
  EXPECT_EQ(Hex(Sm3(m)), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

TEST(Sm3Test, EmptyInputHashes) {
  // Not a standard vector: SM3 of the empty string as `openssl dgst -sm3 /dev/null` prints it.
  EXPECT_EQ(Hex(Sm3("")), "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

TEST(Sm3Test, IncrementalEqualsOneShotAndResets) {
  std::string m;
  for (int i = 0; i < 1000; ++i) m += static_cast<char>(i * 7);
  Sm3Hasher h;
  for (std::size_t at = 0; at < m.size(); at += 13) h.Update(std::string_view(m).substr(at, 13));
  EXPECT_EQ(h.Final(), Sm3(m));
  // Final resets: the next digest starts from nothing.
  h.Update("a").Update("bc");
  EXPECT_EQ(Hex(h.Final()), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

TEST(Sm3Test, MovedHasherKeepsItsState) {
  Sm3Hasher a;
  a.Update("ab");
  Sm3Hasher b = std::move(a);
  b.Update("c");
  EXPECT_EQ(b.Final(), Sm3("abc"));
}

TEST(HexTest, RoundTripAndCase) {
  auto bytes = ParseHex("00FFa5B4");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(Hex(*bytes), "00ffa5b4");
  EXPECT_TRUE(ParseHex("").ok());
}

TEST(HexTest, RefusesOddLengthAndNonDigits) {
  auto odd = ParseHex("abc");
  ASSERT_FALSE(odd.ok());
  EXPECT_THAT(odd.errors()[0].message, HasSubstr("odd number of digits"));
  auto bad = ParseHex("0g");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.errors()[0].message, HasSubstr("position 2"));
  EXPECT_FALSE(ParseHex("0x00").ok());
  EXPECT_FALSE(ParseHex("00 11").ok());
}

}  // namespace
}  // namespace yibao

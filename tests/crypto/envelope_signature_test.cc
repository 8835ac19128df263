#include "crypto/envelope_signature.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace yibao {
namespace {

using ::testing::HasSubstr;
using Fields = std::vector<std::pair<std::string, std::string>>;

std::vector<uint8_t> B(std::string_view s) { return {s.begin(), s.end()}; }

const Fields kEnvelope = {
    {"infno", "2207"},
    {"msgid", "H37990000001202401011200000001"},
    {"mdtrtarea_admvs", "379900"},
    {"insuplc_admdvs", "379900"},
    {"recer_sys_code", "YBXT"},
    {"signtype", "SM2"},
    {"infver", "V1.0"},
    {"opter_type", "1"},
    {"opter", "001"},
    {"opter_name", "张三"},
    {"inf_time", "2024-01-01 12:00:00"},
    {"fixmedins_code", "H37990000001"},
    {"fixmedins_name", "青岚市第一人民医院"},
    {"sign", "MEUCIQ..."},
    {"cainfo", ""},
};
constexpr std::string_view kInput = R"({"data":{"mdtrt_id":"1", "psn_no":"2"}})";

TEST(CanonicalSigningStringTest, SortedKeyValuesThenInputAsSent) {
  std::string s = CanonicalSigningString(kEnvelope, kInput);
  EXPECT_EQ(
      s,
      "cainfo=&fixmedins_code=H37990000001&fixmedins_name=青岚市第一人民医院&inf_time=2024-01-01 "
      "12:00:00&infno=2207&infver=V1.0&insuplc_admdvs=379900&mdtrtarea_admvs=379900&msgid="
      "H37990000001202401011200000001&opter=001&opter_name=张三&opter_type=1&recer_sys_code="
      "YBXT&input={\"data\":{\"mdtrt_id\":\"1\", \"psn_no\":\"2\"}}");
}

TEST(CanonicalSigningStringTest, IndependentOfFieldOrderAndDeterministic) {
  const std::string expected = CanonicalSigningString(kEnvelope, kInput);
  Fields shuffled = kEnvelope;
  std::mt19937 rng(20240101);
  for (int i = 0; i < 50; ++i) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_EQ(CanonicalSigningString(shuffled, kInput), expected);
  }
  std::reverse(shuffled.begin(), shuffled.end());
  EXPECT_EQ(CanonicalSigningString(shuffled, kInput), expected);
}

TEST(CanonicalSigningStringTest, ExcludesSignTypeSignAndInputFields) {
  EXPECT_EQ(CanonicalSigningString({{"sign", "x"}, {"signtype", "SM2"}, {"input", "{}"}}, "{}"),
            "input={}");
  EXPECT_EQ(CanonicalSigningString({{"b", "2"}, {"a", "1"}}, ""), "a=1&b=2&input=");
  // The input is taken byte for byte: whitespace and key order inside it count.
  EXPECT_NE(CanonicalSigningString({{"a", "1"}}, "{\"x\":1}"),
            CanonicalSigningString({{"a", "1"}}, "{\"x\": 1}"));
  // A field whose value changes changes the string, so does one added.
  EXPECT_NE(CanonicalSigningString({{"a", "1"}}, "{}"), CanonicalSigningString({{"a", "2"}}, "{}"));
  EXPECT_NE(CanonicalSigningString({{"a", "1"}}, "{}"),
            CanonicalSigningString({{"a", "1"}, {"c", ""}}, "{}"));
}

TEST(CanonicalSigningStringTest, KeysSortByByteValue) {
  EXPECT_EQ(CanonicalSigningString({{"b", "1"}, {"B", "2"}, {"a_b", "3"}, {"ab", "4"}}, "{}"),
            "B=2&a_b=3&ab=4&b=1&input={}");
}

TEST(Base64Test, RoundTripsAllPaddingCases) {
  // RFC 4648 §10 test vectors.
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(B(plain)), encoded) << plain;
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, B(plain)) << encoded;
  }
  // Every byte value, every length up to 70 (DER signatures are 70 to 72 bytes).
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<uint8_t>(255 - i));
  for (std::size_t n = 0; n <= 70; ++n) {
    std::vector<uint8_t> part(bytes.begin(), bytes.begin() + n);
    auto back = Base64Decode(Base64Encode(part));
    ASSERT_TRUE(back.ok()) << n;
    EXPECT_EQ(*back, part) << n;
  }
  auto all = Base64Decode(Base64Encode(bytes));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, bytes);
  EXPECT_EQ(Base64Encode(B("\xfb\xff")), "+/8=");
}

TEST(Base64Test, AcceptsUnpaddedInput) {
  EXPECT_EQ(*Base64Decode("Zg"), B("f"));
  EXPECT_EQ(*Base64Decode("Zm8"), B("fo"));
  EXPECT_EQ(*Base64Decode("Zm9vYg"), B("foob"));
}

TEST(Base64Test, RefusesMalformedInput) {
  struct Case {
    std::string text;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"Z", "truncated"},
           {"Zm9vY", "truncated"},
           {"Zg=", "multiple of 4"},
           {"Zg===", "more than two"},
           {"Z===", "more than two"},
           {"Zg==Zg==", "'=' before the end"},
           {"Zm9v\nYg==", "not a base64 character at position 5"},
           {" Zm9v", "position 1"},
           {"Zm9v-_==", "not a base64 character"},
           {"Zm9v Yg==", "not a base64 character"},
       }) {
    auto r = Base64Decode(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_THAT(r.errors()[0].message, HasSubstr(c.says)) << c.text;
  }
}

TEST(EnvelopeSignatureTest, SignAndVerifyTheCanonicalString) {
  auto key = Sm2PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  const std::string id = "H37990000001";
  const std::string canonical = CanonicalSigningString(kEnvelope, kInput);
  auto sign = SignEnvelope(*key, canonical, id);
  ASSERT_TRUE(sign.ok());
  auto der = Base64Decode(*sign);
  ASSERT_TRUE(der.ok());
  EXPECT_EQ((*der)[0], 0x30);  // base64 of DER
  EXPECT_TRUE(VerifyEnvelope(key->public_key(), canonical, *sign, id));

  // The same envelope with its fields in another order verifies too.
  Fields reordered(kEnvelope.rbegin(), kEnvelope.rend());
  EXPECT_TRUE(
      VerifyEnvelope(key->public_key(), CanonicalSigningString(reordered, kInput), *sign, id));

  // Changed input, field, ID, or signature: refused.
  EXPECT_FALSE(VerifyEnvelope(key->public_key(),
                              CanonicalSigningString(kEnvelope, R"({"data":{"mdtrt_id":"2"}})"),
                              *sign, id));
  Fields changed = kEnvelope;
  changed[0].second = "2208";
  EXPECT_FALSE(
      VerifyEnvelope(key->public_key(), CanonicalSigningString(changed, kInput), *sign, id));
  EXPECT_FALSE(VerifyEnvelope(key->public_key(), canonical, *sign, "H37990000002"));
  std::string flipped = *sign;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyEnvelope(key->public_key(), canonical, flipped, id));
  EXPECT_FALSE(VerifyEnvelope(key->public_key(), canonical, "not base64!", id));
  EXPECT_FALSE(VerifyEnvelope(key->public_key(), canonical, "", id));
  EXPECT_FALSE(VerifyEnvelope(key->public_key(), canonical, std::string(4000, 'A'), id));

  // A raw r ‖ s signature in base64 is accepted as well.
  auto raw = SignRaw(*key, canonical, id);
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(VerifyEnvelope(key->public_key(), canonical, Base64Encode(*raw), id));
}

TEST(CanonicalSigningString, EscapesSeparatorsSoFieldSetsCannotCollide) {
  std::string joined = CanonicalSigningString({{"a", "1&b=2"}}, "{}");
  std::string split = CanonicalSigningString({{"a", "1"}, {"b", "2"}}, "{}");
  EXPECT_NE(joined, split);
  EXPECT_EQ(joined, "a=1%26b%3D2&input={}");
  EXPECT_EQ(CanonicalSigningString({{"k%", "50%"}}, "{}"), "k%25=50%25&input={}");
}

}  // namespace
}  // namespace yibao

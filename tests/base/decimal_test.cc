#include "base/decimal.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace yibao {
namespace {

TEST(FormatScaledDecimal, ShortestFormWithoutTrailingZeros) {
  EXPECT_EQ(FormatScaledDecimal(12500, 4), "1.25");
  EXPECT_EQ(FormatScaledDecimal(30000, 4), "3");
  EXPECT_EQ(FormatScaledDecimal(7, 4), "0.0007");
  EXPECT_EQ(FormatScaledDecimal(0, 9), "0");
  EXPECT_EQ(FormatScaledDecimal(-5000, 4), "-0.5");
  EXPECT_EQ(FormatScaledDecimal(1'234'567'890, 9), "1.23456789");
  EXPECT_EQ(FormatScaledDecimal(42, 0), "42");
  EXPECT_EQ(FormatScaledDecimal(INT64_MIN, 0), "-9223372036854775808");
}

TEST(FormatScaledDecimal, ReadsBackAsTheSameValue) {
  const DecimalFormat format{.decimals = 4, .limit = INT64_MAX, .allow_negative = true};
  for (int64_t v : {int64_t(0), int64_t(1), int64_t(10), int64_t(123456789), int64_t(-90001)}) {
    auto back = ParseScaledDecimal(FormatScaledDecimal(v, 4), format);
    ASSERT_TRUE(back) << v;
    EXPECT_EQ(*back, v);
  }
}

}  // namespace
}  // namespace yibao

#include "base/money.h"

#include <gtest/gtest.h>

#include "base/date.h"
#include "base/quantity.h"
#include "base/ratio.h"

namespace yibao {
namespace {

TEST(Money, ParsesExactYuan) {
  EXPECT_EQ(Money::ParseYuan("12.34")->fen(), 1234);
  EXPECT_EQ(Money::ParseYuan("12.3")->fen(), 1230);
  EXPECT_EQ(Money::ParseYuan("12")->fen(), 1200);
  EXPECT_EQ(Money::ParseYuan("-0.07")->fen(), -7);
  EXPECT_EQ(Money::ParseYuan("+5")->fen(), 500);
}

TEST(Money, RejectsWhatWouldNeedRounding) {
  for (const char* bad : {"", "1.234", "1.", ".5", "1e3", " 1", "1,000", "--1", "abc",
                          "100000000000.01", "99999999999999999999"})
    EXPECT_FALSE(Money::ParseYuan(bad).has_value()) << bad;
}

TEST(Money, FormatsTwoDecimals) {
  EXPECT_EQ(Money::Fen(0).ToString(), "0.00");
  EXPECT_EQ(Money::Fen(5).ToString(), "0.05");
  EXPECT_EQ(Money::Fen(-1234).ToString(), "-12.34");
  EXPECT_EQ(Money::Fen(Money::kMaxAbsFen).ToString(), "100000000000.00");
}

TEST(Ratio, ParsesPercentAndFraction) {
  EXPECT_EQ(Ratio::Parse("80%")->ppm(), 800000);
  EXPECT_EQ(Ratio::Parse("11.2%")->ppm(), 112000);
  EXPECT_EQ(Ratio::Parse("0.8")->ppm(), 800000);
  EXPECT_EQ(Ratio::Parse("-10%")->ppm(), -100000);
  EXPECT_EQ(Ratio::Parse("1")->ppm(), 1000000);
  EXPECT_FALSE(Ratio::Parse("80.00001%"));
  EXPECT_FALSE(Ratio::Parse("%"));
  EXPECT_FALSE(Ratio::Parse("eighty"));
  EXPECT_EQ(Ratio::Parse("11.2%")->ToString(), "11.2%");
}

TEST(Ratio, AppliesHalfUpToTheFen) {
  // 39244.44 × 90% = 35319.996 → 35320.00 (A7's cap crossing); 39244.43 → 35319.987 → 35319.99.
  EXPECT_EQ(Ratio::Percent(90).Apply(Money::Fen(3924444)).fen(), 3532000);
  EXPECT_EQ(Ratio::Percent(90).Apply(Money::Fen(3924443)).fen(), 3531999);
  EXPECT_EQ(Ratio::Percent(50).Apply(Money::Fen(1)).fen(), 1);            // half goes up
  EXPECT_EQ(Ratio::Percent(50).Apply(Money::Fen(-1)).fen(), -1);          // symmetric for reversals
  EXPECT_EQ(Ratio::Percent(80).Times(Ratio::Percent(14)).ppm(), 112000);  // A3: 0.8 × 14%
}

TEST(Quantity, LineAmountIsHalfUp) {
  auto p = UnitPrice::Parse("0.125");
  auto q = Quantity::Parse("3");
  ASSERT_TRUE(p && q);
  EXPECT_EQ(LineAmount(*p, *q).fen(), 38);  // 0.375 → 0.38
  EXPECT_FALSE(Quantity::Parse("-1"));
  EXPECT_FALSE(Quantity::Parse("1."));
  EXPECT_FALSE(Quantity::Parse(".5"));
  EXPECT_EQ(Quantity::Parse("2.50000")->scaled(), 25000);  // zeros past the precision are harmless
  EXPECT_FALSE(Quantity::Parse("2.00001"));                // a nonzero digit there is not
  EXPECT_FALSE(UnitPrice::Parse("1.0000001"));
  EXPECT_TRUE(UnitPrice::Parse("1.0000000"));
}

TEST(Date, ParsesAndComputesAge) {
  auto d = Date::Parse("2024-02-29");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ToString(), "2024-02-29");
  EXPECT_FALSE(Date::Parse("2023-02-29"));
  EXPECT_TRUE(Date::Parse("2024-03-01 08:30:00"));
  EXPECT_FALSE(Date::Parse("2024-03-01 25:00:00"));
  EXPECT_EQ(AgeInYears(*Date::Parse("2000-06-15"), *Date::Parse("2024-06-14")), 23);
  EXPECT_EQ(AgeInYears(*Date::Parse("2000-06-15"), *Date::Parse("2024-06-15")), 24);
  EXPECT_EQ(Date::Parse("1970-01-01")->days(), 0);
}

}  // namespace
}  // namespace yibao

#include "drg/drg_payment.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace yibao {
namespace {

using Kind = DrgCasePayment::Kind;

const char kTable[] =
    "DRG编码,DRG名称,RW,病组标识\n"
    "ES31,呼吸系统感染/炎症，伴严重并发症或合并症,1.0000,\n"
    "ES25,呼吸系统感染/炎症，年龄＞17岁，不伴并发症或合并症,0.7107,基础组\n"
    "AH11,有创呼吸机支持,1.28,\n"
    "WB19,烧伤伴植皮,按项目据实支付,\n"
    "AA19,心脏移植,,未覆盖组\n";

DrgWeights Table() {
  auto w = ParseDrgWeightsCsv(kTable, "t.csv");
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : FormatDiagnostics(w.errors()));
  return *w;
}

DrgPaymentRule Rule(std::string_view toml) {
  auto r = ParseDrgPaymentRule(toml, "rule.toml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : FormatDiagnostics(r.errors()));
  return r.ok() ? *r : DrgPaymentRule{};
}

// Base rate 10000 and coefficient 1: RW 1 ⇒ standard 10000 (A13's "average 10000").
const char kRule10000[] =
    "[drg_payment]\nbase_rate = 10000\n[drg_payment.level_coefficient]\n\"1\" = 1\n\"2\" = "
    "1\n\"3\" = "
    "1\n\"0\" = 1\n";

DrgCaseCosts Case(std::string drg, int level, std::string total, std::string fund_item) {
  DrgCaseCosts c;
  c.drg = std::move(drg);
  c.hospital_level = level;
  c.total = *Money::ParseYuan(total);
  c.fund_item = *Money::ParseYuan(fund_item);
  return c;
}

DrgCasePayment Pay(const DrgPaymentRule& r, const DrgWeights& w, const DrgCaseCosts& c) {
  auto p = PayCase(r, w, c);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : FormatDiagnostics(p.errors()));
  return p.ok() ? *p : DrgCasePayment{};
}

TEST(DrgPayment, A13HighOutlierAtLevel3) {
  auto w = Table();
  auto r = Rule(kRule10000);
  auto p = Pay(r, w, Case("ES31", 3, "30000.01", "24000"));
  EXPECT_EQ(p.standard, Money::Yuan(10000));
  EXPECT_EQ(p.kind, Kind::kHighOutlier);
  EXPECT_EQ(p.fund_payment, Money::Yuan(24000));  // paid by item
  EXPECT_EQ(p.hospital_gain, Money::Zero());
  EXPECT_NE(p.explanation.find("费用极高"), std::string::npos) << p.explanation;
}

// Reading of Part C (d): "费用高于 … 倍" / "低于 … 30%" are strict; a total exactly at the
// threshold is a normal case.
TEST(DrgPayment, HighThresholdsPerLevelAreStrict) {
  auto w = Table();
  auto r = Rule(kRule10000);
  EXPECT_EQ(Pay(r, w, Case("ES31", 3, "30000", "0")).kind, Kind::kNormal);
  EXPECT_EQ(Pay(r, w, Case("ES31", 3, "30000.01", "0")).kind, Kind::kHighOutlier);
  EXPECT_EQ(Pay(r, w, Case("ES31", 2, "20000", "0")).kind, Kind::kNormal);
  EXPECT_EQ(Pay(r, w, Case("ES31", 2, "20000.01", "0")).kind, Kind::kHighOutlier);
  EXPECT_EQ(Pay(r, w, Case("ES31", 2, "29999", "0")).kind, Kind::kHighOutlier);
  // Others (一级, unknown): 2× by default.
  EXPECT_EQ(Pay(r, w, Case("ES31", 1, "20000", "0")).kind, Kind::kNormal);
  EXPECT_EQ(Pay(r, w, Case("ES31", 1, "20000.01", "0")).kind, Kind::kHighOutlier);
  EXPECT_EQ(Pay(r, w, Case("ES31", 0, "20000.01", "0")).kind, Kind::kHighOutlier);
}

TEST(DrgPayment, LowThresholdIs30PercentStrict) {
  auto w = Table();
  auto r = Rule(kRule10000);
  EXPECT_EQ(Pay(r, w, Case("ES31", 3, "3000", "2000")).kind, Kind::kNormal);
  auto low = Pay(r, w, Case("ES31", 3, "2999.99", "2000"));
  EXPECT_EQ(low.kind, Kind::kLowOutlier);
  EXPECT_EQ(low.fund_payment, Money::Yuan(2000));
  EXPECT_EQ(Pay(r, w, Case("ES31", 2, "2999.99", "0")).kind, Kind::kLowOutlier);
}

TEST(DrgPayment, LocalMultiplesAndLowRatio) {
  auto w = Table();
  auto r = Rule(
      "[drg_payment]\nbase_rate = \"10000\"\nlow_outlier_ratio = \"40%\"\n"
      "[drg_payment.high_outlier_multiple]\n\"3\" = \"2.5\"\ndefault = 2\n");
  EXPECT_EQ(Pay(r, w, Case("ES31", 3, "25000", "0")).kind, Kind::kNormal);
  EXPECT_EQ(Pay(r, w, Case("ES31", 3, "25000.01", "0")).kind, Kind::kHighOutlier);
  EXPECT_EQ(Pay(r, w, Case("ES31", 3, "4000", "0")).kind, Kind::kNormal);
  EXPECT_EQ(Pay(r, w, Case("ES31", 3, "3999.99", "0")).kind, Kind::kLowOutlier);
}

TEST(DrgPayment, StandardMinusPaid) {
  auto w = Table();
  auto r = Rule(kRule10000);
  // 10000 − (8000 − 6000) = 8000: the hospital gains 2000 over the item-based fund payment.
  auto p = Pay(r, w, Case("ES31", 3, "8000", "6000"));
  EXPECT_EQ(p.kind, Kind::kNormal);
  EXPECT_EQ(p.fund_payment, Money::Yuan(8000));
  EXPECT_EQ(p.hospital_gain, Money::Yuan(2000));
  // 10000 − (25000 − 5000) < 0 → 0; the hospital loses the 5000 it had under items.
  p = Pay(r, w, Case("ES31", 3, "25000", "5000"));
  EXPECT_EQ(p.kind, Kind::kNormal);
  EXPECT_EQ(p.fund_payment, Money::Zero());
  EXPECT_EQ(p.hospital_gain, Money::Yuan(-5000));
}

TEST(DrgPayment, StandardMinusSelfpay) {
  auto w = Table();
  std::string toml = std::string(kRule10000);
  toml.insert(toml.find("base_rate"), "formula = \"standard_minus_selfpay\"\n");
  auto r = Rule(toml);
  auto c = Case("ES31", 3, "9000", "6000");
  c.ownpay = Money::Yuan(500);
  c.preselfpay = Money::Yuan(300);
  c.deductible = Money::Yuan(1000);
  c.fund_ratio = Ratio::Percent(85);
  // (10000 − 500 − 300 − 1000) × 85% = 6970.00
  auto p = Pay(r, w, c);
  EXPECT_EQ(p.fund_payment, *Money::ParseYuan("6970.00"));
  EXPECT_EQ(p.hospital_gain, Money::Yuan(970));
  // (10000 − 500 − 299.99 − 1000) × 85% = 6970.0085 → 6970.01 (half-up)
  c.preselfpay = *Money::ParseYuan("299.99");
  EXPECT_EQ(Pay(r, w, c).fund_payment, *Money::ParseYuan("6970.01"));
  // Not positive → 0.
  c.ownpay = Money::Yuan(9000);
  c.deductible = Money::Yuan(1000);
  EXPECT_EQ(Pay(r, w, c).fund_payment, Money::Zero());
}

TEST(DrgPayment, StandardRoundsHalfUpOnceToTheFen) {
  auto w = Table();
  // 常州: RW 0.7107 × 11519 × 1.01 = 8268.418833 → 8268.42
  auto r =
      Rule("[drg_payment]\nbase_rate = 11519\n[drg_payment.level_coefficient]\n\"3\" = \"1.01\"\n");
  EXPECT_EQ(Pay(r, w, Case("ES25", 3, "8000", "0")).standard, *Money::ParseYuan("8268.42"));
  // 兰州: 9986.9352 × RW 1.28 × 1.1476 = 14670.0887494656 → 14670.09; per year.
  r = Rule(
      "[drg_payment]\n[drg_payment.base_rate]\n\"2023\" = \"9986.9352\"\n\"2022\" = 9000\n"
      "[drg_payment.level_coefficient]\n\"3\" = \"1.1476\"\n");
  auto c = Case("AH11", 3, "14000", "0");
  c.year = 2023;
  EXPECT_EQ(Pay(r, w, c).standard, *Money::ParseYuan("14670.09"));
  c.year = 2021;
  auto missing = PayCase(r, w, c);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.errors()[0].message.find("year 2021"), std::string::npos);
  // A level without a coefficient cannot be priced.
  c.year = 2022;
  c.hospital_level = 2;
  EXPECT_FALSE(PayCase(r, w, c).ok());
}

TEST(DrgPayment, InstitutionCoefficientOverridesLevel) {
  auto w = Table();
  auto r = Rule(
      "[drg_payment]\nbase_rate = 10000\n[drg_payment.level_coefficient]\n\"3\" = 1\n"
      "[drg_payment.institution_coefficient]\nH11010000001 = \"1.05\"\n");
  auto c = Case("ES31", 3, "9000", "0");
  c.institution = "H11010000001";
  EXPECT_EQ(Pay(r, w, c).standard, Money::Yuan(10500));
  c.institution = "H11010000002";
  EXPECT_EQ(Pay(r, w, c).standard, Money::Yuan(10000));
}

TEST(DrgPayment, UngroupedAndByItemGroups) {
  auto w = Table();
  auto r = Rule(kRule10000);
  EXPECT_EQ(Pay(r, w, Case("0000", 3, "5000", "3000")).kind, Kind::kUngrouped);
  EXPECT_EQ(Pay(r, w, Case("GQY", 3, "5000", "3000")).kind, Kind::kUngrouped);
  EXPECT_EQ(Pay(r, w, Case("ZZ19", 3, "5000", "3000")).kind, Kind::kUngrouped);
  auto p = Pay(r, w, Case("WB19", 3, "5000", "3000"));
  EXPECT_EQ(p.kind, Kind::kByItem);
  EXPECT_EQ(p.fund_payment, Money::Yuan(3000));
  EXPECT_NE(p.explanation.find("按项目据实支付"), std::string::npos);
  EXPECT_EQ(Pay(r, w, Case("AA19", 3, "5000", "3000")).kind, Kind::kByItem);
}

std::string DataFile(const char* name) {
  return std::string(YIBAO_SHARED_DATA) + "/drg-payment/" + name;
}

TEST(DrgWeightsFile, Beijing2022GbkTable) {
  auto w = LoadDrgWeights(DataFile("北京2022.csv"));
  ASSERT_TRUE(w.ok()) << FormatDiagnostics(w.errors());
  EXPECT_EQ(w->groups.size(), 696u);  // 697 lines, one header
  const auto* g = w->Find("ES31");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->rw, 1'280'000'000);  // 1.28
  EXPECT_EQ(g->name, "呼吸系统感染/炎症，伴严重并发症或合并症");
  ASSERT_EQ(w->columns.size(), 1u);
  EXPECT_EQ(w->columns[0].kind, DrgAmountColumn::Kind::kStandard);
  EXPECT_EQ(w->columns[0].level, 0);
  EXPECT_EQ(w->Find("WB19")->rw_text, "按项目据实支付");
  // The published standard: 26146 − (20000 − 15000) = 21146.
  auto r = Rule("[drg_payment]\nstandard_source = \"file\"\n");
  auto p = Pay(r, *w, Case("ES31", 3, "20000", "15000"));
  EXPECT_EQ(p.standard, Money::Yuan(26146));
  EXPECT_EQ(p.fund_payment, Money::Yuan(21146));
}

TEST(DrgWeightsFile, PerLevelAndPerSchemeStandards) {
  auto sz = LoadDrgWeights(DataFile("苏州2023.csv"));
  ASSERT_TRUE(sz.ok()) << FormatDiagnostics(sz.errors());
  EXPECT_EQ(sz->groups.size(), 648u);
  EXPECT_EQ(sz->Find("ES31")->rw, 1'426'517'000);  // 1.426517
  auto r = Rule("[drg_payment]\nstandard_source = \"file\"\n");
  EXPECT_EQ(Pay(r, *sz, Case("ES31", 2, "12000", "0")).standard, *Money::ParseYuan("12700.09"));
  EXPECT_EQ(Pay(r, *sz, Case("ES31", 1, "9000", "0")).standard, *Money::ParseYuan("9338.30"));
  EXPECT_FALSE(PayCase(r, *sz, Case("ES31", 0, "9000", "0")).ok());  // no level-less column

  auto ly = LoadDrgWeights(DataFile("临沂2022.csv"));
  ASSERT_TRUE(ly.ok()) << FormatDiagnostics(ly.errors());
  auto c = Case("ES31", 3, "6000", "0");
  c.scheme = 2;
  EXPECT_EQ(Pay(r, *ly, c).standard, *Money::ParseYuan("6104.15"));
  c.scheme = 1;
  EXPECT_EQ(Pay(r, *ly, c).standard, *Money::ParseYuan("6412.25"));
}

TEST(DrgWeightsFile, EveryCityTableLoads) {
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(DataFile(""))) {
    if (e.path().extension() != ".csv") continue;
    ++files;
    auto w = LoadDrgWeights(e.path().string());
    ASSERT_TRUE(w.ok()) << FormatDiagnostics(w.errors());
    EXPECT_GT(w->groups.size(), 500u) << e.path();
  }
  EXPECT_EQ(files, 27);
  // 乌鲁木齐 has DR13 on two lines with different RWs: kept once, marked, reported.
  auto w = LoadDrgWeights(DataFile("乌鲁木齐2022.csv"));
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->Find("DR13")->duplicate);
  ASSERT_FALSE(w->anomalies.empty());
  EXPECT_NE(w->anomalies[0].ToString().find(":124:"), std::string::npos)
      << w->anomalies[0].ToString();
}

TEST(DrgWeightsCsv, BadCellsNamedByFileLineColumn) {
  auto w = ParseDrgWeightsCsv(
      "DRG编码,DRG名称,RW,支付标准（三级）\n"
      "AA19,x,1.0,100\n"
      "AB19,y,1.2.3,100\n"
      "AC19,z,1,abc\n"
      "AD19,z,1,1,extra\n"
      ",z,1,1\n",
      "bad.csv");
  ASSERT_FALSE(w.ok());
  ASSERT_EQ(w.errors().size(), 4u) << FormatDiagnostics(w.errors());
  EXPECT_EQ(w.errors()[0].ToString().rfind("bad.csv:3: RW: ", 0), 0u) << w.errors()[0].ToString();
  EXPECT_EQ(w.errors()[1].ToString().rfind("bad.csv:4: 支付标准（三级）: ", 0), 0u);
  EXPECT_EQ(w.errors()[2].line, 5);
  EXPECT_EQ(w.errors()[3].ToString().rfind("bad.csv:6: DRG编码: ", 0), 0u);
  EXPECT_FALSE(ParseDrgWeightsCsv("名称,RW\nx,1\n", "h.csv").ok());            // no code column
  EXPECT_FALSE(ParseDrgWeightsCsv("DRG编码,RW\n\xb7\xce,1\n", "g.csv").ok());  // not UTF-8
}

TEST(DrgPaymentRuleToml, BadLinesNamedByFileLine) {
  auto r = ParseDrgPaymentRule(
      "[drg_payment]\n"
      "formula = \"standard_minus_paid\"\n"
      "base_rate = 10000.5\n"
      "low_outlier_ratio = 0.3\n"
      "bogus = 1\n"
      "[drg_payment.level_coefficient]\n"
      "\"4\" = 1\n",
      "bad.toml");
  ASSERT_FALSE(r.ok());
  std::string all = FormatDiagnostics(r.errors());
  EXPECT_NE(all.find("bad.toml:3: drg_payment.base_rate: bare TOML float"), std::string::npos)
      << all;
  EXPECT_NE(all.find("bad.toml:4: drg_payment.low_outlier_ratio"), std::string::npos) << all;
  EXPECT_NE(all.find("bad.toml:5: drg_payment.bogus: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find("bad.toml:7: drg_payment.level_coefficient.4"), std::string::npos) << all;
  auto f = ParseDrgPaymentRule("[drg_payment]\nformula = \"kickback\"\nbase_rate = 1\n", "f.toml");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.errors()[0].ToString().rfind("f.toml:2: drg_payment.formula", 0), 0u);
  EXPECT_FALSE(ParseDrgPaymentRule("[drg_payment]\n", "m.toml").ok());  // base_rate missing
  EXPECT_FALSE(ParseDrgPaymentRule("[drg_payment\n", "s.toml").ok());   // syntax
}

}  // namespace
}  // namespace yibao

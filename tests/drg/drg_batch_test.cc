// DRG payment of batches: the 5% cap on high outliers (Part C (d)) with a worked ranking, the two
// national settlement formulas (Part C (d)), monthly statements, the annual clearing and the
// case-mix indicators — every figure hand-checked, the arithmetic in the comments.
#include "drg/drg_batch.h"

#include <gtest/gtest.h>

#include "drg/casemix_indicators.h"
#include "drg/drg_statement.h"

namespace yibao {
namespace {

const char kTable[] =
    "DRG编码,DRG名称,RW\n"
    "ES31,呼吸系统感染/炎症，伴严重并发症或合并症,1.0000\n"
    "ES25,呼吸系统感染/炎症，不伴并发症或合并症,0.7107\n";

DrgWeights Table() {
  auto w = ParseDrgWeightsCsv(kTable, "t.csv");
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : FormatDiagnostics(w.errors()));
  return w.ok() ? *w : DrgWeights{};
}

// Base rate 10000 × RW 1 × coefficient 1: ES31's standard is 10000.00 at every level.
DrgPaymentRule Rule(std::string extra = "") {
  auto r = ParseDrgPaymentRule("[drg_payment]\nbase_rate = 10000\n" + extra, "rule.toml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : FormatDiagnostics(r.errors()));
  return r.ok() ? *r : DrgPaymentRule{};
}

DrgBatchCase Case(std::string id, std::string inst, std::string date, std::string drg,
                  std::string total, std::string fund_item, int level = 3) {
  DrgBatchCase b;
  b.id = std::move(id);
  b.discharge = *Date::Parse(date);
  b.costs.drg = std::move(drg);
  b.costs.institution = std::move(inst);
  b.costs.hospital_level = level;
  b.costs.total = *Money::ParseYuan(total);
  b.costs.fund_item = *Money::ParseYuan(fund_item);
  return b;
}

Money Yuan(std::string_view s) { return *Money::ParseYuan(s); }

const PaidCase& Find(const std::vector<PaidCase>& cases, std::string_view id) {
  for (const PaidCase& c : cases)
    if (c.id == id) return c;
  ADD_FAILURE() << "no case " << id;
  return cases.front();
}

// H1 in March 2024: 40 discharges, 36 normal ES31 cases and 4 high outliers (三级: total > 3 ×
// 10000). 5% × 40 = 2 may be paid by item.
std::vector<DrgBatchCase> WorkedMonth() {
  std::vector<DrgBatchCase> b;
  for (int i = 0; i < 36; ++i)
    b.push_back(Case("N" + std::to_string(i), "H1", "2024-03-15", "ES31", "8000", "6000"));
  b.push_back(Case("C1", "H1", "2024-03-02", "ES31", "52000", "40000"));     // excess 42000
  b.push_back(Case("C2", "H1", "2024-03-03", "ES31", "35000", "28000"));     // excess 25000
  b.push_back(Case("C3", "H1", "2024-03-04", "ES31", "41000", "30000"));     // excess 31000
  b.push_back(Case("C4", "H1", "2024-03-05", "ES31", "30000.01", "21000"));  // excess 20000.01
  return b;
}

TEST(DrgBatch, FivePercentCapWorkedRanking) {
  auto w = Table();
  auto r = Rule();
  Diagnostics errors;
  auto paid = PayDrgBatch(r, w, WorkedMonth(), &errors);
  ASSERT_TRUE(errors.empty()) << FormatDiagnostics(errors);
  ASSERT_EQ(paid.size(), 40u);
  // Ranked by total − standard: C1 42000 > C3 31000 > C2 25000 > C4 20000.01. floor(5% × 40) = 2:
  // C1 and C3 stay paid by item (the fund pays their item amounts 40000 and 30000).
  EXPECT_EQ(Find(paid, "C1").kind, "high_outlier");
  EXPECT_EQ(Find(paid, "C1").fund_payment, Yuan("40000"));
  EXPECT_EQ(Find(paid, "C3").kind, "high_outlier");
  EXPECT_EQ(Find(paid, "C3").fund_payment, Yuan("30000"));
  // C2 and C4 are paid the formula (费用扣减法): standard − (total − fund item payment).
  // C2: 10000 − (35000 − 28000) = 3000.00
  EXPECT_EQ(Find(paid, "C2").kind, "high_outlier_capped");
  EXPECT_EQ(Find(paid, "C2").fund_payment, Yuan("3000"));
  EXPECT_NE(Find(paid, "C2").explanation.find("ranked 3"), std::string::npos)
      << Find(paid, "C2").explanation;
  // C4: 10000 − (30000.01 − 21000) = 10000 − 9000.01 = 999.99
  EXPECT_EQ(Find(paid, "C4").kind, "high_outlier_capped");
  EXPECT_EQ(Find(paid, "C4").fund_payment, Yuan("999.99"));
  // A normal case: 10000 − (8000 − 6000) = 8000.
  EXPECT_EQ(Find(paid, "N0").fund_payment, Yuan("8000"));
  // All four remain high-cost cases for the indicators.
  EXPECT_TRUE(Find(paid, "C4").high_outlier);
}

TEST(DrgBatch, CapRoundingIsRuleData) {
  auto w = Table();
  // 30 discharges, 3 high outliers: 5% × 30 = 1.5 → floor 1, half_up 2, ceil 2.
  std::vector<DrgBatchCase> b;
  for (int i = 0; i < 27; ++i)
    b.push_back(Case("N" + std::to_string(i), "H1", "2024-05-01", "ES31", "8000", "6000"));
  for (int i = 0; i < 3; ++i)
    b.push_back(Case("X" + std::to_string(i), "H1", "2024-05-02", "ES31",
                     std::to_string(40000 + i * 1000), "30000"));
  auto count = [&](const char* rounding) {
    Diagnostics errors;
    auto paid = PayDrgBatch(
        Rule(std::string("[drg_payment.high_outlier_cap]\nrounding = \"") + rounding + "\"\n"), w,
        b, &errors);
    int n = 0;
    for (const PaidCase& c : paid) n += c.kind == "high_outlier";
    return n;
  };
  EXPECT_EQ(count("floor"), 1);
  EXPECT_EQ(count("half_up"), 2);
  EXPECT_EQ(count("ceil"), 2);
  // The largest excess (X2: 42000 − 10000) is the one kept under floor.
  Diagnostics errors;
  auto paid = PayDrgBatch(Rule(), w, b, &errors);
  EXPECT_EQ(Find(paid, "X2").kind, "high_outlier");
  EXPECT_EQ(Find(paid, "X1").kind, "high_outlier_capped");
  // Disabled: all three by item.
  paid = PayDrgBatch(Rule("[drg_payment.high_outlier_cap]\nenabled = false\n"), w, b, &errors);
  EXPECT_EQ(Find(paid, "X0").kind, "high_outlier");
}

TEST(DrgBatch, CapPeriodIsPerHospitalAndMonthOrYear) {
  auto w = Table();
  // H1: 20 discharges in January (1 high), 20 in February (1 high). Monthly: floor(5% × 20) = 1
  // each month, both kept.
  // H2 has 1 discharge, a high outlier: floor(5% × 1) = 0 — a small hospital gets none by item.
  std::vector<DrgBatchCase> b;
  for (int m = 1; m <= 2; ++m) {
    for (int i = 0; i < 19; ++i)
      b.push_back(Case("N" + std::to_string(m) + "-" + std::to_string(i), "H1",
                       "2024-0" + std::to_string(m) + "-10", "ES31", "8000", "6000"));
    b.push_back(Case("HI" + std::to_string(m), "H1", "2024-0" + std::to_string(m) + "-11", "ES31",
                     "50000", "30000"));
  }
  b.push_back(Case("SMALL", "H2", "2024-01-11", "ES31", "50000", "30000"));
  Diagnostics errors;
  auto paid = PayDrgBatch(Rule(), w, b, &errors);
  EXPECT_EQ(Find(paid, "HI1").kind, "high_outlier");
  EXPECT_EQ(Find(paid, "HI2").kind, "high_outlier");
  EXPECT_EQ(Find(paid, "SMALL").kind, "high_outlier_capped");
  // SMALL by formula: 10000 − (50000 − 30000) < 0 → 0.
  EXPECT_EQ(Find(paid, "SMALL").fund_payment, Money::Zero());
  // Put both of H1's highs in January: monthly floor(5% × 21) = 1 → one capped; yearly
  // floor(5% × 40) = 2 → none.
  b[39].discharge = *Date::Parse("2024-01-12");
  paid = PayDrgBatch(Rule(), w, b, &errors);
  // Equal excess (40000): the tie goes by id, HI1 before HI2.
  EXPECT_EQ(Find(paid, "HI1").kind, "high_outlier");
  EXPECT_EQ(Find(paid, "HI2").kind, "high_outlier_capped");
  paid = PayDrgBatch(Rule("[drg_payment.high_outlier_cap]\nperiod = \"year\"\n"), w, b, &errors);
  EXPECT_EQ(Find(paid, "HI1").kind, "high_outlier");
  EXPECT_EQ(Find(paid, "HI2").kind, "high_outlier");
}

// Part C (d): 医保基金DRG应支付住院费用 = Σ[(支付标准 − 全自费 − 先自付 − 起付线) × 基金支付比例],
// ≤ 0 paid as 0; 支付标准 = 权重 × 费率.
TEST(DrgBatch, NationalFormulaGolden) {
  auto w = Table();
  auto r = Rule("formula = \"standard_minus_selfpay\"\n");
  auto a = Case("A", "H1", "2024-03-01", "ES25", "6000", "4000");
  a.costs.ownpay = Yuan("500");
  a.costs.preselfpay = Yuan("300");
  a.costs.deductible = Yuan("800");
  a.costs.fund_ratio = Ratio::Percent(90);
  // Standard = 0.7107 × 10000 = 7107.00; (7107 − 500 − 300 − 800) × 90% = 5507 × 0.9 = 4956.30.
  auto b = a;
  b.id = "B";
  b.costs.ownpay = Yuan("7000");
  // (7107 − 7000 − 300 − 800) = −993 ≤ 0 → 0.
  Diagnostics errors;
  auto paid = PayDrgBatch(r, w, {a, b}, &errors);
  ASSERT_EQ(paid.size(), 2u);
  EXPECT_EQ(paid[0].standard, Yuan("7107"));
  EXPECT_EQ(paid[0].fund_payment, Yuan("4956.30"));
  EXPECT_EQ(paid[1].fund_payment, Money::Zero());
}

// Part C (d) "费用扣减法": DRG应支付 = DRG支付标准 − (医疗总费用 − 基本统筹基金支付).
TEST(DrgBatch, FeeDeductionFormulaGolden) {
  auto w = Table();
  Diagnostics errors;
  // ES25 standard 7107.00 at 二级 (coefficient 1): 7107 − (6000 − 4200.50) = 7107 − 1799.50 =
  // 5307.50; the hospital gains 5307.50 − 4200.50 = 1107.00 over item payment.
  auto paid = PayDrgBatch(Rule(), w, {Case("A", "H1", "2024-03-01", "ES25", "6000", "4200.50", 2)},
                          &errors);
  ASSERT_EQ(paid.size(), 1u);
  EXPECT_EQ(paid[0].fund_payment, Yuan("5307.50"));
  EXPECT_EQ(paid[0].fund_payment - paid[0].fund_item, Yuan("1107"));
}

TEST(DrgStatement, MonthAndClearingGolden) {
  auto w = Table();
  auto r = Rule(
      "[drg_payment.statement]\nadvance_share = \"90%\"\ndeposit_share = \"3%\"\n"
      "[drg_payment.clearing]\ndeposit_release = \"linear\"\n");
  Diagnostics errors;
  auto paid = PayDrgBatch(r, w, WorkedMonth(), &errors);
  auto st = BuildMonthlyStatements(paid, r.schedule);
  ASSERT_EQ(st.size(), 1u);
  const MonthlyStatement& s = st[0];
  EXPECT_EQ(s.cases, 40);
  EXPECT_EQ(s.high_outliers, 4);
  // owed = 36 × 8000 + 40000 + 30000 + 3000 + 999.99 = 361999.99
  EXPECT_EQ(s.owed, Yuan("361999.99"));
  // advance = 361999.99 × 90% = 325799.991 → 325799.99; deposit = × 3% = 10859.9997 → 10860.00
  EXPECT_EQ(s.advance, Yuan("325799.99"));
  EXPECT_EQ(s.deposit, Yuan("10860"));
  // remainder = 361999.99 − 325799.99 − 10860.00 = 25340.00
  EXPECT_EQ(s.remainder, Yuan("25340"));
  // Clearing with score 85, linear: 85% of 10860 = 9231.00 released, 1629.00 withheld;
  // amount owed = 361999.99 − 1629 = 360370.99; final = 360370.99 − 325799.99 − 9231 = 25340.00.
  auto cl = ClearYears(st, r.schedule, {{"H1", 8500}});
  ASSERT_EQ(cl.size(), 1u);
  EXPECT_EQ(cl[0].deposit_released, Yuan("9231"));
  EXPECT_EQ(cl[0].deposit_withheld, Yuan("1629"));
  EXPECT_EQ(cl[0].amount_owed, Yuan("360370.99"));
  EXPECT_EQ(cl[0].final_payment, Yuan("25340"));
  EXPECT_TRUE(cl[0].score_given);
  // Bands: 85 is in the ≥ 80 band → 80%: 8688.00 released, 2172.00 withheld.
  auto banded = Rule(
      "[drg_payment.clearing]\n"
      "[[drg_payment.clearing.deposit_release]]\nmin_score = 90\nrelease = \"100%\"\n"
      "[[drg_payment.clearing.deposit_release]]\nmin_score = 80\nrelease = \"80%\"\n"
      "[[drg_payment.clearing.deposit_release]]\nmin_score = \"60.5\"\nrelease = \"50%\"\n");
  cl = ClearYears(st, banded.schedule, {{"H1", 8500}});
  EXPECT_EQ(cl[0].deposit_released, Yuan("8688"));
  EXPECT_EQ(DepositRelease(banded.schedule, 6049), Ratio::Zero());  // 60.49 < 60.5
  EXPECT_EQ(DepositRelease(banded.schedule, 6050), Ratio::Percent(50));
  // No score: the default 100 releases it all.
  cl = ClearYears(st, r.schedule, {});
  EXPECT_EQ(cl[0].deposit_released, Yuan("10860"));
  EXPECT_FALSE(cl[0].score_given);
}

TEST(DrgStatement, ScheduleErrorsNamedByLine) {
  auto r = ParseDrgPaymentRule(
      "[drg_payment]\nbase_rate = 1\n"
      "[drg_payment.statement]\nadvance_share = \"98%\"\ndeposit_share = \"3%\"\n"
      "[drg_payment.clearing]\ndeposit_release = \"cubic\"\n"
      "[drg_payment.high_outlier_cap]\nrounding = \"banker\"\nshare = 0.05\n",
      "s.toml");
  ASSERT_FALSE(r.ok());
  std::string all = FormatDiagnostics(r.errors());
  EXPECT_NE(all.find("s.toml:3: drg_payment.statement: advance_share + deposit_share"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("s.toml:7: drg_payment.clearing.deposit_release"), std::string::npos) << all;
  EXPECT_NE(all.find("s.toml:9: drg_payment.high_outlier_cap.rounding"), std::string::npos) << all;
  EXPECT_NE(all.find("s.toml:10: drg_payment.high_outlier_cap.share: bare TOML float"),
            std::string::npos)
      << all;
}

TEST(CasemixIndicators, CmiExcludesUngroupedAndCostPerWeight) {
  auto w = Table();
  Diagnostics errors;
  auto paid = PayDrgBatch(Rule(), w,
                          {Case("A", "H1", "2024-03-01", "ES31", "8000", "6000"),
                           Case("B", "H1", "2024-03-02", "ES31", "8000", "6000"),
                           Case("C", "H1", "2024-03-03", "ES25", "6000", "4000"),
                           Case("D", "H1", "2024-03-04", "0000", "5000", "3500"),
                           Case("E", "H2", "2024-03-04", "ES25", "7107", "5000")},
                          &errors);
  auto xs = ComputeCasemixIndicators(paid);
  const CasemixIndicators* h1 = nullptr;
  for (const auto& x : xs)
    if (x.scope == CasemixIndicators::Scope::kHospital && x.institution == "H1") h1 = &x;
  ASSERT_NE(h1, nullptr);
  EXPECT_EQ(h1->cases, 4);
  EXPECT_EQ(h1->weighted_cases, 3);  // D (0000) is out of the CMI
  // CMI = (1 + 1 + 0.7107) ÷ 3 = 0.903566… → 0.9036
  EXPECT_EQ(FormatCmi(*h1, kDrgDecimalScale), "0.9036");
  // Cost per weight = (8000 + 8000 + 6000) ÷ 2.7107 = 8115.9848… → 8115.98
  EXPECT_EQ(FormatCostPerWeight(*h1, kDrgDecimalScale), "8115.98");
  // Region: (22000 + 7107) ÷ (2.7107 + 0.7107) = 29107 ÷ 3.4214 = 8507.3362…; H1's index =
  // 8115.9848 ÷ 8507.3362 = 0.95399… → 0.9540.
  EXPECT_EQ(FormatCostIndex(*h1, xs.front()), "0.9540");
  // Gain: A, B 8000 − 6000 each; C 7107 − (6000 − 4000) − 4000 = 1107; D 0 → 5107.00.
  EXPECT_EQ(h1->gain(), Yuan("5107"));
  EXPECT_EQ(FormatRate(1, 3), "33.33%");
}

}  // namespace
}  // namespace yibao

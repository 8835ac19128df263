// DIP: the score table (matching core and comprehensive groups), the national 费用偏差 formulas of
// Part C (d) and a 1.5×/0.6× city (Part B5), level coefficients (厦门-style 0.93), the point
// value and the exact sharing of the budget — hand-checked, the arithmetic in the comments.
#include <gtest/gtest.h>

#include "drg/dip_payment.h"
#include "drg/dip_table.h"

namespace yibao {
namespace {

const char kTable[] =
    "# synthetic test table\n"
    "group,name,type,diagnosis,procedures,procedure_class,score,mean_cost,mean_cost_3\n"
    "G1,胆囊结石伴胆囊炎 腹腔镜胆囊切除,core,K80.1,51.2300,,1000,10000,\n"
    "G2,胆囊结石伴胆囊炎 胆囊切除+胆道造影,core,K80.1,87.5100+51.2300,,1200,12000,\n"
    "G3,胆囊结石伴胆囊炎 保守治疗,core,K80.1,,,400,3000,\n"
    "G4,胆石症 开腹胆囊切除,core,k80,51.2200,,900,9000,\n"
    "G5,胆石症 相关手术,comprehensive,K80,,相关手术,800,8000,\n"
    "G6,胆石症 保守治疗,comprehensive,K80,,保守治疗,300,3000,\n"
    "G7,肺炎 保守治疗,comprehensive,J18,,conservative,500,5000,6000\n";

DipScoreTable Table() {
  auto t = ParseDipScoreTable(kTable, "dip.csv");
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : FormatDiagnostics(t.errors()));
  return t.ok() ? *t : DipScoreTable{};
}

DipPaymentRule Rule(std::string extra = "") {
  auto r = ParseDipPaymentRule(
      "[dip_payment]\nyear = 2024\nbudget = 100000\nreserve = \"5%\"\n"
      "[dip_payment.procedure_class]\nsurgery = [\"51\"]\ndiagnostic = [\"87\"]\n" +
          extra,
      "dip.toml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : FormatDiagnostics(r.errors()));
  return r.ok() ? *r : DipPaymentRule{};
}

DipCase Case(std::string id, std::string inst, int level, std::string dx,
             std::vector<std::string> procs, std::string total, std::string fund_item = "0") {
  DipCase c;
  c.id = std::move(id);
  c.institution = std::move(inst);
  c.level = level;
  c.discharge = *Date::Parse("2024-06-30");
  c.main_dx = std::move(dx);
  c.procedures = std::move(procs);
  c.total = *Money::ParseYuan(total);
  c.fund_item = *Money::ParseYuan(fund_item);
  return c;
}

std::string GroupOf(const DipScoreTable& t, const DipPaymentRule& r, std::string dx,
                    std::vector<std::string> procs) {
  std::string how;
  const DipGroup* g = t.Match(dx, procs, r.ClassOf(procs), &how);
  return g ? g->code : "none";
}

TEST(DipTable, MatchesCoreThenComprehensive) {
  auto t = Table();
  auto r = Rule();
  EXPECT_EQ(GroupOf(t, r, "K80.100", {"51.2300"}), "G1");             // exact combination
  EXPECT_EQ(GroupOf(t, r, "k80.100", {"51.2300", "87.5100"}), "G2");  // exact, any order
  EXPECT_EQ(GroupOf(t, r, "K80.100", {"51.2300", "99.0400"}), "G1");  // largest subset with main
  EXPECT_EQ(GroupOf(t, r, "K80.100", {"99.0400", "51.2300"}), "G5");  // main 99.04 in no combo
  EXPECT_EQ(GroupOf(t, r, "K80.100", {}), "G3");                      // 保守治疗 core row
  EXPECT_EQ(GroupOf(t, r, "K80.000", {"51.2200"}), "G4");             // shorter prefix K80
  EXPECT_EQ(GroupOf(t, r, "K80.000", {"51.2300"}), "G5");             // surgery class
  EXPECT_EQ(GroupOf(t, r, "K80.000", {}), "G6");
  EXPECT_EQ(GroupOf(t, r, "K80.000", {"87.5100"}), "none");  // 诊断性操作: no K80 row
  EXPECT_EQ(GroupOf(t, r, "K81.000", {}), "none");
  // The class is the highest of the procedures; unlisted codes are 治疗性操作 by default.
  EXPECT_EQ(r.ClassOf({"87.5100", "51.2300"}), DipProcedureClass::kSurgery);
  EXPECT_EQ(r.ClassOf({"99.0400"}), DipProcedureClass::kTherapeutic);
  EXPECT_EQ(r.ClassOf({}), DipProcedureClass::kConservative);
  // A level-specific mean cost.
  EXPECT_EQ(t.MeanCost(t.groups[6], 3), Money::Yuan(6000));
  EXPECT_EQ(t.MeanCost(t.groups[6], 2), Money::Yuan(5000));
}

TEST(DipTable, BadRowsNamedByFileLineColumn) {
  auto t = ParseDipScoreTable(
      "group,type,diagnosis,procedures,procedure_class,score,mean_cost\n"
      "A,core,K80.1,51.2300,,1000,10000\n"
      "A,core,K80.2,51.2300,,1000,10000\n"     // 3: duplicate code
      "B,core,K80.1,51.2300,,1000,10000\n"     // 4: duplicate key
      "C,other,K80.1,,,1,1\n"                  // 5: type
      "D,comprehensive,K80.1,,相关手术,1,1\n"  // 6: not a category
      "E,comprehensive,K80,,手术,1,1\n"        // 7: class
      "F,core,K80.3,51.23++1,,1.23456,-1\n"    // 8: combination, score, mean
      "G,core,K80.4,,保守治疗,1,1\n",          // 9: core with class
      "bad.csv");
  ASSERT_FALSE(t.ok());
  std::string all = FormatDiagnostics(t.errors());
  for (const char* want :
       {"bad.csv:3: group: group A is on an earlier line", "bad.csv:4: procedures: diagnosis K80.1",
        "bad.csv:5: type: expected core", "bad.csv:6: diagnosis: a comprehensive group's",
        "bad.csv:7: procedure_class: expected 保守治疗", "bad.csv:8: procedures:",
        "bad.csv:8: score:", "bad.csv:8: mean_cost:", "bad.csv:9: procedure_class: a core group"})
    EXPECT_NE(all.find(want), std::string::npos) << want << "\n" << all;
  EXPECT_FALSE(ParseDipScoreTable("group,type\n", "h.csv").ok());  // columns missing
  EXPECT_FALSE(ParseDipScoreTable("", "e.csv").ok());
  EXPECT_FALSE(ParseDipScoreTable("group,type,diagnosis,score\n\xb7\xce,core,K,1\n", "g.csv").ok());
}

int64_t PointsOf(const DipPaymentRule& r, const DipCase& c) {
  auto t = Table();
  auto s = ScoreDipCase(r, t, c);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : FormatDiagnostics(s.errors()));
  return s.ok() ? s->points : -1;
}

constexpr int64_t P = kDipScoreScale;  // one point

// National (医保办发〔2020〕50号 as recalled in Part C (d)): ≥ 2× or ≤ 50% of the group's mean.
TEST(DipPayment, NationalOutlierFormulasGolden) {
  auto r = Rule();
  // G1: score 1000, mean 10000.
  // Normal: 12000 is within (5000, 20000): the score, 1000.
  EXPECT_EQ(PointsOf(r, Case("a", "H1", 3, "K80.100", {"51.2300"}, "12000")), 1000 * P);
  // High: 30000 ≥ 2 × 10000: [(30000 ÷ 10000 − 2) + 1] × 1000 = [(3 − 2) + 1] × 1000 = 2000.
  EXPECT_EQ(PointsOf(r, Case("b", "H1", 3, "K80.100", {"51.2300"}, "30000")), 2000 * P);
  // At exactly 2×: high, [(2 − 2) + 1] × 1000 = 1000 (continuous with the normal score).
  EXPECT_EQ(PointsOf(r, Case("c", "H1", 3, "K80.100", {"51.2300"}, "20000")), 1000 * P);
  // 25000: [(2.5 − 2) + 1] × 1000 = 1500.
  EXPECT_EQ(PointsOf(r, Case("d", "H1", 3, "K80.100", {"51.2300"}, "25000")), 1500 * P);
  // Low: 4000 ≤ 50% × 10000: 4000 ÷ 10000 × 1000 = 400.
  EXPECT_EQ(PointsOf(r, Case("e", "H1", 3, "K80.100", {"51.2300"}, "4000")), 400 * P);
  // At exactly 50%: low, 5000 ÷ 10000 × 1000 = 500; one fen above: normal, 1000.
  EXPECT_EQ(PointsOf(r, Case("f", "H1", 3, "K80.100", {"51.2300"}, "5000")), 500 * P);
  EXPECT_EQ(PointsOf(r, Case("g", "H1", 3, "K80.100", {"51.2300"}, "5000.01")), 1000 * P);
  // Rounded once to 0.0001 point, half-up: 3333.33 ÷ 10000 × 1000 = 333.333 exactly.
  EXPECT_EQ(PointsOf(r, Case("h", "H1", 3, "K80.100", {"51.2300"}, "3333.33")), 3333330);
  // G3 (score 400, mean 3000; 保守治疗): 1000.01 ÷ 3000 × 400 = 133.3346666… → 133.3347;
  // 1000 ÷ 3000 × 400 = 133.3333… → 133.3333.
  EXPECT_EQ(PointsOf(r, Case("i", "H1", 3, "K80.100", {}, "1000.01")), 1333347);
  EXPECT_EQ(PointsOf(r, Case("j", "H1", 3, "K80.100", {}, "1000")), 1333333);
}

// A DIP city of Part B5: high ≥ 1.5×, low ≤ 0.6× (thresholds and formulas are data).
TEST(DipPayment, CityThresholdsOnePointFiveAndPointSix) {
  auto r = Rule("");
  r.high_outlier_ratio = *Ratio::Parse("1.5");
  r.low_outlier_ratio = Ratio::Percent(60);
  // 18000 ≥ 15000: [(18000 ÷ 10000 − 1.5) + 1] × 1000 = [(1.8 − 1.5) + 1] × 1000 = 1300.
  EXPECT_EQ(PointsOf(r, Case("a", "H1", 3, "K80.100", {"51.2300"}, "18000")), 1300 * P);
  // 15000 exactly: high, [(1.5 − 1.5) + 1] × 1000 = 1000.
  EXPECT_EQ(PointsOf(r, Case("b", "H1", 3, "K80.100", {"51.2300"}, "15000")), 1000 * P);
  // 6000 ≤ 6000: low, 600; 6000.01: normal, 1000.
  EXPECT_EQ(PointsOf(r, Case("c", "H1", 3, "K80.100", {"51.2300"}, "6000")), 600 * P);
  EXPECT_EQ(PointsOf(r, Case("d", "H1", 3, "K80.100", {"51.2300"}, "6000.01")), 1000 * P);
  // Formulas as data: "proportional" high: 18000 ÷ 10000 × 1000 = 1800; "score" low: 1000.
  r.high_formula = DipPaymentRule::HighFormula::kProportional;
  r.low_formula = DipPaymentRule::LowFormula::kScore;
  EXPECT_EQ(PointsOf(r, Case("e", "H1", 3, "K80.100", {"51.2300"}, "18000")), 1800 * P);
  EXPECT_EQ(PointsOf(r, Case("f", "H1", 3, "K80.100", {"51.2300"}, "6000")), 1000 * P);
}

// 医院等级系数, 厦门 2024 style: 三级 0.93, 二级 0.72 (Part B5).
TEST(DipPayment, LevelCoefficients) {
  auto r = Rule("[dip_payment.level_coefficient]\n\"3\" = \"0.93\"\n\"2\" = \"0.72\"\n");
  // 1000 × 0.93 = 930; the high case [(3 − 2) + 1] × 1000 × 0.93 = 1860; 二级: 1000 × 0.72 = 720.
  EXPECT_EQ(PointsOf(r, Case("a", "H1", 3, "K80.100", {"51.2300"}, "12000")), 930 * P);
  EXPECT_EQ(PointsOf(r, Case("b", "H1", 3, "K80.100", {"51.2300"}, "30000")), 1860 * P);
  EXPECT_EQ(PointsOf(r, Case("c", "H2", 2, "K80.100", {"51.2300"}, "12000")), 720 * P);
  // The level-3 mean of G7 is 6000: 11000 < 2 × 6000 is normal at 三级, high at 二级 (mean 5000:
  // [(11000 ÷ 5000 − 2) + 1] × 500 × 0.72 = 1.2 × 500 × 0.72 = 432).
  EXPECT_EQ(PointsOf(r, Case("d", "H1", 3, "J18.900", {}, "11000")), 465 * P);  // 500 × 0.93
  EXPECT_EQ(PointsOf(r, Case("e", "H2", 2, "J18.900", {}, "11000")), 432 * P);
  // A level without a coefficient cannot be scored.
  auto t = Table();
  EXPECT_FALSE(ScoreDipCase(r, t, Case("f", "H3", 1, "K80.100", {"51.2300"}, "12000")).ok());
}

TEST(DipPayment, YearSettlementGolden) {
  auto t = Table();
  auto r = Rule("[dip_payment.level_coefficient]\n\"3\" = 1\n\"2\" = \"0.85\"\n");
  std::vector<DipCase> cases = {
      Case("a", "H1", 3, "K80.100", {"51.2300"}, "12000", "9000"),   // 1000 points
      Case("b", "H1", 3, "K80.100", {"51.2300"}, "30000", "24000"),  // 2000 (high)
      Case("c", "H1", 3, "K80.100", {"51.2300"}, "4000", "3000"),    // 400 (low)
      Case("d", "H2", 2, "K80.100", {"51.2300"}, "9000", "6000"),    // 1000 × 0.85 = 850
      Case("e", "H2", 2, "K81.000", {}, "2000", "1500"),             // no group: by item 1500
  };
  Diagnostics errors;
  auto y = SettleDipYear(r, t, cases, &errors);
  ASSERT_TRUE(y.ok()) << FormatDiagnostics(y.errors());
  ASSERT_TRUE(errors.empty()) << FormatDiagnostics(errors);
  // Reserve 5% × 100000 = 5000; distributable = 100000 − 5000 − 1500 = 93500;
  // points = 1000 + 2000 + 400 + 850 = 4250; point value = 93500 ÷ 4250 = 22 yuan.
  EXPECT_EQ(y->reserve, Money::Yuan(5000));
  EXPECT_EQ(y->by_item, Money::Yuan(1500));
  EXPECT_EQ(y->distributable, Money::Yuan(93500));
  EXPECT_EQ(y->total_points, 4250 * P);
  EXPECT_EQ(y->point_value, "22.000000");
  // a 1000 × 22 = 22000; b 44000; c 8800; d 850 × 22 = 18700; e by item 1500.
  const char* want[] = {"22000.00", "44000.00", "8800.00", "18700.00", "1500.00"};
  ASSERT_EQ(y->cases.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(y->cases[i].fund_payment.ToString(), want[i]) << i;
  EXPECT_EQ(y->cases[4].kind, "ungrouped");
  EXPECT_EQ(y->cases[1].kind, "high_outlier");
  // A case of another year is refused by id.
  cases[0].discharge = *Date::Parse("2023-12-31");
  y = SettleDipYear(r, t, cases, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "case a");
  // A budget below reserve + by-item payments is an error.
  r.budget = Money::Yuan(1000);
  r.reserve_share.reset();
  EXPECT_FALSE(SettleDipYear(r, t, cases, &errors).ok());
}

TEST(DipPayment, LargestRemainderSharesExactly) {
  // 100 fen in thirds: 33 each, 1 left; equal remainders → the smallest key ("a") gets it.
  auto m = ShareByLargestRemainder(Money::Fen(100), {1, 1, 1}, {"b", "a", "c"});
  EXPECT_EQ(m[0].fen(), 33);
  EXPECT_EQ(m[1].fen(), 34);
  EXPECT_EQ(m[2].fen(), 33);
  // 100 × 1/3 = 33.33 → 33 (remainder 1/3); 100 × 2/3 = 66.67 → 66 (remainder 2/3) gets the fen.
  m = ShareByLargestRemainder(Money::Fen(100), {1, 2}, {"a", "b"});
  EXPECT_EQ(m[0].fen(), 33);
  EXPECT_EQ(m[1].fen(), 67);
}

TEST(DipPaymentRuleToml, BadLinesNamedByFileLine) {
  auto r = ParseDipPaymentRule(
      "[dip_payment]\n"
      "year = 24\n"
      "budget = 1.5\n"
      "high_formula = \"cubic\"\n"
      "low_outlier_ratio = \"250%\"\n"
      "bogus = 1\n"
      "[dip_payment.procedure_class]\n"
      "surgery = [\"51\"]\n"
      "diagnostic = [\"51\"]\n",
      "bad.toml");
  ASSERT_FALSE(r.ok());
  std::string all = FormatDiagnostics(r.errors());
  for (const char* want :
       {"bad.toml:2: dip_payment.year", "bad.toml:3: dip_payment.budget: bare TOML float",
        "bad.toml:4: dip_payment.high_formula", "bad.toml:5: dip_payment.low_outlier_ratio",
        "bad.toml:6: dip_payment.bogus: unknown key",
        "bad.toml:9: dip_payment.procedure_class.diagnostic: prefix 51 is in two lists"})
    EXPECT_NE(all.find(want), std::string::npos) << want << "\n" << all;
  EXPECT_FALSE(ParseDipPaymentRule("[dip_payment]\nyear = 2024\n", "m.toml").ok());  // budget
}

}  // namespace
}  // namespace yibao

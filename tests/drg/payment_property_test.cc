// Properties of batch payment, statements and clearing on random batches (fixed seeds): statements
// sum to the cases, each clearing balances, the 5% cap is never exceeded, DIP shares the budget
// to the fen, and nothing depends on the order of the cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "drg/casemix_indicators.h"
#include "drg/dip_payment.h"
#include "drg/drg_batch.h"
#include "drg/drg_statement.h"

namespace yibao {
namespace {

const char kTable[] =
    "DRG编码,RW\n"
    "AA11,2.5\nBB13,1.25\nCC15,0.8\nDD19,0.333\nEE19,按项目据实支付\n";

const char kDipTable[] =
    "group,type,diagnosis,procedures,procedure_class,score,mean_cost\n"
    "G1,core,A01,,,500,5000\n"
    "G2,core,A01,51.2300,,1200,12000\n"
    "G3,core,B02,,,333.3333,3333\n"
    "G4,comprehensive,C03,,保守治疗,777,7770\n";

struct World {
  DrgWeights weights;
  DrgPaymentRule rule;
  DipScoreTable dip_table;
  DipPaymentRule dip_rule;
};

World MakeWorld() {
  World w;
  w.weights = *ParseDrgWeightsCsv(kTable, "t.csv");
  auto r = ParseDrgPaymentRule(
      "[drg_payment]\nbase_rate = \"9876.5\"\n"
      "[drg_payment.level_coefficient]\n\"3\" = \"1.05\"\n\"2\" = \"0.93\"\n\"1\" = \"0.8\"\n"
      "[drg_payment.statement]\nadvance_share = \"87%\"\ndeposit_share = \"3.5%\"\n",
      "r.toml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : FormatDiagnostics(r.errors()));
  w.rule = *r;
  w.dip_table = *ParseDipScoreTable(kDipTable, "d.csv");
  auto d = ParseDipPaymentRule(
      "[dip_payment]\nyear = 2024\nbudget = \"2345678.91\"\nreserve = \"3%\"\n"
      "[dip_payment.level_coefficient]\n\"3\" = \"1\"\n\"2\" = \"0.85\"\n\"1\" = \"0.7\"\n",
      "d.toml");
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : FormatDiagnostics(d.errors()));
  w.dip_rule = *d;
  return w;
}

std::vector<DrgBatchCase> RandomDrgBatch(std::mt19937_64& rng, int n) {
  static const char* kDrgs[] = {"AA11", "BB13", "CC15", "DD19", "EE19", "0000", "GQY", "ZZ99"};
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  std::vector<DrgBatchCase> batch;
  for (int i = 0; i < n; ++i) {
    DrgBatchCase b;
    b.id = "C" + std::to_string(i);
    b.discharge = Date::FromYmd(2024, int(pick(1, 12)), int(pick(1, 28)));
    b.costs.drg = kDrgs[pick(0, 7)];
    b.costs.institution = "H" + std::to_string(pick(1, 4));
    b.costs.hospital_level = int(pick(1, 3));
    // Totals spread over 0.1× .. 5× a standard of about 10000, so both outliers occur often.
    b.costs.total = Money::Fen(pick(100'00, 50'000'00) * (pick(0, 9) == 0 ? 3 : 1));
    b.costs.fund_item = Money::Fen(b.costs.total.fen() * pick(40, 90) / 100);
    batch.push_back(std::move(b));
  }
  return batch;
}

TEST(PaymentProperty, StatementsSumToCasesAndClearingBalances) {
  World w = MakeWorld();
  std::mt19937_64 rng(20240301);
  for (int round = 0; round < 20; ++round) {
    auto batch = RandomDrgBatch(rng, 400);
    Diagnostics errors;
    auto paid = PayDrgBatch(w.rule, w.weights, batch, &errors);
    ASSERT_TRUE(errors.empty()) << FormatDiagnostics(errors);
    ASSERT_EQ(paid.size(), batch.size());
    auto st = BuildMonthlyStatements(paid, w.rule.schedule);
    // Statements sum to the cases, per hospital and month.
    std::map<std::pair<std::string, int>, Money> owed;
    std::map<std::pair<std::string, int>, int64_t> count;
    for (const PaidCase& c : paid) {
      owed[{c.institution, c.discharge.month()}] += c.fund_payment;
      ++count[{c.institution, c.discharge.month()}];
    }
    ASSERT_EQ(st.size(), owed.size());
    Money all;
    for (const MonthlyStatement& s : st) {
      EXPECT_EQ(s.owed, (owed[{s.institution, s.month}]));
      EXPECT_EQ(s.cases, (count[{s.institution, s.month}]));
      EXPECT_EQ(s.advance + s.deposit + s.remainder, s.owed);
      EXPECT_FALSE(s.remainder.is_negative());
      all += s.owed;
    }
    Money cases_sum;
    for (const PaidCase& c : paid) cases_sum += c.fund_payment;
    EXPECT_EQ(all, cases_sum);
    // Clearing: advances + deposit released + final payment = amount owed, per hospital.
    std::map<std::string, int64_t, std::less<>> scores = {{"H1", 9950}, {"H2", 5000}, {"H3", 0}};
    auto cl = ClearYears(st, w.rule.schedule, scores);
    Money cleared;
    for (const AnnualClearing& c : cl) {
      EXPECT_EQ(c.advances + c.deposit_released + c.final_payment, c.amount_owed) << c.institution;
      EXPECT_EQ(c.amount_owed + c.deposit_withheld, c.owed_by_method);
      EXPECT_LE(c.deposit_released, c.deposit_held);
      EXPECT_FALSE(c.final_payment.is_negative());
      cleared += c.owed_by_method;
    }
    EXPECT_EQ(cleared, cases_sum);
  }
}

TEST(PaymentProperty, FivePercentCapNeverExceeded) {
  World w = MakeWorld();
  std::mt19937_64 rng(7);
  for (auto period : {HighOutlierCap::Period::kMonth, HighOutlierCap::Period::kYear}) {
    w.rule.high_outlier_cap.period = period;
    for (int round = 0; round < 20; ++round) {
      auto batch = RandomDrgBatch(rng, 500);
      Diagnostics errors;
      auto paid = PayDrgBatch(w.rule, w.weights, batch, &errors);
      std::map<std::tuple<std::string, int, int>, int64_t> discharges, by_item_highs, highs;
      for (const PaidCase& c : paid) {
        std::tuple<std::string, int, int> key{
            c.institution, c.discharge.year(),
            period == HighOutlierCap::Period::kMonth ? c.discharge.month() : 0};
        ++discharges[key];
        by_item_highs[key] += c.kind == "high_outlier";
        highs[key] += c.high_outlier;
        if (c.kind == "high_outlier_capped") {
          EXPECT_TRUE(c.high_outlier);
        }
      }
      int64_t capped_somewhere = 0;
      for (const auto& [key, n] : discharges) {
        // floor(5% × n): never more by item, and exactly that many when there are more highs.
        EXPECT_LE(by_item_highs[key] * 100, n * 5);
        EXPECT_EQ(by_item_highs[key], std::min(highs[key], n * 5 / 100));
        capped_somewhere += highs[key] - by_item_highs[key];
      }
      EXPECT_GT(capped_somewhere, 0);  // the batches do exercise the cap
    }
  }
}

// Results keyed by id, to compare runs over shuffled batches.
std::map<std::string, std::pair<std::string, Money>> ById(const std::vector<PaidCase>& paid) {
  std::map<std::string, std::pair<std::string, Money>> m;
  for (const PaidCase& c : paid) m[c.id] = {std::string(c.kind), c.fund_payment};
  return m;
}

TEST(PaymentProperty, DrgResultsIndependentOfCaseOrder) {
  World w = MakeWorld();
  std::mt19937_64 rng(99);
  auto batch = RandomDrgBatch(rng, 600);
  // Ties in total − standard, so that the id tie-break is exercised.
  for (int i = 0; i < 40; ++i) {
    batch[i].costs.drg = "BB13";
    batch[i].costs.institution = "H1";
    batch[i].costs.hospital_level = 3;
    batch[i].discharge = Date::FromYmd(2024, 5, 1);
    batch[i].costs.total = Money::Yuan(60000);
  }
  Diagnostics errors;
  auto first = PayDrgBatch(w.rule, w.weights, batch, &errors);
  auto st = BuildMonthlyStatements(first, w.rule.schedule);
  auto ind = ComputeCasemixIndicators(first);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(batch.begin(), batch.end(), rng);
    auto again = PayDrgBatch(w.rule, w.weights, batch, &errors);
    EXPECT_EQ(ById(again), ById(first));
    auto st2 = BuildMonthlyStatements(again, w.rule.schedule);
    ASSERT_EQ(st2.size(), st.size());
    for (size_t i = 0; i < st.size(); ++i) {
      EXPECT_EQ(st2[i].institution, st[i].institution);
      EXPECT_EQ(st2[i].owed, st[i].owed);
      EXPECT_EQ(st2[i].advance, st[i].advance);
    }
    auto ind2 = ComputeCasemixIndicators(again);
    ASSERT_EQ(ind2.size(), ind.size());
    for (size_t i = 0; i < ind.size(); ++i) {
      EXPECT_EQ(ind2[i].group, ind[i].group);
      EXPECT_TRUE(ind2[i].weight_sum == ind[i].weight_sum);
      EXPECT_EQ(ind2[i].gain(), ind[i].gain());
    }
  }
}

std::vector<DipCase> RandomDipYear(std::mt19937_64& rng, int n) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  static const char* kDx[] = {"A01.000", "B02.100", "C03.900", "D04.000"};
  std::vector<DipCase> cases;
  for (int i = 0; i < n; ++i) {
    DipCase c;
    c.id = "D" + std::to_string(i);
    c.institution = "H" + std::to_string(pick(1, 5));
    c.level = int(pick(1, 3));
    c.discharge = Date::FromYmd(2024, int(pick(1, 12)), int(pick(1, 28)));
    c.main_dx = kDx[pick(0, 3)];
    if (pick(0, 1)) c.procedures = {"51.2300"};
    c.total = Money::Fen(pick(500'00, 30'000'00));
    c.fund_item = Money::Fen(c.total.fen() * pick(50, 90) / 100);
    cases.push_back(std::move(c));
  }
  return cases;
}

TEST(PaymentProperty, DipSharesTheBudgetExactlyWhateverTheOrder) {
  World w = MakeWorld();
  std::mt19937_64 rng(2024);
  for (int round = 0; round < 10; ++round) {
    auto cases = RandomDipYear(rng, 300);
    Diagnostics errors;
    auto y = SettleDipYear(w.dip_rule, w.dip_table, cases, &errors);
    ASSERT_TRUE(y.ok()) << FormatDiagnostics(y.errors());
    ASSERT_TRUE(errors.empty()) << FormatDiagnostics(errors);
    Money shared, by_item;
    int64_t points = 0;
    for (const PaidCase& c : y->cases) {
      if (c.weighted)
        shared += c.fund_payment;
      else
        by_item += c.fund_payment;
      points += c.points;
    }
    // Σ money of grouped cases = budget − reserve − by item, to the fen.
    EXPECT_EQ(shared, y->distributable);
    EXPECT_EQ(by_item, y->by_item);
    EXPECT_EQ(points, y->total_points);
    EXPECT_EQ(y->reserve, Ratio::Percent(3).Apply(w.dip_rule.budget));
    // Each case within one fen of points × point value (exact rational).
    for (const PaidCase& c : y->cases) {
      if (!c.weighted) continue;
      __int128 exact_x = __int128(y->distributable.fen()) * c.points;  // ÷ total_points
      __int128 got_x = __int128(c.fund_payment.fen()) * y->total_points;
      __int128 diff = got_x - exact_x;
      if (diff < 0) diff = -diff;
      EXPECT_TRUE(diff < 2 * __int128(y->total_points)) << c.id;
    }
    // Statements and clearing reconcile for DIP too.
    auto st = BuildMonthlyStatements(y->cases, w.dip_rule.schedule);
    Money owed;
    for (const MonthlyStatement& s : st) owed += s.owed;
    EXPECT_EQ(owed, y->distributable + y->by_item);
    // Order independence.
    std::shuffle(cases.begin(), cases.end(), rng);
    auto y2 = SettleDipYear(w.dip_rule, w.dip_table, cases, &errors);
    ASSERT_TRUE(y2.ok());
    EXPECT_EQ(ById(y2->cases), ById(y->cases));
    EXPECT_EQ(y2->point_value, y->point_value);
  }
}

}  // namespace
}  // namespace yibao

// DIP (按病种分值付费, 区域点数法总额预算) payment of a region's year (docs/formats/dip.md):
//   1. each case is matched to a group of the score table (dip_table.h); a case with no group is
//      paid by item (its fund item payment);
//   2. its points: the group's score (病种分值), adjusted for 费用偏差 cases — high when the total
//      fee ≥ high_outlier_ratio × the group's mean cost (national 2×), low when ≤
//      low_outlier_ratio × mean (national 50%); national formulas: low 病例分值 = 费用 ÷ 均次 ×
//      病种分值, high = [(费用 ÷ 均次 − 2) + 1] × 病种分值, the 2 being the rule's high ratio —
//      then × the hospital's coefficient (institution, else 医院等级系数, else 1), rounded half-up
//      once to 0.0001 point;
//   3. point value (点值) = (budget − reserve − by-item payments) ÷ total points of the year;
//   4. money: that distributable amount shared out exactly, in fen, in proportion to points —
//      first among hospitals, then within each hospital among its cases — by largest remainder
//      (each share is rounded down; the fen left over go one each to the largest remainders, ties
//      to the smaller institution code / case id). So Σ hospitals = distributable exactly, each
//      hospital's money = Σ its cases', and each share is within one fen of points × point value.
//
// Pure and deterministic; with distinct case ids the result does not depend on the case order.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/date.h"
#include "base/diagnostic.h"
#include "base/money.h"
#include "base/ratio.h"
#include "drg/dip_table.h"
#include "drg/drg_statement.h"

namespace yibao {

struct DipPaymentRule {
  enum class HighFormula { kExcess, kProportional, kScore };
  enum class LowFormula { kProportional, kScore };
  std::string region;
  int year = 0;  // the settlement year; cases discharged in another year are refused
  Money budget;  // the fund's DIP budget for the year (年度医保基金预算)
  // Held back before the point value: a share of the budget or an amount (调节金 / 风险金).
  std::optional<Ratio> reserve_share;
  Money reserve_amount;
  Ratio high_outlier_ratio = Ratio::Percent(200);  // total ≥ ratio × mean: high
  Ratio low_outlier_ratio = Ratio::Percent(50);    // total ≤ ratio × mean: low
  // kExcess: [(total ÷ mean − high ratio) + 1] × score (national); kProportional: total ÷ mean ×
  // score; kScore: the score unchanged.
  HighFormula high_formula = HighFormula::kExcess;
  LowFormula low_formula = LowFormula::kProportional;  // kProportional: total ÷ mean × score
  std::map<int, Ratio> level_coefficient;              // 医院等级系数; empty: all 1
  std::map<std::string, Ratio, std::less<>> institution_coefficient;
  // Procedure class by code prefix (longest prefix wins), for comprehensive groups.
  std::vector<std::pair<std::string, DipProcedureClass>> procedure_prefixes;
  DipProcedureClass unlisted_procedure = DipProcedureClass::kTherapeutic;
  PaymentSchedule schedule;

  Money Reserve() const;  // reserve_share × budget (half-up) or reserve_amount
  // The highest class of the procedures (保守治疗 when there is none).
  DipProcedureClass ClassOf(const std::vector<std::string>& procedures) const;
};

// From a TOML file with a [dip_payment] table; errors "file:line: field: message".
Result<DipPaymentRule> ParseDipPaymentRule(std::string_view text, std::string_view file_name);

struct DipCase {
  std::string id;
  std::string institution;
  int level = 0;
  Date discharge;
  std::string main_dx;
  std::vector<std::string> procedures;               // the main one first
  std::optional<DipProcedureClass> procedure_class;  // given by the case file; else ClassOf
  Money total;
  Money fund_item;
};

struct DipCaseScore {
  enum class Kind { kNormal, kHighOutlier, kLowOutlier, kUngrouped };
  const DipGroup* group = nullptr;
  Kind kind = Kind::kUngrouped;
  int64_t points = 0;  // × 10^4
  std::string explanation;
};

std::string_view DipPaymentKindName(DipCaseScore::Kind kind);  // "normal", "high_outlier", …

// Points of one case. Errors only when the rule has no coefficient for the hospital's level.
Result<DipCaseScore> ScoreDipCase(const DipPaymentRule& rule, const DipScoreTable& table,
                                  const DipCase& c);

struct DipYear {
  std::vector<PaidCase> cases;  // in input order; cases with errors left out
  int64_t total_points = 0;     // × 10^4
  Money budget, reserve, by_item, distributable;
  std::string point_value;  // yuan per point, 6 decimals (display; money is shared exactly)
};

// Errors: the year's budget cannot cover the reserve and the by-item payments. Cases that cannot
// be scored (or are of another year) are left out and reported in `case_errors` by id.
Result<DipYear> SettleDipYear(const DipPaymentRule& rule, const DipScoreTable& table,
                              const std::vector<DipCase>& cases, Diagnostics* case_errors);

// `total` shared in proportion to `weights` (≥ 0, Σ > 0) by largest remainder; ties to the
// smaller key. Σ result = total exactly.
std::vector<Money> ShareByLargestRemainder(Money total, const std::vector<int64_t>& weights,
                                           const std::vector<std::string_view>& keys);

}  // namespace yibao

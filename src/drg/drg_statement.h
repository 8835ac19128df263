// Hospital-level settlement of case-mix payment, shared by DRG and DIP: the per-hospital monthly
// statements (月度结算单: what the fund owes for the month's discharges, the advance paid now, the
// quality deposit held back) and the annual clearing (年终清算: the year's total owed, the advances
// paid, the deposit released by the hospital's assessment score, the final payment).
//
// Input is one PaidCase per discharge, already paid by DRG (drg_batch.h) or DIP (dip_payment.h),
// so that the statements reconcile to the cases by construction: a statement's `owed` is the exact
// sum of its cases' fund payments, a clearing's `owed_by_method` the sum of its statements'.
//
// Rounding (the only rounding here): a month's advance and deposit are each the month's owed ×
// share, half-up to the fen (Ratio::Apply); the deposit released is the year's deposit held ×
// release ratio, half-up. Everything else is exact addition and subtraction, so:
//   advance + deposit + remainder = owed                         (each statement)
//   advances + deposit_released + final_payment = amount_owed    (each clearing)
//   amount_owed + deposit_withheld = owed_by_method              (each clearing)
//
// Pure and deterministic: outputs are sorted by institution, year, month, whatever the case order.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "base/money.h"
#include "base/ratio.h"

namespace yibao {

// The part of a deposit released for an assessment score at or above `min_score`.
struct DepositReleaseBand {
  int64_t min_score_x100 = 0;  // score × 100 (scores carry up to 2 decimals: 92.5 → 9250)
  Ratio release;
};

// The money calendar of a payment method: rule data ([drg_payment.statement] / [.clearing] and the
// same under [dip_payment], docs/formats/drg.md "Statements and clearing").
struct PaymentSchedule {
  Ratio advance_share = Ratio::Percent(90);  // 月度预付: share of the month's owed paid now
  Ratio deposit_share = Ratio::Percent(3);   // 质量保证金: share held back until the clearing
  // Highest band first; a score below every band releases nothing. Empty: linear, release =
  // score ÷ 100 (a score of 92.5 releases 92.5% of the deposit).
  std::vector<DepositReleaseBand> release_bands;
  int64_t default_score_x100 = 10000;  // a hospital without an assessment score
};

// One discharge as paid by a case-mix method.
struct PaidCase {
  std::string id;
  std::string institution;  // fixmedins_code
  int level = 0;            // hospital level 1/2/3, 0 others
  Date discharge;           // 出院日期: the month and year it is settled in
  std::string group;        // DRG code or DIP group code; "" when the case has none
  std::string_view kind;    // DrgPaymentKindName / DipPaymentKindName: a static name
  bool weighted = false;    // has a weight (RW, 病种分值): counts in the CMI
  bool high_outlier = false;
  bool low_outlier = false;
  // Relative weight: RW × 10^9 (DRG) or 病种分值 × 10^4 (DIP); 0 when not weighted.
  int64_t weight = 0;
  int64_t points = 0;  // DIP points earned × 10^4 (after outlier formulas and coefficients)
  Money standard;      // DRG 支付标准 (0 for DIP)
  Money total;         // 医疗总费用
  Money fund_item;     // what the fund would pay by item (hifp_pay)
  Money fund_payment;  // what the fund pays under the method
  std::string explanation;
};

struct MonthlyStatement {
  std::string institution;
  int year = 0;
  int month = 0;
  int64_t cases = 0;
  int64_t high_outliers = 0;
  int64_t low_outliers = 0;
  int64_t unweighted = 0;  // ungrouped or paid by item for want of a weight
  int64_t points = 0;      // DIP points × 10^4
  Money total;
  Money fund_item;
  Money owed;       // Σ fund_payment of the month's cases
  Money advance;    // owed × advance_share, half-up
  Money deposit;    // owed × deposit_share, half-up
  Money remainder;  // owed − advance − deposit: settled at the clearing
};

std::vector<MonthlyStatement> BuildMonthlyStatements(const std::vector<PaidCase>& cases,
                                                     const PaymentSchedule& schedule);

struct AnnualClearing {
  std::string institution;
  int year = 0;
  int64_t cases = 0;
  int64_t months = 0;
  int64_t points = 0;        // DIP points × 10^4
  Money owed_by_method;      // Σ statements' owed (= Σ cases' fund_payment)
  Money advances;            // Σ advance paid during the year
  Money deposit_held;        // Σ deposit held back
  int64_t score_x100 = 0;    // the assessment score used
  bool score_given = false;  // false: the schedule's default score
  Ratio release;             // share of the deposit released
  Money deposit_released;    // deposit_held × release, half-up
  Money deposit_withheld;    // deposit_held − deposit_released (扣减)
  Money amount_owed;         // owed_by_method − deposit_withheld
  Money final_payment;       // amount_owed − advances − deposit_released (清算补付)
};

// The release ratio for a score, by the schedule's bands (or linearly).
Ratio DepositRelease(const PaymentSchedule& schedule, int64_t score_x100);

// One clearing per institution and year of the statements. `scores`: institution → score × 100.
std::vector<AnnualClearing> ClearYears(const std::vector<MonthlyStatement>& statements,
                                       const PaymentSchedule& schedule,
                                       const std::map<std::string, int64_t, std::less<>>& scores);

}  // namespace yibao

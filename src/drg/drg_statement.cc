#include "drg/drg_statement.h"

#include <algorithm>
#include <tuple>

namespace yibao {

std::vector<MonthlyStatement> BuildMonthlyStatements(const std::vector<PaidCase>& cases,
                                                     const PaymentSchedule& schedule) {
  // Keyed so that the output order does not depend on the case order.
  std::map<std::tuple<std::string_view, int, int>, MonthlyStatement> by_month;
  for (const PaidCase& c : cases) {
    int year = c.discharge.year(), month = c.discharge.month();
    MonthlyStatement& s = by_month[{c.institution, year, month}];
    if (s.cases == 0) {
      s.institution = c.institution;
      s.year = year;
      s.month = month;
    }
    ++s.cases;
    s.high_outliers += c.high_outlier;
    s.low_outliers += c.low_outlier;
    s.unweighted += !c.weighted;
    s.points += c.points;
    s.total += c.total;
    s.fund_item += c.fund_item;
    s.owed += c.fund_payment;
  }
  std::vector<MonthlyStatement> out;
  out.reserve(by_month.size());
  for (auto& [key, s] : by_month) {
    s.advance = schedule.advance_share.Apply(s.owed);
    s.deposit = schedule.deposit_share.Apply(s.owed);
    s.remainder = s.owed - s.advance - s.deposit;
    out.push_back(std::move(s));
  }
  return out;
}

Ratio DepositRelease(const PaymentSchedule& schedule, int64_t score_x100) {
  if (schedule.release_bands.empty())  // linear: score% of the deposit
    return Ratio::Ppm(std::clamp<int64_t>(score_x100, 0, 10000) * 100);
  for (const DepositReleaseBand& b : schedule.release_bands)
    if (score_x100 >= b.min_score_x100) return b.release;
  return Ratio::Zero();
}

std::vector<AnnualClearing> ClearYears(const std::vector<MonthlyStatement>& statements,
                                       const PaymentSchedule& schedule,
                                       const std::map<std::string, int64_t, std::less<>>& scores) {
  std::map<std::pair<std::string_view, int>, AnnualClearing> by_year;
  for (const MonthlyStatement& s : statements) {
    AnnualClearing& c = by_year[{s.institution, s.year}];
    if (c.months == 0) {
      c.institution = s.institution;
      c.year = s.year;
    }
    ++c.months;
    c.cases += s.cases;
    c.points += s.points;
    c.owed_by_method += s.owed;
    c.advances += s.advance;
    c.deposit_held += s.deposit;
  }
  std::vector<AnnualClearing> out;
  out.reserve(by_year.size());
  for (auto& [key, c] : by_year) {
    auto it = scores.find(c.institution);
    c.score_given = it != scores.end();
    c.score_x100 = c.score_given ? it->second : schedule.default_score_x100;
    c.release = DepositRelease(schedule, c.score_x100);
    c.deposit_released = c.release.Apply(c.deposit_held);
    c.deposit_withheld = c.deposit_held - c.deposit_released;
    c.amount_owed = c.owed_by_method - c.deposit_withheld;
    c.final_payment = c.amount_owed - c.advances - c.deposit_released;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace yibao

// The case-mix indicators hospitals and the bureau watch, from paid cases (drg_statement.h):
//   - CMI (病例组合指数) = Σ weight ÷ weighted cases. Only weighted cases count, in numerator and
//     denominator alike: ungrouped cases (0000, QY), groups without an RW and DIP cases without a
//     group carry no weight and would drag the index down for reasons that are not case mix;
//   - cost per weight (费用消耗, yuan per RW) = Σ total fee of weighted cases ÷ Σ weight, and the
//     费用消耗指数-style index = the scope's cost per weight ÷ the whole region's;
//   - high / low outlier rates = outliers ÷ weighted cases (an outlier needs a standard, so the
//     same base);
//   - profit / loss (盈亏) = Σ (payment under the method − fund payment by item).
// For DIP the weight is the 病种分值, so "CMI" is the mean score of the scope.
//
// Pure: the rows are sorted (region, then each hospital, each group, each hospital × group), and
// every sum is exact; the ratios are rendered by the caller from the exact sums.
#pragma once

#include <string>
#include <vector>

#include "drg/drg_statement.h"

namespace yibao {

struct CasemixIndicators {
  enum class Scope { kRegion, kHospital, kGroup, kHospitalGroup };
  Scope scope = Scope::kRegion;
  std::string institution;  // "" for kRegion and kGroup
  std::string group;        // "" for kRegion and kHospital
  int64_t cases = 0;
  int64_t weighted_cases = 0;
  int64_t high_outliers = 0;
  int64_t low_outliers = 0;
  __int128 weight_sum = 0;  // Σ weight (× 10^9 RW or × 10^4 score)
  Money weighted_total;     // Σ total fee of weighted cases
  Money total;
  Money fund_item;
  Money fund_payment;
  Money gain() const { return fund_payment - fund_item; }  // > 0: the hospital gains
};

const char* CasemixScopeName(CasemixIndicators::Scope scope);  // region, hospital, group, …

std::vector<CasemixIndicators> ComputeCasemixIndicators(const std::vector<PaidCase>& cases);

// Exact quotients rendered to `decimals` places, half-up ("" when the divisor is 0):
// CMI = weight_sum ÷ (weighted_cases × weight_scale); cost per weight = weighted_total (fen) ÷
// (weight_sum ÷ weight_scale) ÷ 100; rates as percentages.
std::string FormatCmi(const CasemixIndicators& x, int64_t weight_scale, int decimals = 4);
std::string FormatCostPerWeight(const CasemixIndicators& x, int64_t weight_scale);  // yuan, 2 dp
std::string FormatCostIndex(const CasemixIndicators& x, const CasemixIndicators& region);  // 4 dp
std::string FormatRate(int64_t part, int64_t whole);  // "12.50%"

}  // namespace yibao

#include "drg/casemix_indicators.h"

#include <map>
#include <tuple>

namespace yibao {
namespace {

using i128 = __int128;

void Add(CasemixIndicators& x, const PaidCase& c) {
  ++x.cases;
  x.total += c.total;
  x.fund_item += c.fund_item;
  x.fund_payment += c.fund_payment;
  if (!c.weighted) return;
  ++x.weighted_cases;
  x.high_outliers += c.high_outlier;
  x.low_outliers += c.low_outlier;
  x.weight_sum += c.weight;
  x.weighted_total += c.total;
}

// num ÷ den as a decimal with `decimals` places, half-up; num, den ≥ 0, den > 0.
std::string Quotient(i128 num, i128 den, int decimals) {
  i128 scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  i128 q = (num * scale * 2 + den) / (den * 2);
  i128 whole = q / scale, frac = q % scale;
  std::string s = std::to_string(static_cast<int64_t>(whole));
  if (decimals == 0) return s;
  std::string f = std::to_string(static_cast<int64_t>(frac));
  return s + "." + std::string(decimals - f.size(), '0') + f;
}

}  // namespace

const char* CasemixScopeName(CasemixIndicators::Scope scope) {
  switch (scope) {
    case CasemixIndicators::Scope::kRegion:
      return "region";
    case CasemixIndicators::Scope::kHospital:
      return "hospital";
    case CasemixIndicators::Scope::kGroup:
      return "group";
    case CasemixIndicators::Scope::kHospitalGroup:
      return "hospital_group";
  }
  return "?";
}

std::vector<CasemixIndicators> ComputeCasemixIndicators(const std::vector<PaidCase>& cases) {
  using Scope = CasemixIndicators::Scope;
  CasemixIndicators region;
  std::map<std::string_view, CasemixIndicators> hospitals, groups;
  std::map<std::pair<std::string_view, std::string_view>, CasemixIndicators> pairs;
  for (const PaidCase& c : cases) {
    Add(region, c);
    CasemixIndicators& h = hospitals[c.institution];
    h.scope = Scope::kHospital;
    h.institution = c.institution;
    Add(h, c);
    CasemixIndicators& g = groups[c.group];
    g.scope = Scope::kGroup;
    g.group = c.group;
    Add(g, c);
    CasemixIndicators& p = pairs[{c.institution, c.group}];
    p.scope = Scope::kHospitalGroup;
    p.institution = c.institution;
    p.group = c.group;
    Add(p, c);
  }
  std::vector<CasemixIndicators> out;
  out.reserve(1 + hospitals.size() + groups.size() + pairs.size());
  out.push_back(region);
  for (auto& [k, x] : hospitals) out.push_back(std::move(x));
  for (auto& [k, x] : groups) out.push_back(std::move(x));
  for (auto& [k, x] : pairs) out.push_back(std::move(x));
  return out;
}

std::string FormatCmi(const CasemixIndicators& x, int64_t weight_scale, int decimals) {
  if (x.weighted_cases == 0) return "";
  return Quotient(x.weight_sum, i128(x.weighted_cases) * weight_scale, decimals);
}

std::string FormatCostPerWeight(const CasemixIndicators& x, int64_t weight_scale) {
  if (x.weight_sum <= 0) return "";
  // fen × scale ÷ weight_sum = fen per unit weight; ÷ 100 → yuan with 2 decimals.
  return Quotient(i128(x.weighted_total.fen()) * weight_scale, x.weight_sum * 100, 2);
}

std::string FormatCostIndex(const CasemixIndicators& x, const CasemixIndicators& region) {
  // (x.total ÷ x.weight) ÷ (region.total ÷ region.weight): the weight scale cancels.
  if (x.weight_sum <= 0 || region.weight_sum <= 0 || region.weighted_total.fen() <= 0) return "";
  if (x.weighted_total.fen() < 0) return "";
  return Quotient(i128(x.weighted_total.fen()) * region.weight_sum,
                  i128(region.weighted_total.fen()) * x.weight_sum, 4);
}

std::string FormatRate(int64_t part, int64_t whole) {
  if (whole <= 0) return "";
  return Quotient(i128(part) * 100, whole, 2) + "%";
}

}  // namespace yibao

#include "drg/drg_batch.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace yibao {

std::vector<PaidCase> PayDrgBatch(const DrgPaymentRule& rule, const DrgWeights& weights,
                                  const std::vector<DrgBatchCase>& batch, Diagnostics* errors) {
  using Kind = DrgCasePayment::Kind;
  std::vector<PaidCase> out;
  out.reserve(batch.size());
  std::vector<const DrgBatchCase*> source;  // out[i] came from *source[i]
  source.reserve(batch.size());
  DrgCaseCosts costs;
  for (const DrgBatchCase& b : batch) {
    costs = b.costs;
    costs.year = b.discharge.year();
    Result<DrgCasePayment> p = PayCase(rule, weights, costs);
    if (!p.ok()) {
      for (Diagnostic d : p.errors()) {
        d.field = "case " + b.id;
        errors->push_back(std::move(d));
      }
      continue;
    }
    PaidCase c;
    c.id = b.id;
    c.institution = costs.institution;
    c.level = costs.hospital_level;
    c.discharge = b.discharge;
    c.group = costs.drg;
    c.kind = DrgPaymentKindName(p->kind);
    const DrgGroupWeight* g = weights.Find(costs.drg);
    c.weighted = g && !g->duplicate && g->rw && *g->rw > 0 && p->kind != Kind::kUngrouped;
    c.weight = c.weighted ? *g->rw : 0;
    c.high_outlier = p->kind == Kind::kHighOutlier;
    c.low_outlier = p->kind == Kind::kLowOutlier;
    c.standard = p->standard;
    c.total = costs.total;
    c.fund_item = costs.fund_item;
    c.fund_payment = p->fund_payment;
    c.explanation = std::move(p->explanation);
    out.push_back(std::move(c));
    source.push_back(&b);
  }
  if (!rule.high_outlier_cap.enabled) return out;

  // Per hospital and period: the discharges, and the high outliers to rank.
  const bool by_month = rule.high_outlier_cap.period == HighOutlierCap::Period::kMonth;
  using Key = std::tuple<std::string_view, int, int>;
  std::map<Key, int64_t> discharges;
  std::map<Key, std::vector<size_t>> highs;
  for (size_t i = 0; i < out.size(); ++i) {
    const PaidCase& c = out[i];
    Key key{c.institution, c.discharge.year(), by_month ? c.discharge.month() : 0};
    ++discharges[key];
    if (c.high_outlier) highs[key].push_back(i);
  }
  for (auto& [key, list] : highs) {
    int64_t allowed = rule.high_outlier_cap.Allowed(discharges[key]);
    if (int64_t(list.size()) <= allowed) continue;
    std::sort(list.begin(), list.end(), [&](size_t a, size_t b) {
      Money ea = out[a].total - out[a].standard, eb = out[b].total - out[b].standard;
      if (ea != eb) return ea > eb;
      if (out[a].id != out[b].id) return out[a].id < out[b].id;
      return a < b;
    });
    std::string period = by_month ? std::to_string(std::get<1>(key)) + "-" +
                                        (std::get<2>(key) < 10 ? "0" : "") +
                                        std::to_string(std::get<2>(key))
                                  : std::to_string(std::get<1>(key));
    std::string cap = "high outliers of " + std::string(std::get<0>(key)) + " in " + period + ": " +
                      std::to_string(list.size()) + " of " + std::to_string(discharges[key]) +
                      " discharges, " + rule.high_outlier_cap.share.ToString() + " allows " +
                      std::to_string(allowed);
    for (size_t rank = 0; rank < list.size(); ++rank) {
      PaidCase& c = out[list[rank]];
      std::string ranked = "; ranked " + std::to_string(rank + 1) + " by total − standard " +
                           (c.total - c.standard).ToString() + " (" + cap + ")";
      if (int64_t(rank) < allowed) {
        c.explanation += ranked;
        continue;
      }
      DrgCaseCosts costs = source[list[rank]]->costs;
      std::string formula;
      c.fund_payment = DrgFormulaPayment(rule, c.standard, costs, &formula);
      c.kind = DrgPaymentKindName(Kind::kHighOutlierCapped);
      // The by-item sentence PayCase wrote no longer holds: the case is paid the formula.
      c.explanation.resize(std::min(c.explanation.size(), c.explanation.find("; paid by item")));
      c.explanation += ranked + ": beyond the cap, " + formula;
    }
  }
  return out;
}

}  // namespace yibao

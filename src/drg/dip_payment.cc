#include "drg/dip_payment.h"

#include "base/decimal.h"

#include <toml++/toml.h>

#include <algorithm>
#include <numeric>

#include "base/text.h"
#include "drg/payment_toml.h"

namespace yibao {
namespace {

using i128 = __int128;

// Non-negative n ÷ d half-up (d > 0).
int64_t DivHalfUp(i128 n, i128 d) { return int64_t((n + d / 2) / d); }

std::string Decimal(i128 scaled, int decimals) {  // scaled ≥ 0 → "123.4500"
  i128 scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  std::string s = std::to_string(int64_t(scaled / scale));
  if (decimals == 0) return s;
  std::string f = std::to_string(int64_t(scaled % scale));
  return s + "." + std::string(decimals - f.size(), '0') + f;
}

std::string Points(int64_t x1e4) {  // shortest form of a score or point count
  return FormatScaledDecimal(x1e4, 4);
}

}  // namespace

std::string_view DipPaymentKindName(DipCaseScore::Kind kind) {
  switch (kind) {
    case DipCaseScore::Kind::kNormal:
      return "normal";
    case DipCaseScore::Kind::kHighOutlier:
      return "high_outlier";
    case DipCaseScore::Kind::kLowOutlier:
      return "low_outlier";
    case DipCaseScore::Kind::kUngrouped:
      return "ungrouped";
  }
  return "?";
}

Money DipPaymentRule::Reserve() const {
  return reserve_share ? reserve_share->Apply(budget) : reserve_amount;
}

DipProcedureClass DipPaymentRule::ClassOf(const std::vector<std::string>& procedures) const {
  DipProcedureClass best = DipProcedureClass::kConservative;
  for (const std::string& p : procedures) {
    std::string code = DipCode(p);
    if (code.empty()) continue;
    DipProcedureClass cls = unlisted_procedure;
    size_t longest = 0;
    for (const auto& [prefix, c] : procedure_prefixes)
      if (prefix.size() > longest && code.compare(0, prefix.size(), prefix) == 0) {
        longest = prefix.size();
        cls = c;
      }
    best = std::max(best, cls);
  }
  return best;
}

Result<DipPaymentRule> ParseDipPaymentRule(std::string_view text, std::string_view file_name) {
  std::string file(file_name);
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    return Diagnostic{file, int(e.source().begin.line), "",
                      "TOML syntax: " + std::string(e.description())};
  }
  const toml::table* t = root.get_as<toml::table>("dip_payment");
  if (!t) return Diagnostic{file, 1, "dip_payment", "missing [dip_payment] table"};
  Diagnostics errors;
  payment_toml::Reader in{file, &errors};
  in.CheckKeys(*t, "dip_payment",
               {"region", "year", "budget", "reserve", "high_outlier_ratio", "low_outlier_ratio",
                "high_formula", "low_formula", "level_coefficient", "institution_coefficient",
                "procedure_class", "statement", "clearing"});
  DipPaymentRule r;
  if (const toml::node* n = t->get("region")) {
    if (auto s = n->value_exact<std::string>())
      r.region = *s;
    else
      in.Error(n, "dip_payment.region", "expected a string");
  }
  if (const toml::node* n = t->get("year")) {
    auto y = n->value_exact<int64_t>();
    if (y && *y >= 1900 && *y <= 2200)
      r.year = int(*y);
    else
      in.Error(n, "dip_payment.year", "expected a year like 2024");
  } else {
    in.Error(t, "dip_payment.year", "missing: the settlement year");
  }
  if (const toml::node* n = t->get("budget")) {
    if (auto m = in.MoneyValue(*n, "dip_payment.budget")) r.budget = *m;
  } else {
    in.Error(t, "dip_payment.budget", "missing: the year's fund budget in yuan");
  }
  if (const toml::node* n = t->get("reserve")) {
    auto s = n->value_exact<std::string>();
    if (s && !Trim(*s).empty() && Trim(*s).back() == '%') {
      r.reserve_share = in.RatioValue(*n, "dip_payment.reserve", 0, Ratio::kOne);
    } else if (auto m = in.MoneyValue(*n, "dip_payment.reserve")) {
      r.reserve_amount = *m;
    }
  }
  if (const toml::node* n = t->get("high_outlier_ratio"))
    if (auto v =
            in.RatioValue(*n, "dip_payment.high_outlier_ratio", Ratio::kOne, Ratio::kMaxAbsPpm))
      r.high_outlier_ratio = *v;
  if (const toml::node* n = t->get("low_outlier_ratio"))
    if (auto v = in.RatioValue(*n, "dip_payment.low_outlier_ratio", 0, Ratio::kOne))
      r.low_outlier_ratio = *v;
  if (r.low_outlier_ratio >= r.high_outlier_ratio)
    in.Error(t, "dip_payment.low_outlier_ratio", "must be below high_outlier_ratio");
  if (const toml::node* n = t->get("high_formula")) {
    auto s = n->value_exact<std::string>();
    if (s && *s == "excess")
      r.high_formula = DipPaymentRule::HighFormula::kExcess;
    else if (s && *s == "proportional")
      r.high_formula = DipPaymentRule::HighFormula::kProportional;
    else if (s && *s == "score")
      r.high_formula = DipPaymentRule::HighFormula::kScore;
    else
      in.Error(n, "dip_payment.high_formula",
               "expected \"excess\" (national), \"proportional\" or \"score\"");
  }
  if (const toml::node* n = t->get("low_formula")) {
    auto s = n->value_exact<std::string>();
    if (s && *s == "proportional")
      r.low_formula = DipPaymentRule::LowFormula::kProportional;
    else if (s && *s == "score")
      r.low_formula = DipPaymentRule::LowFormula::kScore;
    else
      in.Error(n, "dip_payment.low_formula", "expected \"proportional\" (national) or \"score\"");
  }
  auto coefficient = [&](const toml::node& v, const std::string& field) {
    return in.RatioValue(v, field, 1, 10 * Ratio::kOne);
  };
  if (const toml::node* n = t->get("level_coefficient")) {
    if (const toml::table* tab = n->as_table()) {
      for (const auto& [k, v] : *tab) {
        std::string field = "dip_payment.level_coefficient." + std::string(k.str());
        if (k.str() != "0" && k.str() != "1" && k.str() != "2" && k.str() != "3") {
          in.Error(&v, field, "expected a hospital level \"1\", \"2\", \"3\" or \"0\" (others)");
          continue;
        }
        if (auto c = coefficient(v, field)) r.level_coefficient[k.str()[0] - '0'] = *c;
      }
    } else {
      in.Error(n, "dip_payment.level_coefficient", "expected a table of level → coefficient");
    }
  }
  if (const toml::node* n = t->get("institution_coefficient")) {
    if (const toml::table* tab = n->as_table()) {
      for (const auto& [k, v] : *tab)
        if (auto c = coefficient(v, "dip_payment.institution_coefficient." + std::string(k.str())))
          r.institution_coefficient[std::string(k.str())] = *c;
    } else {
      in.Error(n, "dip_payment.institution_coefficient", "expected a table");
    }
  }
  if (const toml::node* n = t->get("procedure_class")) {
    const toml::table* tab = n->as_table();
    if (!tab) {
      in.Error(n, "dip_payment.procedure_class", "expected a table");
    } else {
      in.CheckKeys(*tab, "dip_payment.procedure_class",
                   {"surgery", "therapeutic", "diagnostic", "unlisted"});
      const std::pair<const char*, DipProcedureClass> lists[] = {
          {"surgery", DipProcedureClass::kSurgery},
          {"therapeutic", DipProcedureClass::kTherapeutic},
          {"diagnostic", DipProcedureClass::kDiagnostic}};
      for (const auto& [key, cls] : lists) {
        const toml::node* v = tab->get(key);
        if (!v) continue;
        std::string field = std::string("dip_payment.procedure_class.") + key;
        const toml::array* arr = v->as_array();
        if (!arr) {
          in.Error(v, field, "expected an array of code prefixes");
          continue;
        }
        for (const toml::node& e : *arr) {
          auto s = e.value_exact<std::string>();
          if (!s || DipCode(*s).empty()) {
            in.Error(&e, field, "expected a non-empty code prefix string");
            continue;
          }
          std::string prefix = DipCode(*s);
          for (const auto& [p, c] : r.procedure_prefixes)
            if (p == prefix) in.Error(&e, field, "prefix " + prefix + " is in two lists");
          r.procedure_prefixes.emplace_back(prefix, cls);
        }
      }
      if (const toml::node* v = tab->get("unlisted")) {
        auto s = v->value_exact<std::string>();
        if (!s || !ParseDipProcedureClass(*s, &r.unlisted_procedure))
          in.Error(v, "dip_payment.procedure_class.unlisted",
                   "expected surgery, therapeutic, diagnostic or conservative");
      }
    }
  }
  in.Schedule(*t, "dip_payment", &r.schedule);
  if (errors.empty() && r.Reserve() > r.budget)
    in.Error(t->get("reserve"), "dip_payment.reserve", "the reserve is above the budget");
  if (!errors.empty()) return errors;
  return r;
}

Result<DipCaseScore> ScoreDipCase(const DipPaymentRule& rule, const DipScoreTable& table,
                                  const DipCase& c) {
  using Kind = DipCaseScore::Kind;
  DipCaseScore s;
  DipProcedureClass cls = c.procedure_class ? *c.procedure_class : rule.ClassOf(c.procedures);
  std::string how;
  s.group = table.Match(c.main_dx, c.procedures, cls, &how);
  if (!s.group) {
    s.kind = Kind::kUngrouped;
    s.explanation = how + "; paid by item: the fund pays " + c.fund_item.ToString();
    return s;
  }
  const DipGroup& g = *s.group;
  Ratio coef = Ratio::One();
  std::string coef_how = "1";
  if (auto it = rule.institution_coefficient.find(c.institution);
      it != rule.institution_coefficient.end()) {
    coef = it->second;
    coef_how = coef.ToString() + " (institution " + c.institution + ")";
  } else if (!rule.level_coefficient.empty()) {
    auto lv = rule.level_coefficient.find(c.level);
    if (lv == rule.level_coefficient.end())
      return Diagnostic{table.file, 0, "case " + c.id,
                        "no DIP level coefficient for hospital level " + std::to_string(c.level)};
    coef = lv->second;
    coef_how = coef.ToString() + " (level " + std::to_string(c.level) + ")";
  }
  std::string head = "DIP " + g.code + " (" + how + ") score " + Points(g.score);
  Money mean = table.MeanCost(g, c.level);
  const i128 kOne = Ratio::kOne;
  const i128 total = c.total.fen(), m = mean.fen();
  // Points × 10^4 = score × factor × coefficient, the factor a fraction num ÷ den; one rounding.
  i128 num = 1, den = 1;
  std::string formula = "score " + Points(g.score);
  s.kind = Kind::kNormal;
  if (m > 0 && total * kOne >= m * rule.high_outlier_ratio.ppm()) {
    s.kind = Kind::kHighOutlier;
    head += "; total " + c.total.ToString() + " ≥ " + rule.high_outlier_ratio.ToString() +
            " × mean " + mean.ToString() + " (费用偏差 high)";
    if (rule.high_formula == DipPaymentRule::HighFormula::kExcess) {
      // (total ÷ mean − H) + 1 = (total × 10^6 − (H − 10^6) × mean) ÷ (mean × 10^6).
      num = total * kOne - (rule.high_outlier_ratio.ppm() - kOne) * m;
      den = m * kOne;
      formula = "[(" + c.total.ToString() + " ÷ " + mean.ToString() + " − " +
                Points(rule.high_outlier_ratio.ppm() / 100) + ") + 1] × " + Points(g.score);
    } else if (rule.high_formula == DipPaymentRule::HighFormula::kProportional) {
      num = total;
      den = m;
      formula = c.total.ToString() + " ÷ " + mean.ToString() + " × " + Points(g.score);
    }
  } else if (m > 0 && total * kOne <= m * rule.low_outlier_ratio.ppm()) {
    s.kind = Kind::kLowOutlier;
    head += "; total " + c.total.ToString() + " ≤ " + rule.low_outlier_ratio.ToString() +
            " × mean " + mean.ToString() + " (费用偏差 low)";
    if (rule.low_formula == DipPaymentRule::LowFormula::kProportional) {
      num = total;
      den = m;
      formula = c.total.ToString() + " ÷ " + mean.ToString() + " × " + Points(g.score);
    }
  }
  s.points = DivHalfUp(i128(g.score) * num * coef.ppm(), den * kOne);
  s.explanation =
      head + "; points = " + formula + " × coefficient " + coef_how + " = " + Points(s.points);
  return s;
}

std::vector<Money> ShareByLargestRemainder(Money total, const std::vector<int64_t>& weights,
                                           const std::vector<std::string_view>& keys) {
  std::vector<Money> out(weights.size());
  i128 sum = 0;
  for (int64_t w : weights) sum += w;
  if (sum <= 0) return out;
  std::vector<i128> rem(weights.size());
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    i128 p = i128(total.fen()) * weights[i];
    out[i] = Money::Fen(int64_t(p / sum));
    rem[i] = p % sum;
    given += out[i].fen();
  }
  int64_t left = total.fen() - given;  // < number of weights
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (rem[a] != rem[b]) return rem[a] > rem[b];
    if (keys[a] != keys[b]) return keys[a] < keys[b];
    return a < b;
  });
  for (int64_t k = 0; k < left; ++k) out[order[k]] += Money::Fen(1);
  return out;
}

Result<DipYear> SettleDipYear(const DipPaymentRule& rule, const DipScoreTable& table,
                              const std::vector<DipCase>& cases, Diagnostics* case_errors) {
  using Kind = DipCaseScore::Kind;
  DipYear y;
  y.budget = rule.budget;
  y.reserve = rule.Reserve();
  y.cases.reserve(cases.size());
  for (const DipCase& c : cases) {
    if (c.discharge.year() != rule.year) {
      case_errors->push_back(Diagnostic{"", 0, "case " + c.id,
                                        "discharged " + c.discharge.ToString() +
                                            ", outside the rule's year " +
                                            std::to_string(rule.year)});
      continue;
    }
    Result<DipCaseScore> s = ScoreDipCase(rule, table, c);
    if (!s.ok()) {
      for (const Diagnostic& d : s.errors()) case_errors->push_back(d);
      continue;
    }
    PaidCase p;
    p.id = c.id;
    p.institution = c.institution;
    p.level = c.level;
    p.discharge = c.discharge;
    p.group = s->group ? s->group->code : "";
    p.kind = DipPaymentKindName(s->kind);
    p.weighted = s->group != nullptr;
    p.weight = s->group ? s->group->score : 0;
    p.points = s->points;
    p.high_outlier = s->kind == Kind::kHighOutlier;
    p.low_outlier = s->kind == Kind::kLowOutlier;
    p.total = c.total;
    p.fund_item = c.fund_item;
    if (!s->group) {
      p.fund_payment = c.fund_item;
      y.by_item += c.fund_item;
    }
    p.explanation = std::move(s->explanation);
    y.total_points += p.points;
    y.cases.push_back(std::move(p));
  }
  y.distributable = y.budget - y.reserve - y.by_item;
  if (y.distributable.is_negative())
    return Diagnostic{"", 0, "dip_payment.budget",
                      "budget " + y.budget.ToString() + " − reserve " + y.reserve.ToString() +
                          " − by-item payments " + y.by_item.ToString() + " is negative"};
  if (y.total_points > 0)
    y.point_value = Decimal((i128(y.distributable.fen()) * kDipScoreScale * 1'000'000 * 2 /
                                 (i128(y.total_points) * 100) +
                             1) /
                                2,
                            6);
  // Hospitals' points, then their shares of the distributable amount.
  std::map<std::string_view, std::vector<size_t>> by_hospital;
  for (size_t i = 0; i < y.cases.size(); ++i)
    if (y.cases[i].weighted) by_hospital[y.cases[i].institution].push_back(i);
  std::vector<int64_t> hospital_points;
  std::vector<std::string_view> hospital_keys;
  for (const auto& [inst, list] : by_hospital) {
    int64_t pts = 0;
    for (size_t i : list) pts += y.cases[i].points;
    hospital_points.push_back(pts);
    hospital_keys.push_back(inst);
  }
  std::vector<Money> hospital_money =
      ShareByLargestRemainder(y.distributable, hospital_points, hospital_keys);
  size_t h = 0;
  for (const auto& [inst, list] : by_hospital) {
    std::vector<int64_t> pts;
    std::vector<std::string_view> ids;
    for (size_t i : list) {
      pts.push_back(y.cases[i].points);
      ids.push_back(y.cases[i].id);
    }
    std::vector<Money> money = ShareByLargestRemainder(hospital_money[h], pts, ids);
    for (size_t k = 0; k < list.size(); ++k) {
      PaidCase& p = y.cases[list[k]];
      p.fund_payment = money[k];
      p.explanation += "; × point value " + y.point_value + " → " + money[k].ToString() +
                       " (share of " + std::string(inst) + "'s " + hospital_money[h].ToString() +
                       ")";
    }
    ++h;
  }
  return y;
}

}  // namespace yibao

#include "review/accuracy.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "review/claims_csv.h"

namespace yibao {

Result<std::vector<Label>> ParseLabels(std::string_view text, std::string_view file_name) {
  Diagnostics errors;
  ClaimsCsv csv(file_name, text, errors);
  std::vector<Label> out;
  if (!csv.Open({"family", "mdtrt_id", "feedetl_sn"}, {"family", "mdtrt_id"})) return errors;
  while (csv.Next()) {
    auto f = ParseRuleFamily(csv.Get(0));
    if (!f) {
      csv.Error(0, "unknown family '" + std::string(csv.Get(0)) + "'");
      continue;
    }
    if (csv.Get(1).empty()) {
      csv.Error(1, "empty");
      continue;
    }
    out.push_back({*f, std::string(csv.Get(1)), std::string(csv.Get(2))});
  }
  if (!errors.empty()) return errors;
  return out;
}

Accuracy ComputeAccuracy(const std::vector<Label>& labels, const std::vector<Finding>& findings,
                         const RuleSet& rules, const ClaimsStore& store) {
  Accuracy a;
  std::unordered_map<std::string_view, uint32_t> visit_of;
  visit_of.reserve(store.visits.size());
  for (uint32_t v = 0; v < store.visits.size(); ++v) visit_of.emplace(store.mdtrt_ids[v], v);
  // (family, visit) keys.
  auto key = [](RuleFamily f, uint32_t v) { return uint64_t(f) << 32 | v; };
  std::unordered_set<uint64_t> labelled, found;
  for (const Label& l : labels) {
    auto it = visit_of.find(l.mdtrt_id);
    if (it == visit_of.end()) {
      ++a.unknown_visits;
      continue;
    }
    labelled.insert(key(l.family, it->second));
  }
  for (const Finding& f : findings) found.insert(key(rules.rules()[f.rule].family, f.visit));
  for (uint64_t k : labelled) {
    FamilyAccuracy& fa = a.families[k >> 32];
    ++fa.labelled;
    if (found.count(k))
      ++fa.tp;
    else
      ++fa.fn;
  }
  for (uint64_t k : found) {
    FamilyAccuracy& fa = a.families[k >> 32];
    ++fa.found;
    if (!labelled.count(k)) ++fa.fp;
  }
  return a;
}

std::string FormatAccuracyTable(const Accuracy& a) {
  std::string out = fmt::format("{:<34} {:>8} {:>8} {:>7} {:>7} {:>7} {:>9} {:>7}\n", "family",
                                "labelled", "found", "TP", "FP", "FN", "precision", "recall");
  auto pct = [](double v) { return v < 0 ? std::string("-") : fmt::format("{:.1f}%", v * 100); };
  FamilyAccuracy all;
  for (int f = 0; f < kRuleFamilyCount; ++f) {
    const FamilyAccuracy& x = a.families[size_t(f)];
    out += fmt::format("{:<34} {:>8} {:>8} {:>7} {:>7} {:>7} {:>9} {:>7}\n",
                       RuleFamilyName(RuleFamily(f)), x.labelled, x.found, x.tp, x.fp, x.fn,
                       pct(x.precision()), pct(x.recall()));
    all.labelled += x.labelled;
    all.found += x.found;
    all.tp += x.tp;
    all.fp += x.fp;
    all.fn += x.fn;
  }
  out += fmt::format("{:<34} {:>8} {:>8} {:>7} {:>7} {:>7} {:>9} {:>7}\n", "all", all.labelled,
                     all.found, all.tp, all.fp, all.fn, pct(all.precision()), pct(all.recall()));
  if (a.unknown_visits)
    out += fmt::format("({} labels name visits that are not in the export)\n", a.unknown_visits);
  return out;
}

}  // namespace yibao

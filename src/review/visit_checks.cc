// The families across visits: a person's stays and claims in time, the person's yearly totals and
// drug supply, and bills repeated across persons.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "base/quantity.h"
#include "review/checks.h"

namespace yibao {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

const std::string& Mdtrt(const ClaimsStore& s, uint32_t v, std::string& buf) {
  buf = std::string(s.mdtrt_ids[v]);
  return buf;
}

std::string MainDx(const ClaimsStore& s, const ClaimsVisit& v) {
  return v.main_dx == kNoCode ? std::string("none") : std::string(s.DxCode(v.main_dx));
}

bool HasCategory(const BoundRules& b, const ClaimsStore& s, const ClaimsVisit& v,
                 const std::vector<ItemCategory>& cats, std::vector<uint32_t>* lines,
                 Money* amount) {
  bool any = false;
  for (uint32_t li = v.line_begin; li < v.line_end; ++li) {
    ItemCategory c = b.category[s.lines[li].item];
    if (std::find(cats.begin(), cats.end(), c) == cats.end()) continue;
    any = true;
    if (lines) lines->push_back(li);
    if (amount) *amount += s.lines[li].amount;
  }
  return any;
}

void SplitHospitalisation(const PersonReview& p, uint32_t v) {
  const ClaimsStore& s = p.s;
  const ClaimsVisit& visit = s.visits[v];
  if (!visit.inpatient() || visit.main_dx == kNoCode) return;
  std::string_view dx = s.DxCode(visit.main_dx);
  ForRules(p, RuleFamily::kVisitSplitHospitalisation, v, [&](uint32_t rule) {
    const Rule& r = p.b.set->rules()[rule];
    for (const std::string& e : r.params.exempt_dx)
      if (StartsWith(dx, e)) return;
    size_t chars = size_t(r.params.dx_category_chars);
    for (const uint32_t* h = p.history_begin; h != p.history_end; ++h) {
      if (*h == v) continue;
      const ClaimsVisit& prev = s.visits[*h];
      if (!prev.inpatient() || prev.main_dx == kNoCode) continue;
      if (r.params.same_institution && prev.institution != visit.institution) continue;
      int32_t gap = visit.begin - prev.end;
      if (gap < 0 || gap > r.window_days || prev.begin >= visit.begin) continue;
      std::string_view pdx = s.DxCode(prev.main_dx);
      if (pdx.substr(0, chars) != dx.substr(0, chars)) continue;
      std::string id;
      Emit(p, rule, v, {}, visit.total,
           fmt::format("readmitted to {} on {}, {} days after discharge on {} from stay {} with "
                       "the same diagnosis category {} ({} then, {} now)",
                       s.institutions[visit.institution].code, Day(visit.begin), gap, Day(prev.end),
                       Mdtrt(s, *h, id), dx.substr(0, chars), pdx, dx));
      return;
    }
  });
}

void OutpatientDuringInpatient(const PersonReview& p, uint32_t v) {
  const ClaimsStore& s = p.s;
  const ClaimsVisit& visit = s.visits[v];
  if (visit.inpatient()) return;
  for (const uint32_t* h = p.history_begin; h != p.history_end; ++h) {
    const ClaimsVisit& stay = s.visits[*h];
    if (!stay.inpatient() || !(stay.begin < visit.begin && visit.begin < stay.end)) continue;
    std::string id;
    std::string ev = fmt::format(
        "{} claim at {} on {} while an inpatient at {} ({}..{}, stay {})",
        CareScenarioName(visit.scenario), s.institutions[visit.institution].code, Day(visit.begin),
        s.institutions[stay.institution].code, Day(stay.begin), Day(stay.end), Mdtrt(s, *h, id));
    ForRules(p, RuleFamily::kVisitOutpatientDuringInpatient, v,
             [&](uint32_t rule) { Emit(p, rule, v, {}, visit.total, ev); });
    return;
  }
}

void BedWithoutTreatment(const PersonReview& p, uint32_t v) {
  const ClaimsStore& s = p.s;
  const ClaimsVisit& visit = s.visits[v];
  if (!visit.inpatient()) return;
  ForRules(p, RuleFamily::kVisitBedWithoutTreatment, v, [&](uint32_t rule) {
    const RuleParams& q = p.b.set->rules()[rule].params;
    int32_t days = visit.stay_days();
    if (days < q.min_days) return;
    // A day of stay is idle when nothing but bed, nursing and meal items is charged on it.
    std::vector<uint8_t> busy(size_t(days), 0);
    for (uint32_t li = visit.line_begin; li < visit.line_end; ++li) {
      const ClaimLine& l = s.lines[li];
      int32_t d = l.date - visit.begin;
      if (d < 0 || d >= days) continue;
      ItemCategory c = p.b.category[l.item];
      if (std::find(q.idle_categories.begin(), q.idle_categories.end(), c) ==
          q.idle_categories.end())
        busy[size_t(d)] = 1;
    }
    int32_t idle = 0;
    for (uint8_t b : busy) idle += b ? 0 : 1;
    if (__int128(idle) * Ratio::kOne <= __int128(days) * q.idle_share.ppm()) return;
    Emit(p, rule, v, {}, visit.total,
         fmt::format("{} of {} days of stay ({}..{}) carry only bed, nursing or meal charges", idle,
                     days, Day(visit.begin), Day(visit.end)));
  });
}

void AfterDeath(const PersonReview& p, uint32_t v) {
  const ClaimsStore& s = p.s;
  const ClaimsVisit& visit = s.visits[v];
  const ClaimsPerson& person = s.persons[visit.person];
  if (!person.death || !(*person.death < visit.begin)) return;
  std::string ev =
      fmt::format("visit on {} at {}, after the person's death on {}", Day(visit.begin),
                  s.institutions[visit.institution].code, Day(*person.death));
  ForRules(p, RuleFamily::kVisitAfterDeath, v,
           [&](uint32_t rule) { Emit(p, rule, v, {}, visit.total, ev); });
}

int Severity(const GroupResult& r) {
  return r.status == GroupStatus::kGrouped ? int(r.severity) : -1;
}

void DrgUpcoding(const PersonReview& p, uint32_t v) {
  const ClaimsStore& s = p.s;
  const ClaimsVisit& visit = s.visits[v];
  const DrgGrouper* grouper = p.b.set->grouper();
  if (!visit.inpatient() || visit.drg == kNoCode || !grouper || !grouper->spec) return;
  if (p.b.dx_evidence.empty() || visit.dx_end == visit.dx_begin) return;
  // Secondary diagnoses that need evidence and have none on the stay.
  ReviewScratch& sc = p.scratch;
  std::vector<uint32_t> unevidenced;
  for (uint32_t i = visit.dx_begin; i < visit.dx_end; ++i) {
    std::string_view code = s.DxCode(s.visit_dx[i]);
    for (const BoundDxEvidence& de : p.b.dx_evidence) {
      if (!StartsWith(code, de.row->dx_prefix)) continue;
      bool found = false;
      for (uint32_t li = visit.line_begin; li < visit.line_end && !found; ++li)
        for (uint32_t it : de.items) found = found || s.lines[li].item == it;
      if (!found) unevidenced.push_back(i);
      break;
    }
  }
  if (unevidenced.empty()) return;
  bool any_rule = false;
  ForRules(p, RuleFamily::kVisitDrgUpcoding, v, [&](uint32_t) { any_rule = true; });
  if (!any_rule) return;
  DrgCase& c = sc.drg_case;
  const ClaimsPerson& person = s.persons[visit.person];
  c.id = std::string(s.mdtrt_ids[v]);
  c.sex = person.sex;
  c.age_years = AgeInYears(person.birthday, visit.begin);
  c.age_days = c.age_years < 1 ? visit.begin - person.birthday : -1;
  c.los_days = visit.stay_days();
  c.discharge = visit.discharge;
  c.main_dx = MainDx(s, visit);
  c.procedures.clear();
  for (uint32_t i = visit.proc_begin; i < visit.proc_end; ++i)
    c.procedures.emplace_back(s.procedures.Name(s.visit_proc[i]));
  c.secondary_dx.clear();
  for (uint32_t i = visit.dx_begin; i < visit.dx_end; ++i)
    c.secondary_dx.emplace_back(s.DxCode(s.visit_dx[i]));
  GroupCase(*grouper, c, &sc.with);
  c.secondary_dx.clear();
  for (uint32_t i = visit.dx_begin; i < visit.dx_end; ++i)
    if (std::find(unevidenced.begin(), unevidenced.end(), i) == unevidenced.end())
      c.secondary_dx.emplace_back(s.DxCode(s.visit_dx[i]));
  GroupCase(*grouper, c, &sc.without);
  if (sc.with.drg == sc.without.drg || Severity(sc.with) <= Severity(sc.without)) return;
  std::string dxs;
  for (uint32_t i : unevidenced)
    dxs += (dxs.empty() ? "" : ", ") + std::string(s.DxCode(s.visit_dx[i]));
  std::string ev = fmt::format(
      "diagnosis {} has no supporting item in the stay; with it the case groups to {} ({}), "
      "without it to {} ({}); paid as {}",
      dxs, sc.with.drg, DrgSeverityName(sc.with.severity), sc.without.drg,
      DrgSeverityName(sc.without.severity), s.drgs.Name(visit.drg));
  ForRules(p, RuleFamily::kVisitDrgUpcoding, v,
           [&](uint32_t rule) { Emit(p, rule, v, {}, visit.total, ev); });
}

void LowSeverityAdmission(const PersonReview& p, uint32_t v) {
  const ClaimsStore& s = p.s;
  const ClaimsVisit& visit = s.visits[v];
  const KnowledgeBase* kb = p.b.set->knowledge();
  if (!visit.inpatient() || !kb || visit.main_dx == kNoCode || visit.proc_end != visit.proc_begin)
    return;
  std::string_view dx = s.DxCode(visit.main_dx);
  const KnowledgeMildDx* best = nullptr;  // the longest matching prefix decides
  for (const KnowledgeMildDx& m : kb->mild)
    if (StartsWith(dx, m.dx_prefix) && (!best || m.dx_prefix.size() > best->dx_prefix.size()))
      best = &m;
  if (!best || visit.stay_days() > best->max_inpatient_days) return;
  std::string ev = fmt::format(
      "admitted with {} (normally treated as an outpatient), {} days without a procedure, "
      "total {}",
      dx, visit.stay_days(), visit.total.ToString());
  ForRules(p, RuleFamily::kVisitLowSeverityAdmission, v,
           [&](uint32_t rule) { Emit(p, rule, v, {}, visit.total, ev); });
}

void CostShifting(const PersonReview& p, uint32_t v) {
  const ClaimsStore& s = p.s;
  const ClaimsVisit& visit = s.visits[v];
  if (visit.inpatient()) return;
  ForRules(p, RuleFamily::kVisitCostShifting, v, [&](uint32_t rule) {
    const Rule& r = p.b.set->rules()[rule];
    for (const uint32_t* h = p.history_begin; h != p.history_end; ++h) {
      const ClaimsVisit& stay = s.visits[*h];
      if (!stay.inpatient() || stay.drg == kNoCode || stay.institution != visit.institution)
        continue;
      int32_t before = stay.begin - visit.begin;  // > 0: the visit came before admission
      int32_t after = visit.begin - stay.end;     // > 0: after discharge
      bool near = (before > 0 && before <= r.window_days) || (after > 0 && after <= r.window_days);
      if (!near) continue;
      std::vector<uint32_t> lines;
      Money amt;
      if (!HasCategory(p.b, s, visit, r.params.shifted_categories, &lines, &amt)) return;
      std::string id;
      Emit(p, rule, v, lines, amt,
           fmt::format("outpatient claim at {} on {}, {} days {} the DRG-paid stay {} ({}..{}, "
                       "{}), with {} of its kind of items",
                       s.institutions[visit.institution].code, Day(visit.begin),
                       before > 0 ? before : after, before > 0 ? "before" : "after",
                       Mdtrt(s, *h, id), Day(stay.begin), Day(stay.end), s.drgs.Name(stay.drg),
                       amt.ToString()));
      return;
    }
  });
}

}  // namespace

void CheckVisit(const PersonReview& p, uint32_t v) {
  SplitHospitalisation(p, v);
  OutpatientDuringInpatient(p, v);
  BedWithoutTreatment(p, v);
  AfterDeath(p, v);
  DrgUpcoding(p, v);
  LowSeverityAdmission(p, v);
  CostShifting(p, v);
}

void CheckPersonTotals(const PersonReview& p) {
  const ClaimsStore& s = p.s;
  const RuleSet& set = *p.b.set;
  // standard_annual: the person's yearly amount of an item, in visit order.
  if (!set.RulesOf(RuleFamily::kStandardAnnual).empty()) {
    struct Running {
      uint32_t item;
      int year;
      Money sum;
    };
    std::vector<Running> running;
    for (const uint32_t* h = p.history_begin; h != p.history_end; ++h) {
      const ClaimsVisit& visit = s.visits[*h];
      // This visit's lines of items with a yearly maximum, grouped by item.
      for (uint32_t li = visit.line_begin; li < visit.line_end; ++li) {
        const ClaimLine& l = s.lines[li];
        const BoundItem* bi = p.b.Item(l.item);
        if (!bi || !(bi->facts->families & (1u << unsigned(RuleFamily::kStandardAnnual)))) continue;
        const KnowledgeItem& k = *bi->facts->item;
        int year = l.date.year();
        auto it = std::find_if(running.begin(), running.end(), [&](const Running& r) {
          return r.item == l.item && r.year == year;
        });
        if (it == running.end()) {
          running.push_back({l.item, year, Money::Zero()});
          it = running.end() - 1;
        }
        Money before = it->sum;
        it->sum += l.amount;
        if (it->sum <= *k.max_annual_amount || !p.targets.Has(s, *h)) continue;
        // The line that crosses the limit (or comes after it): the part above the limit.
        Money over = before >= *k.max_annual_amount ? l.amount : it->sum - *k.max_annual_amount;
        std::string ev = fmt::format(
            "{}: the person's {} total reaches {} with this line, above the yearly maximum {}",
            s.ItemCode(l), year, it->sum.ToString(), k.max_annual_amount->ToString());
        ForRules(p, RuleFamily::kStandardAnnual, *h,
                 [&](uint32_t rule) { Emit(p, rule, *h, {li}, over, ev); });
      }
    }
  }
  // visit_over_prescription: one drug's supply days across institutions in a sliding window.
  if (!set.RulesOf(RuleFamily::kVisitOverPrescription).empty()) {
    auto& disp = p.scratch.dispensing;  // (item << 32 | day, line)
    disp.clear();
    for (const uint32_t* h = p.history_begin; h != p.history_end; ++h) {
      const ClaimsVisit& visit = s.visits[*h];
      if (visit.inpatient()) continue;  // a stay's drugs are given on the ward, not taken home
      for (uint32_t li = visit.line_begin; li < visit.line_end; ++li) {
        const ClaimLine& l = s.lines[li];
        if (l.prd_days <= 0 || !p.b.is_drug[l.item]) continue;
        disp.push_back({uint64_t(l.item) << 32 | uint32_t(l.date.days() + (1 << 30)), li});
      }
    }
    if (disp.empty()) return;
    std::sort(disp.begin(), disp.end());
    // The visit each line belongs to: lines are contiguous per visit, so a binary search over
    // the history's line ranges would do; the history is short, a scan is as fast.
    auto visit_of = [&](uint32_t li) {
      for (const uint32_t* h = p.history_begin; h != p.history_end; ++h)
        if (s.visits[*h].line_begin <= li && li < s.visits[*h].line_end) return *h;
      return kNoCode;
    };
    for (uint32_t rule : set.RulesOf(RuleFamily::kVisitOverPrescription)) {
      const Rule& r = set.rules()[rule];
      const int64_t limit_ppm = int64_t(r.window_days) * r.params.max_supply.ppm();
      std::vector<uint32_t> flagged;  // visits already reported for this rule
      size_t lo = 0;
      int64_t sum = 0;
      for (size_t i = 0; i < disp.size(); ++i) {
        if (i > 0 && (disp[i].first >> 32) != (disp[i - 1].first >> 32)) {
          lo = i;
          sum = 0;
        }
        sum += s.lines[disp[i].second].prd_days;
        int32_t day = s.lines[disp[i].second].date.days();
        while (s.lines[disp[lo].second].date.days() <= day - r.window_days) {
          sum -= s.lines[disp[lo].second].prd_days;
          ++lo;
        }
        // Same-day dispensings all count: look ahead over the rest of this day.
        int64_t total = sum;
        for (size_t k = i + 1; k < disp.size() && disp[k].first == disp[i].first; ++k)
          total += s.lines[disp[k].second].prd_days;
        if (total * Ratio::kOne <= limit_ppm) continue;
        uint32_t v = visit_of(disp[i].second);
        if (v == kNoCode || !p.targets.Has(s, v) ||
            std::find(flagged.begin(), flagged.end(), v) != flagged.end())
          continue;
        if (!RuleApplies(r, s, s.visits[v], p.stage)) continue;
        flagged.push_back(v);
        std::vector<uint32_t> lines;
        Money amt;
        std::vector<uint32_t> insts;
        for (size_t k = lo; k < disp.size() && disp[k].first <= disp[i].first; ++k) {
          uint32_t kv = visit_of(disp[k].second);
          if (kv != kNoCode &&
              std::find(insts.begin(), insts.end(), s.visits[kv].institution) == insts.end())
            insts.push_back(s.visits[kv].institution);
        }
        for (uint32_t li = s.visits[v].line_begin; li < s.visits[v].line_end; ++li)
          if (s.lines[li].item == s.lines[disp[i].second].item && s.lines[li].prd_days > 0) {
            lines.push_back(li);
            amt += s.lines[li].amount;
          }
        const ClaimLine& l = s.lines[disp[i].second];
        Emit(p, rule, v, lines, amt,
             fmt::format("{}: {} days' supply dispensed in the {} days to {} at {} "
                         "institution(s), above {} days ({} of the window)",
                         s.ItemCode(l), total, r.window_days, Day(l.date), insts.size(),
                         QtyText(limit_ppm / (Ratio::kOne / Quantity::kScale)),
                         r.params.max_supply.ToString()));
      }
    }
  }
}

void CheckFakeHospitalisation(const BoundRules& b, ReviewStage stage, const ReviewTargets& targets,
                              std::vector<Finding>* out) {
  const ClaimsStore& s = *b.store;
  const RuleSet& set = *b.set;
  if (set.RulesOf(RuleFamily::kVisitFakeHospitalisation).empty()) return;
  // One visit (事前/事中): only stays at its institution can share its bill, and only when a rule
  // covers it at this stage.
  uint32_t only_institution = kNoCode;
  if (targets.visit != kNoCode) {
    const ClaimsVisit& t = s.visits[targets.visit];
    bool any = false;
    for (uint32_t rule : set.RulesOf(RuleFamily::kVisitFakeHospitalisation))
      any = any || RuleApplies(set.rules()[rule], s, t, stage);
    if (!t.inpatient() || !any) return;
    only_institution = t.institution;
  }
  // A stay's bill: its (item, total count) pairs, sorted; stays are grouped by institution and
  // bill hash, then compared exactly.
  struct Stay {
    uint32_t institution;
    uint64_t hash;
    int32_t day;
    uint32_t visit;
  };
  std::vector<Stay> stays;
  std::vector<std::pair<uint32_t, int64_t>> bill;
  auto bill_of = [&](uint32_t v, std::vector<std::pair<uint32_t, int64_t>>& out_bill) {
    out_bill.clear();
    for (uint32_t li = s.visits[v].line_begin; li < s.visits[v].line_end; ++li)
      out_bill.push_back({s.lines[li].item, s.lines[li].cnt});
    std::sort(out_bill.begin(), out_bill.end());
    size_t w = 0;
    for (size_t i = 0; i < out_bill.size(); ++i) {
      if (w > 0 && out_bill[w - 1].first == out_bill[i].first)
        out_bill[w - 1].second += out_bill[i].second;
      else
        out_bill[w++] = out_bill[i];
    }
    out_bill.resize(w);
  };
  for (uint32_t v = 0; v < s.visits.size(); ++v) {
    if (!s.visits[v].inpatient() || s.visits[v].line_end == s.visits[v].line_begin) continue;
    if (only_institution != kNoCode && s.visits[v].institution != only_institution) continue;
    bill_of(v, bill);
    uint64_t h = 1469598103934665603ull;
    for (auto [item, cnt] : bill) {
      h = (h ^ item) * 1099511628211ull;
      h = (h ^ uint64_t(cnt)) * 1099511628211ull;
    }
    stays.push_back({s.visits[v].institution, h, s.visits[v].begin.days(), v});
  }
  std::sort(stays.begin(), stays.end(), [](const Stay& a, const Stay& c) {
    if (a.institution != c.institution) return a.institution < c.institution;
    if (a.hash != c.hash) return a.hash < c.hash;
    if (a.day != c.day) return a.day < c.day;
    return a.visit < c.visit;
  });
  std::vector<std::pair<uint32_t, int64_t>> other;
  for (size_t g = 0; g < stays.size();) {
    size_t e = g;
    while (e < stays.size() && stays[e].institution == stays[g].institution &&
           stays[e].hash == stays[g].hash)
      ++e;
    if (e - g >= 2) {
      // Exact bills: keep those equal to the group's first (a hash collision splits nothing
      // real, it only drops the odd one out).
      bill_of(stays[g].visit, bill);
      std::vector<Stay> same;
      for (size_t k = g; k < e; ++k) {
        bill_of(stays[k].visit, other);
        if (other == bill) same.push_back(stays[k]);
      }
      for (uint32_t rule : set.RulesOf(RuleFamily::kVisitFakeHospitalisation)) {
        const Rule& r = set.rules()[rule];
        std::vector<uint8_t> flagged(same.size(), 0);
        for (size_t a = 0; a < same.size(); ++a) {
          std::vector<uint32_t> persons;
          size_t z = a;
          for (; z < same.size() && same[z].day - same[a].day <= r.window_days; ++z)
            if (std::find(persons.begin(), persons.end(), s.visits[same[z].visit].person) ==
                persons.end())
              persons.push_back(s.visits[same[z].visit].person);
          if (persons.size() >= size_t(r.params.min_stays))
            for (size_t k = a; k < z; ++k) flagged[k] = 1;
        }
        size_t count = 0;
        std::vector<uint32_t> flagged_persons;
        for (size_t k = 0; k < same.size(); ++k) {
          if (!flagged[k]) continue;
          ++count;
          uint32_t person = s.visits[same[k].visit].person;
          if (std::find(flagged_persons.begin(), flagged_persons.end(), person) ==
              flagged_persons.end())
            flagged_persons.push_back(person);
        }
        size_t persons_flagged = flagged_persons.size();
        for (size_t k = 0; k < same.size(); ++k) {
          uint32_t v = same[k].visit;
          if (!flagged[k] || !targets.Has(s, v) || !RuleApplies(r, s, s.visits[v], stage)) continue;
          Finding f;
          f.rule = rule;
          f.visit = v;
          f.amount = s.visits[v].total;
          f.evidence = fmt::format(
              "{} stays at {} of {} persons, each within {} days of others, have the identical "
              "bill ({} items, total {}); this one began {}",
              count, s.institutions[s.visits[v].institution].code, persons_flagged, r.window_days,
              bill.size(), s.visits[v].total.ToString(), Day(s.visits[v].begin));
          out->push_back(std::move(f));
        }
      }
    }
    g = e;
  }
}

}  // namespace yibao

// The line families: 超支付范围 (scope_*), 超标准 (standard_*, but annual) and 收费 (charge_*).
#include <fmt/format.h>

#include <algorithm>

#include "base/quantity.h"
#include "base/ratio.h"
#include "review/checks.h"

namespace yibao {

std::string QtyText(int64_t scaled) { return Quantity::Raw(scaled).ToString(); }

Money Share(Money amount, int64_t part, int64_t whole) {
  if (whole <= 0 || part >= whole) return amount;
  return MulDivHalfUp(amount, part, whole);
}

namespace {

constexpr uint32_t Bit(RuleFamily f) { return 1u << unsigned(f); }

std::string Join(const std::vector<std::string>& v, std::string_view sep = "|") {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

const CatalogueItem* VersionOn(const ItemFacts& f, Date d) {
  for (const CatalogueItem* c : f.versions)
    if (c->valid_from <= d && d <= c->valid_to) return c;
  return nullptr;
}

// The visit's diagnoses as text, for evidence.
std::string Diagnoses(const ClaimsStore& s, const ClaimsVisit& v) {
  std::string out;
  if (v.main_dx != kNoCode) out = std::string(s.DxCode(v.main_dx));
  for (uint32_t i = v.dx_begin; i < v.dx_end; ++i)
    out += (out.empty() ? "" : ";") + std::string(s.DxCode(s.visit_dx[i]));
  return out.empty() ? "none" : out;
}

bool AnyDiagnosisStartsWith(const ClaimsStore& s, const ClaimsVisit& v,
                            const std::vector<std::string>& prefixes) {
  auto match = [&](uint32_t dx) {
    std::string_view code = s.DxCode(dx);
    for (const std::string& p : prefixes)
      if (StartsWith(code, p)) return true;
    return false;
  };
  if (v.main_dx != kNoCode && match(v.main_dx)) return true;
  for (uint32_t i = v.dx_begin; i < v.dx_end; ++i)
    if (match(s.visit_dx[i])) return true;
  return false;
}

// Sorted (item, day) keys of the visit's lines: "is item X on the visit (that day)?" is a binary
// search.
uint64_t Key(uint32_t item, Date d) {
  return uint64_t(item) << 32 | uint32_t(d.days() + (1 << 30));
}

bool HasItem(const ReviewScratch& sc, uint32_t item) {
  if (item == kNoCode) return false;
  auto it = std::lower_bound(sc.keyed.begin(), sc.keyed.end(),
                             std::make_pair(uint64_t(item) << 32, uint32_t(0)));
  return it != sc.keyed.end() && (it->first >> 32) == item;
}

bool HasItemOn(const ReviewScratch& sc, uint32_t item, Date d) {
  if (item == kNoCode) return false;
  auto it = std::lower_bound(sc.keyed.begin(), sc.keyed.end(), std::make_pair(Key(item, d), 0u));
  return it != sc.keyed.end() && it->first == Key(item, d);
}

// ---- scope_*: the catalogue's 限定支付范围 on one line

void CheckScope(const PersonReview& p, uint32_t v, uint32_t li, const ItemFacts& f,
                uint32_t families) {
  const ClaimsStore& s = p.s;
  const ClaimsVisit& visit = s.visits[v];
  const ClaimLine& l = s.lines[li];
  const CatalogueItem* c = VersionOn(f, l.date);
  if (!c) return;
  const PaymentRestriction& r = c->restriction;
  const ClaimsPerson& person = s.persons[visit.person];
  const ClaimsInstitution& inst = s.institutions[visit.institution];
  std::string_view code = s.ItemCode(l);
  auto emit = [&](RuleFamily fam, const std::string& evidence) {
    ForRules(p, fam, v, [&](uint32_t rule) {
      if (l.approved && p.b.set->rules()[rule].params.approval_exempts) return;
      Emit(p, rule, v, {li}, l.amount, evidence);
    });
  };
  if ((families & Bit(RuleFamily::kScopeInsutype)) && !r.insutypes.empty()) {
    std::string ins = std::to_string(visit.insutype);
    if (std::find(r.insutypes.begin(), r.insutypes.end(), ins) == r.insutypes.end())
      emit(RuleFamily::kScopeInsutype,
           fmt::format("{} is paid only under insurance type {}; the visit was settled under {}",
                       code, Join(r.insutypes), ins));
  }
  if ((families & Bit(RuleFamily::kScopeLevel)) && inst.level < r.min_level)
    emit(RuleFamily::kScopeLevel,
         fmt::format("{} is paid only at institutions of level {} or above; {} is level {}", code,
                     r.min_level, inst.code, inst.level));
  if ((families & Bit(RuleFamily::kScopeSetting)) && r.setting != CareSetting::kAny) {
    bool inpatient_only = r.setting == CareSetting::kInpatientOnly;
    if (inpatient_only != visit.inpatient())
      emit(RuleFamily::kScopeSetting,
           fmt::format("{} is {}-only but was claimed on an {} visit (med_type {})", code,
                       inpatient_only ? "inpatient" : "outpatient",
                       CareScenarioName(visit.scenario), visit.med_type));
  }
  if ((families & Bit(RuleFamily::kScopeSpecialty)) && !r.specialties.empty()) {
    uint32_t dept = l.dept != kNoCode ? l.dept : visit.dept;
    std::string_view d = dept == kNoCode ? std::string_view() : s.depts.Name(dept);
    bool ok = false;
    for (const std::string& sp : r.specialties) ok = ok || (!d.empty() && StartsWith(d, sp));
    if (!ok)
      emit(RuleFamily::kScopeSpecialty,
           fmt::format("{} is paid only when ordered by department {}; billed by {}", code,
                       Join(r.specialties), d.empty() ? "no department" : d));
  }
  if ((families & Bit(RuleFamily::kScopeSex)) && r.sex != Sex::kAny && person.sex != 0) {
    int want = r.sex == Sex::kMale ? 1 : 2;
    if (person.sex != want)
      emit(RuleFamily::kScopeSex,
           fmt::format("{} is for {} patients only; the patient is {}", code,
                       want == 1 ? "male" : "female", person.sex == 1 ? "male" : "female"));
  }
  if ((families & Bit(RuleFamily::kScopeAge)) && (r.min_age >= 0 || r.max_age >= 0)) {
    int age = AgeInYears(person.birthday, l.date);
    if ((r.min_age >= 0 && age < r.min_age) || (r.max_age >= 0 && age > r.max_age))
      emit(RuleFamily::kScopeAge,
           fmt::format("{} is for ages {}–{}; the patient was {} on {}", code,
                       r.min_age >= 0 ? std::to_string(r.min_age) : "0",
                       r.max_age >= 0 ? std::to_string(r.max_age) : "", age, Day(l.date)));
  }
  if ((families & Bit(RuleFamily::kScopeIndication)) && !r.indications.empty() &&
      !AnyDiagnosisStartsWith(s, visit, r.indications))
    emit(RuleFamily::kScopeIndication,
         fmt::format("{} is paid only with a diagnosis {}; the visit's diagnoses are {}", code,
                     Join(r.indications), Diagnoses(s, visit)));
}

// scope_step_therapy: a first-line drug in the window before (the person's history, any
// institution, this visit included).
void CheckStepTherapy(const PersonReview& p, uint32_t v, uint32_t li, const BoundItem& bi) {
  const ClaimsStore& s = p.s;
  const ClaimLine& l = s.lines[li];
  const KnowledgeStepTherapy& st = *bi.facts->step;
  ForRules(p, RuleFamily::kScopeStepTherapy, v, [&](uint32_t rule) {
    const Rule& r = p.b.set->rules()[rule];
    if (l.approved && r.params.approval_exempts) return;
    int window = st.window_days ? *st.window_days : r.window_days;
    int32_t lo = l.date.days() - window;
    bool found = false;
    for (const uint32_t* h = p.history_begin; h != p.history_end && !found; ++h) {
      const ClaimsVisit& hv = s.visits[*h];
      if (hv.end.days() < lo || hv.begin > l.date) continue;
      for (uint32_t k = hv.line_begin; k < hv.line_end && !found; ++k) {
        const ClaimLine& hl = s.lines[k];
        if (hl.date.days() < lo || hl.date > l.date) continue;
        for (uint32_t fl : bi.first_line) found = found || fl == hl.item;
      }
    }
    if (!found)
      Emit(p, rule, v, {li}, l.amount,
           fmt::format("{} is second-line: none of the first-line drugs {} within {} days before "
                       "{}",
                       s.ItemCode(l), Join(st.first_line), window, Day(l.date)));
  });
}

// ---- standard_* on one line

void CheckStandardLine(const PersonReview& p, uint32_t v, uint32_t li, const KnowledgeItem& k,
                       uint32_t families) {
  const ClaimsStore& s = p.s;
  const ClaimLine& l = s.lines[li];
  std::string_view code = s.ItemCode(l);
  if ((families & Bit(RuleFamily::kStandardDose)) && k.max_sin_dos && l.sin_dos > *k.max_sin_dos) {
    std::string e = fmt::format("{}: single dose {} above the maximum {} on {}", code,
                                QtyText(l.sin_dos), QtyText(*k.max_sin_dos), Day(l.date));
    Money amt = Share(l.amount, l.sin_dos - *k.max_sin_dos, l.sin_dos);
    ForRules(p, RuleFamily::kStandardDose, v,
             [&](uint32_t rule) { Emit(p, rule, v, {li}, amt, e); });
  }
  if ((families & Bit(RuleFamily::kStandardFrequency)) && k.max_daily_freq &&
      l.freq > *k.max_daily_freq) {
    std::string e = fmt::format("{}: {} times a day, above the maximum {}", code, QtyText(l.freq),
                                QtyText(*k.max_daily_freq));
    Money amt = Share(l.amount, l.freq - *k.max_daily_freq, l.freq);
    ForRules(p, RuleFamily::kStandardFrequency, v,
             [&](uint32_t rule) { Emit(p, rule, v, {li}, amt, e); });
  }
  if ((families & Bit(RuleFamily::kStandardCourse)) && k.max_course_days &&
      l.prd_days > *k.max_course_days) {
    std::string e = fmt::format("{}: a course of {} days, above the maximum {}", code, l.prd_days,
                                *k.max_course_days);
    Money amt = Share(l.amount, l.prd_days - *k.max_course_days, l.prd_days);
    ForRules(p, RuleFamily::kStandardCourse, v,
             [&](uint32_t rule) { Emit(p, rule, v, {li}, amt, e); });
  }
  if ((families & Bit(RuleFamily::kStandardMarkup)) && k.procurement_price) {
    // pric > procurement × (1 + markup), compared exactly in micro-yuan × ppm.
    __int128 allowed = __int128(*k.procurement_price) * (Ratio::kOne + k.max_markup.ppm());
    __int128 billed = __int128(l.pric) * Ratio::kOne;
    if (billed > allowed) {
      int64_t allowed_price = int64_t(allowed / Ratio::kOne);
      Money amt = l.amount - LineAmount(UnitPrice::MicroYuan(allowed_price), Quantity::Raw(l.cnt));
      if (amt.is_negative()) amt = Money::Zero();
      std::string e = fmt::format(
          "{}: unit price {} above the procurement price {} with {} mark-up allowed ({})", code,
          UnitPrice::MicroYuan(l.pric).ToString(),
          UnitPrice::MicroYuan(*k.procurement_price).ToString(), k.max_markup.ToString(),
          UnitPrice::MicroYuan(allowed_price).ToString());
      ForRules(p, RuleFamily::kStandardMarkup, v,
               [&](uint32_t rule) { Emit(p, rule, v, {li}, amt, e); });
    }
  }
}

// ---- Families over the visit's lines grouped by item (and day)

// Lines [b, e) of `keyed` share one item; calls f(day_begin, day_end) for each day's run.
template <typename F>
void ForDays(const std::vector<std::pair<uint64_t, uint32_t>>& keyed, size_t b, size_t e, F&& f) {
  for (size_t i = b; i < e;) {
    size_t j = i;
    while (j < e && keyed[j].first == keyed[i].first) ++j;
    f(i, j);
    i = j;
  }
}

void CheckGrouped(const PersonReview& p, uint32_t v) {
  const ClaimsStore& s = p.s;
  const ClaimsVisit& visit = s.visits[v];
  ReviewScratch& sc = p.scratch;
  const auto& keyed = sc.keyed;
  std::vector<uint32_t> bundles;  // bundle indices met on this visit
  for (size_t i = 0; i < keyed.size();) {
    uint32_t item = uint32_t(keyed[i].first >> 32);
    size_t j = i;
    while (j < keyed.size() && (keyed[j].first >> 32) == item) ++j;
    const BoundItem* bi = p.b.Item(item);
    uint32_t fams = bi ? bi->facts->families : 0;
    if (!fams) {
      i = j;
      continue;
    }
    std::string_view code = s.items.Name(item);
    auto lines_of = [&](size_t b, size_t e) {
      std::vector<uint32_t> out;
      for (size_t k = b; k < e; ++k) out.push_back(keyed[k].second);
      return out;
    };
    auto sum = [&](size_t b, size_t e, int64_t& cnt, Money& amt) {
      cnt = 0;
      amt = Money::Zero();
      for (size_t k = b; k < e; ++k) {
        cnt += s.lines[keyed[k].second].cnt;
        amt += s.lines[keyed[k].second].amount;
      }
    };
    const KnowledgeItem* k = bi->facts->item;
    // standard_quantity: per day, then per visit.
    if ((fams & Bit(RuleFamily::kStandardQuantity)) && k) {
      if (k->max_daily_qty)
        ForDays(keyed, i, j, [&](size_t b, size_t e) {
          // A dispensing for a course of N days (prd_days > 1) supplies cnt ÷ N a day.
          int64_t cnt = 0;
          Money amt = Money::Zero();
          for (size_t q = b; q < e; ++q) {
            const ClaimLine& l = s.lines[keyed[q].second];
            cnt += l.prd_days > 1 ? (l.cnt + l.prd_days - 1) / l.prd_days : l.cnt;
            amt += l.amount;
          }
          if (cnt <= *k->max_daily_qty) return;
          std::string ev = fmt::format("{}: {} units a day on {}, above the daily maximum {}", code,
                                       QtyText(cnt), Day(s.lines[keyed[b].second].date),
                                       QtyText(*k->max_daily_qty));
          Money part = Share(amt, cnt - *k->max_daily_qty, cnt);
          ForRules(p, RuleFamily::kStandardQuantity, v,
                   [&](uint32_t rule) { Emit(p, rule, v, lines_of(b, e), part, ev); });
        });
      int64_t cnt;
      Money amt;
      sum(i, j, cnt, amt);
      if (k->max_visit_qty && cnt > *k->max_visit_qty) {
        std::string ev = fmt::format("{}: {} units on the visit, above the maximum {} per visit",
                                     code, QtyText(cnt), QtyText(*k->max_visit_qty));
        Money part = Share(amt, cnt - *k->max_visit_qty, cnt);
        ForRules(p, RuleFamily::kStandardQuantity, v,
                 [&](uint32_t rule) { Emit(p, rule, v, lines_of(i, j), part, ev); });
      }
    }
    // charge_fictitious: a per-day item beyond the days of stay.
    if ((fams & Bit(RuleFamily::kChargeFictitious)) && k && k->per_day) {
      int64_t cnt;
      Money amt;
      sum(i, j, cnt, amt);
      ForRules(p, RuleFamily::kChargeFictitious, v, [&](uint32_t rule) {
        const RuleParams& q = p.b.set->rules()[rule].params;
        int64_t allowed = visit.inpatient() ? int64_t(visit.stay_days() + q.extra_days)
                                            : int64_t(q.outpatient_max);
        if (cnt <= allowed * Quantity::kScale) return;
        std::string ev =
            visit.inpatient()
                ? fmt::format("{} (charged once a day) counted {} for a stay of {} days ({}..{})",
                              code, QtyText(cnt), visit.stay_days(), Day(visit.begin),
                              Day(visit.end))
                : fmt::format("{} (charged once a day) counted {} on an outpatient visit", code,
                              QtyText(cnt));
        Emit(p, rule, v, lines_of(i, j), Share(amt, cnt - allowed * Quantity::kScale, cnt), ev);
      });
    }
    // charge_duplicate: charged on a day with an item that includes it.
    if (fams & Bit(RuleFamily::kChargeDuplicate)) {
      ForDays(keyed, i, j, [&](size_t b, size_t e) {
        Date d = s.lines[keyed[b].second].date;
        for (uint32_t inc : bi->included_by) {
          if (!HasItemOn(sc, inc, d)) continue;
          int64_t cnt;
          Money amt;
          sum(b, e, cnt, amt);
          std::string ev = fmt::format("{} charged on {} together with {}, which includes it", code,
                                       Day(d), s.items.Name(inc));
          ForRules(p, RuleFamily::kChargeDuplicate, v,
                   [&](uint32_t rule) { Emit(p, rule, v, lines_of(b, e), amt, ev); });
          break;
        }
      });
    }
    // charge_missing_associated: none of the required items on the visit.
    if (fams & Bit(RuleFamily::kChargeMissingAssociated)) {
      for (size_t row = 0; row < bi->requires_any.size(); ++row) {
        bool present = false;
        for (uint32_t req : bi->requires_any[row]) present = present || HasItem(sc, req);
        if (present) continue;
        int64_t cnt;
        Money amt;
        sum(i, j, cnt, amt);
        std::string ev = fmt::format("{} charged without any of {} on the visit", code,
                                     Join(bi->facts->requires_rows[row]->required_any));
        ForRules(p, RuleFamily::kChargeMissingAssociated, v,
                 [&](uint32_t rule) { Emit(p, rule, v, lines_of(i, j), amt, ev); });
        break;
      }
    }
    // charge_substitution: billed with nothing that justifies it over the usual item.
    if (fams & Bit(RuleFamily::kChargeSubstitution)) {
      for (size_t row = 0; row < bi->substitution_items.size(); ++row) {
        const KnowledgeSubstitution& sub = *bi->facts->substitutions[row];
        bool justified = false;
        for (uint32_t ev_item : bi->substitution_items[row])
          justified = justified || HasItem(sc, ev_item);
        if (!justified) justified = AnyDiagnosisStartsWith(s, visit, sub.evidence_any);
        for (uint32_t pi = visit.proc_begin; pi < visit.proc_end && !justified; ++pi)
          for (const std::string& pre : sub.evidence_any)
            justified = justified || StartsWith(s.procedures.Name(s.visit_proc[pi]), pre);
        if (justified) continue;
        int64_t cnt;
        Money amt;
        sum(i, j, cnt, amt);
        std::string ev = fmt::format(
            "{} billed where {} is usual, with no diagnosis, procedure or item among {} to "
            "justify it (diagnoses {})",
            code, sub.usual, sub.evidence_any.empty() ? "(none listed)" : Join(sub.evidence_any),
            Diagnoses(s, visit));
        ForRules(p, RuleFamily::kChargeSubstitution, v,
                 [&](uint32_t rule) { Emit(p, rule, v, lines_of(i, j), amt, ev); });
        break;
      }
    }
    // charge_priced_alike: second and later same-day units at the full price.
    if ((fams & Bit(RuleFamily::kChargePricedAlike)) && k && k->secondary_ratio) {
      ForDays(keyed, i, j, [&](size_t b, size_t e) {
        int64_t cnt;
        Money amt;
        sum(b, e, cnt, amt);
        if (cnt <= Quantity::kScale) return;
        int64_t full = 0;
        for (size_t x = b; x < e; ++x) full = std::max(full, s.lines[keyed[x].second].pric);
        int64_t second = int64_t((__int128(full) * k->secondary_ratio->ppm()) / Ratio::kOne);
        Money expected =
            LineAmount(UnitPrice::MicroYuan(full), Quantity::Units(1)) +
            LineAmount(UnitPrice::MicroYuan(second), Quantity::Raw(cnt - Quantity::kScale));
        // One fen per line of rounding slack.
        if (amt <= expected + Money::Fen(int64_t(e - b))) return;
        std::string ev = fmt::format(
            "{}: {} units on {} charged {} where the first is {} and each further unit {} ({} of "
            "the price): {} expected",
            code, QtyText(cnt), Day(s.lines[keyed[b].second].date), amt.ToString(),
            UnitPrice::MicroYuan(full).ToString(), UnitPrice::MicroYuan(second).ToString(),
            k->secondary_ratio->ToString(), expected.ToString());
        ForRules(p, RuleFamily::kChargePricedAlike, v,
                 [&](uint32_t rule) { Emit(p, rule, v, lines_of(b, e), amt - expected, ev); });
      });
    }
    if (fams & Bit(RuleFamily::kChargeSplit))
      for (uint32_t bu : bi->bundles)
        if (std::find(bundles.begin(), bundles.end(), bu) == bundles.end()) bundles.push_back(bu);
    i = j;
  }
  // charge_split: on one day, min_components or more components of a bundle charged separately.
  std::sort(bundles.begin(), bundles.end());
  for (uint32_t bu : bundles) {
    const BoundBundle& bb = p.b.bundles[bu];
    // The days on which some component was charged, and which components.
    std::vector<std::pair<int32_t, uint32_t>> hits;  // (day, line)
    for (uint32_t comp : bb.components) {
      if (comp == kNoCode) continue;
      auto it = std::lower_bound(keyed.begin(), keyed.end(),
                                 std::make_pair(uint64_t(comp) << 32, uint32_t(0)));
      for (; it != keyed.end() && (it->first >> 32) == comp; ++it)
        hits.push_back({s.lines[it->second].date.days(), it->second});
    }
    std::sort(hits.begin(), hits.end());
    for (size_t a = 0; a < hits.size();) {
      size_t z = a;
      while (z < hits.size() && hits[z].first == hits[a].first) ++z;
      std::vector<uint32_t> comps;
      std::vector<uint32_t> lines;
      Money amt;
      for (size_t x = a; x < z; ++x) {
        uint32_t item = s.lines[hits[x].second].item;
        if (std::find(comps.begin(), comps.end(), item) == comps.end()) comps.push_back(item);
        lines.push_back(hits[x].second);
        amt += s.lines[hits[x].second].amount;
      }
      if (comps.size() >= size_t(bb.row->min_components)) {
        std::sort(lines.begin(), lines.end());
        Date d = s.lines[hits[a].second].date;
        std::string ev =
            fmt::format("{} components of bundle {} charged separately on {} ({})", comps.size(),
                        bb.row->bundle, Day(d), [&] {
                          std::string names;
                          for (uint32_t c : comps)
                            names += (names.empty() ? "" : ", ") + std::string(s.items.Name(c));
                          return names;
                        }());
        ForRules(p, RuleFamily::kChargeSplit, v,
                 [&](uint32_t rule) { Emit(p, rule, v, lines, amt, ev); });
      }
      a = z;
    }
  }
}

}  // namespace

void CheckLines(const PersonReview& p, uint32_t v) {
  const ClaimsStore& s = p.s;
  const ClaimsVisit& visit = s.visits[v];
  ReviewScratch& sc = p.scratch;
  sc.keyed.clear();
  bool grouped = false;  // some line needs the by-item view
  constexpr uint32_t kGroupedFamilies =
      Bit(RuleFamily::kStandardQuantity) | Bit(RuleFamily::kChargeFictitious) |
      Bit(RuleFamily::kChargeDuplicate) | Bit(RuleFamily::kChargeMissingAssociated) |
      Bit(RuleFamily::kChargeSubstitution) | Bit(RuleFamily::kChargeSplit) |
      Bit(RuleFamily::kChargePricedAlike);
  constexpr uint32_t kScopeFamilies =
      Bit(RuleFamily::kScopeInsutype) | Bit(RuleFamily::kScopeLevel) |
      Bit(RuleFamily::kScopeSetting) | Bit(RuleFamily::kScopeSpecialty) |
      Bit(RuleFamily::kScopeSex) | Bit(RuleFamily::kScopeAge) | Bit(RuleFamily::kScopeIndication);
  constexpr uint32_t kStandardFamilies =
      Bit(RuleFamily::kStandardDose) | Bit(RuleFamily::kStandardFrequency) |
      Bit(RuleFamily::kStandardCourse) | Bit(RuleFamily::kStandardMarkup);
  std::vector<uint32_t> outside;  // lines dated outside the visit
  const bool check_dates = (p.b.line_families & Bit(RuleFamily::kChargeFictitious)) != 0;
  for (uint32_t li = visit.line_begin; li < visit.line_end; ++li) {
    const ClaimLine& l = s.lines[li];
    sc.keyed.push_back({Key(l.item, l.date), li});
    if (check_dates && (l.date < visit.begin || visit.end < l.date)) outside.push_back(li);
    const BoundItem* bi = p.b.Item(l.item);
    if (!bi) continue;
    uint32_t fams = bi->facts->families;
    if (!fams) continue;
    if (fams & kScopeFamilies) CheckScope(p, v, li, *bi->facts, fams);
    if (fams & Bit(RuleFamily::kScopeStepTherapy)) CheckStepTherapy(p, v, li, *bi);
    if ((fams & kStandardFamilies) && bi->facts->item)
      CheckStandardLine(p, v, li, *bi->facts->item, fams);
    grouped = grouped || (fams & kGroupedFamilies);
  }
  if (!outside.empty()) {
    Money amt;
    for (uint32_t li : outside) amt += s.lines[li].amount;
    const ClaimLine& first = s.lines[outside.front()];
    std::string ev = fmt::format(
        "{} charged on {}, outside the visit {}..{}{}", s.ItemCode(first), Day(first.date),
        Day(visit.begin), Day(visit.end),
        outside.size() > 1 ? fmt::format(" (and {} more lines)", outside.size() - 1) : "");
    ForRules(p, RuleFamily::kChargeFictitious, v,
             [&](uint32_t rule) { Emit(p, rule, v, outside, amt, ev); });
  }
  if (grouped) {
    std::sort(sc.keyed.begin(), sc.keyed.end());
    CheckGrouped(p, v);
  }
}

}  // namespace yibao

// The generated region read back with the thresholds of docs/formats/claims.md, rule by rule, as
// a reviewer would: every labelled visit is caught by its family's rule (injections are clearly
// beyond the thresholds) and no unlabelled visit is (normal care keeps within them). This is an
// independent reading of the files, not of the generator's structures.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "base/money.h"
#include "base/quantity.h"
#include "catalogue/catalogue_csv.h"
#include "drg/grouper.h"
#include "gen/families.h"
#include "gen_fixture.h"

namespace yibao::gen::testing {
namespace {

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    size_t end = s.find(';', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

int64_t Scaled(const std::string& s, int decimals) {
  if (s.empty()) return -1;
  if (decimals == 4) return Quantity::Parse(s)->scaled();
  return UnitPrice::Parse(s)->micro_yuan();
}

struct ItemK {
  std::string category;
  bool per_day = false;
  int64_t max_sin_dos = -1, max_freq = -1, max_daily_qty = -1, max_visit_qty = -1;
  int64_t max_course = -1, max_annual_fen = -1, procurement = -1, markup_ppm = 0, secondary = -1;
};

struct LineR {
  std::string code;
  Date day;
  int64_t cnt, price, fen, sin_dos;
  int freq, prd;
  std::string dept;
  bool approved;
};

struct VisitR {
  std::string id, psn, inst;
  int med;
  Date begin, end;
  std::string dept;
  int dscg;
  std::vector<std::string> dx, procs;
  std::string insutype, drg;
  std::vector<LineR> lines;
  bool inpatient() const { return med == 21; }
  int los() const { return end - begin; }
};

struct PersonR {
  int gend;
  Date brdy;
  bool dead = false;
  Date death;
};

class Reviewer {
 public:
  explicit Reviewer(const Region& r) {
    auto cat = ParseCatalogueCsv(r.files.at("catalogue.csv"), "catalogue.csv", "379900");
    EXPECT_TRUE(cat.ok());
    cat_ = std::move(*cat);
    for (const auto& p : ReadCsv(r.files.at("persons.csv")).rows) {
      PersonR& x = persons_[p[0]];
      x.gend = std::stoi(p[1]);
      x.brdy = *Date::Parse(p[2]);
      if (!p[6].empty()) {
        x.dead = true;
        x.death = *Date::Parse(p[6]);
      }
    }
    for (const auto& i : ReadCsv(r.files.at("institutions.csv")).rows)
      level_[i[0]] = std::stoi(i[2]);
    for (const auto& i : ReadCsv(r.files.at("knowledge/items.csv")).rows) {
      ItemK& k = items_[i[0]];
      k.category = i[1];
      k.per_day = i[2] == "1";
      k.max_sin_dos = Scaled(i[3], 4);
      k.max_freq = i[4].empty() ? -1 : std::stoi(i[4]);
      k.max_daily_qty = Scaled(i[5], 4);
      k.max_visit_qty = Scaled(i[6], 4);
      k.max_course = i[7].empty() ? -1 : std::stoi(i[7]);
      k.max_annual_fen = i[8].empty() ? -1 : Money::ParseYuan(i[8])->fen();
      k.procurement = Scaled(i[9], 6);
      k.markup_ppm = i[10].empty() ? 0 : Scaled(i[10], 6);
      k.secondary = i[11].empty() ? -1 : Scaled(i[11], 6);
    }
    for (const auto& i : ReadCsv(r.files.at("knowledge/includes.csv")).rows)
      includes_.push_back({i[0], i[1]});
    for (const auto& i : ReadCsv(r.files.at("knowledge/requires.csv")).rows)
      requires_.push_back({i[0], Split(i[1])});
    for (const auto& i : ReadCsv(r.files.at("knowledge/bundles.csv")).rows)
      bundles_.push_back({Split(i[1]), std::stoi(i[2])});
    for (const auto& i : ReadCsv(r.files.at("knowledge/substitution.csv")).rows)
      subst_.push_back({i[0], Split(i[2])});
    for (const auto& i : ReadCsv(r.files.at("knowledge/step_therapy.csv")).rows)
      step_.push_back({i[0], Split(i[1]), std::stoi(i[2])});
    for (const auto& i : ReadCsv(r.files.at("knowledge/diagnosis_evidence.csv")).rows)
      evidence_.push_back({i[0], Split(i[1])});
    for (const auto& i : ReadCsv(r.files.at("knowledge/mild_diagnoses.csv")).rows)
      mild_.push_back({i[0], std::stoi(i[1])});
    std::unordered_map<std::string, size_t> index;
    for (const auto& v : ReadCsv(r.files.at("visits.csv")).rows) {
      VisitR x;
      x.id = v[0];
      x.psn = v[1];
      x.inst = v[2];
      x.med = std::stoi(v[3]);
      x.begin = *Date::Parse(v[4]);
      x.end = *Date::Parse(v[5]);
      x.dept = v[6];
      x.dscg = v[7].empty() ? 0 : std::stoi(v[7]);
      x.dx.push_back(v[8]);
      for (auto& d : Split(v[9])) x.dx.push_back(d);
      x.procs = Split(v[10]);
      x.insutype = v[11];
      x.drg = v[14];
      index[x.id] = visits_.size();
      visits_.push_back(std::move(x));
    }
    for (const auto& l : ReadCsv(r.files.at("fee_lines.csv")).rows) {
      LineR x{l[3],
              *Date::Parse(l[2]),
              Scaled(l[4], 4),
              Scaled(l[5], 6),
              Money::ParseYuan(l[6])->fen(),
              Scaled(l[7], 4),
              l[8].empty() ? -1 : std::stoi(l[8]),
              l[9].empty() ? -1 : std::stoi(l[9]),
              l[10],
              l[11] == "1"};
      visits_[index.at(l[0])].lines.push_back(std::move(x));
    }
    for (const auto& l : ReadCsv(r.files.at("labels.csv")).rows) labels_[l[0]].insert(l[1]);
    for (size_t i = 0; i < visits_.size(); ++i) by_person_[visits_[i].psn].push_back(i);
    for (auto& [p, list] : by_person_)
      std::stable_sort(list.begin(), list.end(),
                       [&](size_t a, size_t b) { return visits_[a].begin < visits_[b].begin; });
  }

  std::map<std::string, std::set<std::string>> Detect() {
    std::map<std::string, std::set<std::string>> d;
    for (const VisitR& v : visits_) LineRules(v, d);
    for (auto& [psn, list] : by_person_) PersonRules(persons_.at(psn), list, d);
    FakeRings(d);
    Upcoding(d);
    return d;
  }

  std::map<std::string, std::set<std::string>> labels_;

 private:
  bool AnyPrefix(const std::vector<std::string>& codes,
                 const std::vector<std::string>& prefixes) const {
    for (auto& c : codes)
      for (auto& p : prefixes)
        if (c.rfind(p, 0) == 0) return true;
    return false;
  }

  void LineRules(const VisitR& v, std::map<std::string, std::set<std::string>>& d) {
    const PersonR& p = persons_.at(v.psn);
    const int age = AgeInYears(p.brdy, v.begin);
    std::map<std::pair<std::string, int32_t>, int64_t> per_day_qty;
    std::map<std::string, int64_t> visit_qty;
    std::set<std::pair<std::string, int32_t>> on_day;
    std::set<std::string> codes;
    for (const LineR& l : v.lines) {
      codes.insert(l.code);
      on_day.insert({l.code, l.day.days()});
      per_day_qty[{l.code, l.day.days()}] += l.cnt;
      visit_qty[l.code] += l.cnt;
      const CatalogueItem* c = cat_.Find(l.code, l.day);
      if (c) {
        const PaymentRestriction& r = c->restriction;
        if ((r.sex == Sex::kMale && p.gend != 1) || (r.sex == Sex::kFemale && p.gend != 2))
          d["scope_sex"].insert(v.id);
        if ((r.min_age >= 0 && age < r.min_age) || (r.max_age >= 0 && age > r.max_age))
          d["scope_age"].insert(v.id);
        if ((r.setting == CareSetting::kInpatientOnly && !v.inpatient()) ||
            (r.setting == CareSetting::kOutpatientOnly && v.inpatient()))
          d["scope_setting"].insert(v.id);
        if (r.min_level > 0 && level_.at(v.inst) < r.min_level) d["scope_level"].insert(v.id);
        if (!r.indications.empty() && !AnyPrefix(v.dx, r.indications))
          d["scope_indication"].insert(v.id);
        if (!r.insutypes.empty() &&
            std::find(r.insutypes.begin(), r.insutypes.end(), v.insutype) == r.insutypes.end())
          d["scope_insutype"].insert(v.id);
        if (!r.specialties.empty() && !AnyPrefix({l.dept}, r.specialties))
          d["scope_specialty"].insert(v.id);
      }
      const ItemK& k = items_.at(l.code);
      if (k.max_sin_dos >= 0 && l.sin_dos > k.max_sin_dos) d["standard_dose"].insert(v.id);
      if (k.max_freq >= 0 && l.freq > k.max_freq) d["standard_frequency"].insert(v.id);
      if (k.max_course >= 0 && l.prd > k.max_course) d["standard_course"].insert(v.id);
      if (k.procurement >= 0 &&
          __int128(l.price) * 1'000'000 > __int128(k.procurement) * (1'000'000 + k.markup_ppm))
        d["standard_markup"].insert(v.id);
      if (l.day < v.begin || l.day > v.end) d["charge_fictitious"].insert(v.id);
    }
    for (auto& [key, q] : per_day_qty) {
      const ItemK& k = items_.at(key.first);
      if (k.max_daily_qty >= 0 && q > k.max_daily_qty) d["standard_quantity"].insert(v.id);
    }
    for (auto& [code, q] : visit_qty) {
      const ItemK& k = items_.at(code);
      if (k.max_visit_qty >= 0 && q > k.max_visit_qty) d["standard_quantity"].insert(v.id);
      if (k.per_day && q > int64_t(v.inpatient() ? v.los() + 1 : 1) * Quantity::kScale)
        d["charge_fictitious"].insert(v.id);
    }
    for (auto& [a, b] : includes_)
      for (auto& [code, day] : on_day)
        if (code == a && on_day.count({b, day})) d["charge_duplicate"].insert(v.id);
    for (auto& [code, any] : requires_)
      if (codes.count(code)) {
        bool ok = false;
        for (auto& r : any) ok = ok || codes.count(r);
        if (!ok) d["charge_missing_associated"].insert(v.id);
      }
    for (auto& [billed, ev] : subst_)
      if (codes.count(billed)) {
        bool ok = AnyPrefix(v.dx, ev) || AnyPrefix(v.procs, ev);
        for (auto& e : ev) ok = ok || codes.count(e);
        if (!ok) d["charge_substitution"].insert(v.id);
      }
    std::set<int32_t> days;
    for (const LineR& l : v.lines) days.insert(l.day.days());
    for (int32_t day : days) {
      for (auto& [components, min] : bundles_) {
        int n = 0;
        for (auto& c : components) n += on_day.count({c, day});
        if (n >= min) d["charge_split"].insert(v.id);
      }
      std::map<std::string, std::pair<int64_t, int64_t>> units;  // code → (units, fen)
      std::map<std::string, int64_t> top;
      for (const LineR& l : v.lines)
        if (l.day.days() == day && items_.at(l.code).secondary >= 0) {
          units[l.code].first += l.cnt;
          units[l.code].second += l.fen;
          top[l.code] = std::max(top[l.code], l.price);
        }
      for (auto& [code, uf] : units) {
        const int64_t n = uf.first / Quantity::kScale;
        const int64_t full_fen = top[code] / 10'000;
        const int64_t allowed =
            full_fen + (n - 1) * full_fen * items_.at(code).secondary / 1'000'000;
        if (uf.second > allowed + 1) d["charge_priced_alike"].insert(v.id);
      }
    }
    if (v.inpatient() && v.los() >= 4) {
      int bare = 0;
      for (int i = 0; i < v.los(); ++i) {
        bool only = true;
        for (const LineR& l : v.lines)
          if (l.day.days() == v.begin.days() + i) {
            const std::string& c = items_.at(l.code).category;
            only = only && (c == "bed" || c == "nursing" || c == "meal");
          }
        bare += only;
      }
      if (bare * 2 > v.los()) d["visit_bed_without_treatment"].insert(v.id);
    }
    if (v.inpatient() && v.procs.empty())
      for (auto& [prefix, max] : mild_)
        if (v.dx[0].rfind(prefix, 0) == 0 && v.los() <= max)
          d["visit_low_severity_admission"].insert(v.id);
  }

  void PersonRules(const PersonR& p, const std::vector<size_t>& list,
                   std::map<std::string, std::set<std::string>>& d) {
    std::map<std::string, int64_t> annual;
    for (size_t i : list) {
      const VisitR& v = visits_[i];
      if (p.dead && v.begin > p.death) d["visit_after_death"].insert(v.id);
      for (const LineR& l : v.lines) {
        const ItemK& k = items_.at(l.code);
        if (k.max_annual_fen < 0) continue;
        annual[l.code] += l.fen;
        if (annual[l.code] > k.max_annual_fen) d["standard_annual"].insert(v.id);
      }
      for (const LineR& l : v.lines)
        for (auto& [drug, first, window] : step_)
          if (l.code == drug) {
            bool ok = false;
            for (size_t j : list)
              for (const LineR& o : visits_[j].lines)
                ok = ok || (std::find(first.begin(), first.end(), o.code) != first.end() &&
                            o.day < l.day && o.day.days() >= l.day.days() - window);
            if (!ok) d["scope_step_therapy"].insert(v.id);
          }
      if (v.inpatient()) {
        for (size_t j : list) {
          const VisitR& s = visits_[j];
          if (&s == &v || !s.inpatient() || s.inst != v.inst) continue;
          const int gap = v.begin - s.end;
          if (gap >= 0 && gap <= 15 && s.dx[0].substr(0, 3) == v.dx[0].substr(0, 3) &&
              v.dx[0].rfind("Z51", 0) != 0)
            d["visit_split_hospitalisation"].insert(v.id);
        }
      } else {
        for (size_t j : list) {
          const VisitR& s = visits_[j];
          if (!s.inpatient()) continue;
          if (v.begin > s.begin && v.begin < s.end)
            d["visit_outpatient_during_inpatient"].insert(v.id);
          if (!s.drg.empty() && s.inst == v.inst &&
              ((v.begin < s.begin && s.begin - v.begin <= 7) ||
               (v.begin > s.end && v.begin - s.end <= 7))) {
            bool kind = false;
            for (const LineR& l : v.lines) {
              const std::string& c = items_.at(l.code).category;
              kind = kind || c == "exam" || c == "drug";
            }
            if (kind) d["visit_cost_shifting"].insert(v.id);
          }
        }
        for (const LineR& l : v.lines) {
          if (l.prd <= 0 || items_.at(l.code).category != "drug") continue;
          int sum = 0;
          for (size_t j : list) {
            if (visits_[j].inpatient()) continue;
            for (const LineR& o : visits_[j].lines)
              if (o.code == l.code && o.prd > 0 && o.day <= l.day &&
                  o.day.days() > l.day.days() - 90)
                sum += o.prd;
          }
          if (sum * 2 > 270) d["visit_over_prescription"].insert(v.id);
        }
      }
    }
  }

  void FakeRings(std::map<std::string, std::set<std::string>>& d) {
    std::map<std::string, std::vector<std::pair<std::string, size_t>>>
        by_inst;  // inst → (bill, visit)
    for (size_t i = 0; i < visits_.size(); ++i) {
      const VisitR& v = visits_[i];
      if (!v.inpatient()) continue;
      std::map<std::string, int64_t> bill;
      for (const LineR& l : v.lines) bill[l.code] += l.cnt;
      std::string key;
      for (auto& [c, n] : bill) key += c + ":" + std::to_string(n) + ";";
      by_inst[v.inst].push_back({key, i});
    }
    for (auto& [inst, stays] : by_inst)
      for (auto& [key, i] : stays) {
        std::set<std::string> others;
        for (auto& [key2, j] : stays)
          if (key2 == key && std::abs(visits_[i].begin - visits_[j].begin) <= 60)
            others.insert(visits_[j].psn);
        if (others.size() >= 3) d["visit_fake_hospitalisation"].insert(visits_[i].id);
      }
  }

  void Upcoding(std::map<std::string, std::set<std::string>>& d) {
    DrgGrouper grouper = DrgGrouper::Bind(&Shared().spec, &Shared().icd);
    GroupResult r;
    for (const VisitR& v : visits_) {
      if (!v.inpatient() || v.drg.empty()) continue;
      std::set<std::string> codes;
      for (const LineR& l : v.lines) codes.insert(l.code);
      for (size_t i = 1; i < v.dx.size(); ++i)
        for (auto& [prefix, items] : evidence_) {
          if (v.dx[i].rfind(prefix, 0) != 0) continue;
          bool shown = false;
          for (auto& it : items) shown = shown || codes.count(it);
          if (shown) continue;
          const PersonR& p = persons_.at(v.psn);
          DrgCase c;
          c.sex = p.gend;
          c.age_years = AgeInYears(p.brdy, v.begin);
          if (c.age_years < 1) c.age_days = v.begin - p.brdy;
          c.los_days = v.los();
          c.discharge = v.dscg;
          c.main_dx = v.dx[0];
          for (size_t j = 1; j < v.dx.size(); ++j)
            if (j != i) c.secondary_dx.push_back(v.dx[j]);
          c.procedures = v.procs;
          GroupCase(grouper, c, &r);
          if (r.drg != v.drg) d["visit_drg_upcoding"].insert(v.id);
        }
    }
  }

  Catalogue cat_;
  std::unordered_map<std::string, PersonR> persons_;
  std::unordered_map<std::string, int> level_;
  std::unordered_map<std::string, ItemK> items_;
  std::vector<std::pair<std::string, std::string>> includes_;
  std::vector<std::pair<std::string, std::vector<std::string>>> requires_;
  std::vector<std::pair<std::vector<std::string>, int>> bundles_;
  std::vector<std::pair<std::string, std::vector<std::string>>> subst_;
  std::vector<std::tuple<std::string, std::vector<std::string>, int>> step_;
  std::vector<std::pair<std::string, std::vector<std::string>>> evidence_;
  std::vector<std::pair<std::string, int>> mild_;
  std::vector<VisitR> visits_;
  std::unordered_map<std::string, std::vector<size_t>> by_person_;
};

TEST(GenRules, EveryLabelIsCaughtAndNothingElse) {
  Reviewer reviewer(SmallRegion());
  auto detected = reviewer.Detect();
  for (int f = 0; f < kFamilyCount; ++f) {
    const std::string family(FamilyName(Family(f)));
    const auto& found = detected[family];
    const auto& labelled = reviewer.labels_[family];
    std::vector<std::string> missed, extra;
    for (auto& id : labelled)
      if (!found.count(id)) missed.push_back(id);
    for (auto& id : found)
      if (!labelled.count(id)) extra.push_back(id);
    EXPECT_TRUE(missed.empty()) << family << ": " << missed.size() << " of " << labelled.size()
                                << " labelled visits not caught, e.g. " << missed.front();
    EXPECT_TRUE(extra.empty()) << family << ": " << extra.size()
                               << " unlabelled visits caught, e.g. " << extra.front();
  }
}

}  // namespace
}  // namespace yibao::gen::testing

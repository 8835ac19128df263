#include "gen/care.h"

#include <algorithm>

#include "base/quantity.h"

namespace yibao::gen {

namespace {

constexpr int64_t kUnit = Quantity::kScale;  // one unit of cnt / sin_dos
// Normal dispensings keep every 90-day window at or below 120 days (the rule flags above 135).
constexpr int kNormalSupplyLimit = 120;

bool StartsWithAny(std::string_view s, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes)
    if (s.starts_with(p)) return true;
  return false;
}

int32_t Day(Date d) { return d.days(); }

// Hospitals: 三级 draw more patients than 二级, 二级 more than 一级.
uint32_t PickHospital(const GenContext& g, Rng& rng, const Person& p, int min_level,
                      bool inpatient) {
  const Institution& home = g.institutions[p.home_hospital];
  if (home.level >= min_level && rng.Percent(inpatient ? 45 : 60)) return p.home_hospital;
  // Share of stays / hospital outpatient visits by level: 一级 15%, 二级 40%, 三级 45%.
  int weights[4] = {0, 15, 40, 45};
  for (int l = 1; l < 4; ++l)
    if (l < min_level || g.hospitals_by_level[l].empty()) weights[l] = 0;
  if (weights[1] + weights[2] + weights[3] == 0) return p.home_hospital;
  int level = int(rng.Pick(weights));
  const auto& list = g.hospitals_by_level[level];
  return list[rng.Below(list.size())];
}

uint32_t PickClinic(const GenContext& g, Rng& rng, const Person& p) {
  if (rng.Percent(80) || g.clinics.empty()) return p.home_clinic;
  return g.clinics[rng.Below(g.clinics.size())];
}

uint32_t PickPharmacy(const GenContext& g, Rng& rng, const Person& p) {
  if (rng.Percent(70) || g.pharmacies.empty()) return p.home_pharmacy;
  return g.pharmacies[rng.Below(g.pharmacies.size())];
}

Visit NewVisit(uint32_t person_index, uint32_t inst, uint8_t med_type, Date day, uint8_t dept,
               std::string_view insutype, uint32_t seq) {
  Visit v;
  v.person = person_index;
  v.inst = inst;
  v.med_type = med_type;
  v.begin = v.end = day;
  v.dept = dept;
  v.insutype = insutype;
  v.seq = seq;
  return v;
}

Date RandomDay(const GenContext& g, Rng& rng, int margin_end = 0) {
  int span = g.year_end - g.year_begin + 1 - margin_end;
  if (span < 1) span = 1;
  return PlusDays(g.year_begin, int(rng.Below(uint64_t(span))));
}

}  // namespace

bool Allowed(const ItemInfo& item, const VisitFacts& s) {
  const PaymentRestriction& r = *item.restriction;
  if (r.sex == Sex::kMale && s.sex != 1) return false;
  if (r.sex == Sex::kFemale && s.sex != 2) return false;
  if (r.min_age >= 0 && s.age < r.min_age) return false;
  if (r.max_age >= 0 && s.age > r.max_age) return false;
  if (r.setting == yibao::CareSetting::kInpatientOnly && !s.inpatient) return false;
  if (r.setting == yibao::CareSetting::kOutpatientOnly && s.inpatient) return false;
  if (r.min_level > 0 && s.level < r.min_level) return false;
  if (!r.indications.empty()) {
    bool any = false;
    if (s.dx)
      for (std::string_view d : *s.dx) any = any || StartsWithAny(d, r.indications);
    if (!any) return false;
  }
  if (!r.insutypes.empty()) {
    bool any = false;
    for (const std::string& t : r.insutypes) any = any || t == s.insutype;
    if (!any) return false;
  }
  if (!r.specialties.empty() && !StartsWithAny(kDepartments[s.dept], r.specialties)) return false;
  return true;
}

VisitFacts SettingOf(const GenContext& g, const Person& p, const Visit& v) {
  VisitFacts s;
  s.sex = p.gend;
  s.age = AgeInYears(p.brdy, v.begin);
  s.inpatient = v.inpatient();
  s.level = g.institutions[v.inst].level;
  s.dx = &v.dx;
  s.insutype = v.insutype;
  s.dept = v.dept;
  return s;
}

bool PersonLedger::SupplyFits(ItemId item, int32_t day, int days, int limit) const {
  // Every window [t, t + 89] that contains `day` starts at a dispensing date in [day - 89, day]
  // (or at `day` itself) when its sum is largest.
  std::vector<std::pair<int32_t, int>> mine;
  for (const Supply& s : supplies)
    if (s.item == item && s.day > day - 90 && s.day < day + 90) mine.emplace_back(s.day, s.days);
  mine.emplace_back(day, days);
  for (const auto& [start, unused] : mine) {
    if (start > day || start < day - 89) continue;
    int sum = 0;
    for (const auto& [d, n] : mine)
      if (d >= start && d <= start + 89) sum += n;
    if (sum > limit) return false;
  }
  return true;
}

int64_t PersonLedger::Annual(ItemId item) const {
  for (const auto& [id, fen] : annual_fen)
    if (id == item) return fen;
  return 0;
}

void PersonLedger::AddAnnual(ItemId item, int64_t fen) {
  for (auto& [id, total] : annual_fen)
    if (id == item) {
      total += fen;
      return;
    }
  annual_fen.emplace_back(item, fen);
}

bool LineMaker::Check(const Visit& v, ItemId item, uint8_t dept) const {
  VisitFacts s = SettingOf(g_, p_, v);
  if (dept != 0) s.dept = dept;
  return Allowed(k_.item(item), s);
}

Line& LineMaker::Raw(Visit& v, ItemId item, int32_t day, int64_t cnt_scaled, int64_t price) {
  const ItemInfo& info = k_.item(item);
  Line l;
  l.day = day;
  l.item = item;
  l.cnt = cnt_scaled;
  l.price = price > 0 ? price : info.price_micro;
  l.dept = v.dept;
  l.approved = info.restriction->step_therapy || info.restriction->needs_approval;
  v.lines.push_back(l);
  return v.lines.back();
}

bool LineMaker::Item(Visit& v, ItemId item, int32_t day, int units, uint8_t dept) {
  if (units <= 0 || !Check(v, item, dept)) return false;
  const ItemInfo& info = k_.item(item);
  if (info.max_annual_fen >= 0) {
    int64_t fen =
        LineAmount(UnitPrice::MicroYuan(info.price_micro), Quantity::Raw(units * kUnit)).fen();
    // Normal care keeps a person's year well inside the annual limit.
    if (ledger_.Annual(item) + fen > info.max_annual_fen * 6 / 10) return false;
    ledger_.AddAnnual(item, fen);
  }
  Line& l = Raw(v, item, day, units * kUnit);
  if (dept != 0) l.dept = dept;
  return true;
}

bool LineMaker::StayDrug(Visit& v, ItemId item, int32_t day, int sin_dos, int freq,
                         int extra_units) {
  if (!Check(v, item, 0)) return false;
  Line& l = Raw(v, item, day, int64_t(sin_dos * freq + extra_units) * kUnit);
  l.sin_dos = sin_dos * kUnit;
  l.used_frqu = int16_t(freq);
  return true;
}

bool LineMaker::Dispense(Visit& v, ItemId item, int sin_dos, int freq, int days, int pack) {
  if (!Check(v, item, 0)) return false;
  const int32_t day = Day(v.begin);
  if (!ledger_.SupplyFits(item, day, days, kNormalSupplyLimit)) return false;
  ledger_.supplies.push_back({item, day, days});
  int64_t units = pack > 0 ? int64_t(pack) * ((days + 29) / 30) : int64_t(sin_dos) * freq * days;
  Line& l = Raw(v, item, day, units * kUnit);
  l.sin_dos = sin_dos * kUnit;
  l.used_frqu = int16_t(freq);
  l.prd_days = int16_t(days);
  return true;
}

namespace {

// Adds `count` units of a procedure whose later same-day units are discounted: the first at the
// full price, the others at the secondary ratio.
void DiscountedProcedure(const GenContext& g, LineMaker& lm, Visit& v, ItemId item, int count) {
  const ItemInfo& info = g.knowledge->item(item);
  if (!lm.Item(v, item, Day(v.begin), 1)) return;
  if (count > 1 && info.secondary_ppm >= 0) {
    int64_t price = info.price_micro * info.secondary_ppm / 1'000'000;
    Line& l = lm.Raw(v, item, Day(v.begin), int64_t(count - 1) * kUnit, price);
    (void)l;
  }
}

class PersonPlanner {
 public:
  PersonPlanner(const GenContext& g, Rng& rng, const Person& p, uint32_t index,
                PersonLedger& ledger, std::vector<Visit>& out, uint32_t& seq)
      : g_(g),
        k_(*g.knowledge),
        rng_(rng),
        p_(p),
        index_(index),
        ledger_(ledger),
        out_(out),
        seq_(seq),
        lm_(g, p, ledger) {}

  void Plan() {
    const int age = AgeInYears(p_.brdy, g_.year_begin);
    const int band = AgeBand(age);
    Chronic(age, band);
    Acute(age, band);
    StaysOfYear(age, band);
    Pregnancy(age);
    Cancer(age, band);
    Resolve();
  }

 private:
  uint8_t Dept(std::string_view code) const { return DepartmentIndex(code); }

  Visit& Add(Visit v) {
    out_.push_back(std::move(v));
    return out_.back();
  }

  void Consult(Visit& v) {
    const Institution& inst = g_.institutions[v.inst];
    if (inst.kind == InstitutionKind::kPharmacy) return;
    if (inst.kind == InstitutionKind::kInternet) {
      lm_.Item(v, g_.items.consult_internet, Day(v.begin), 1);
      return;
    }
    if (inst.level >= 2 && rng_.Percent(20) &&
        lm_.Item(v, g_.items.consult_senior, Day(v.begin), 1))
      return;
    lm_.Item(v, g_.items.consult, Day(v.begin), 1);
  }

  // --- acute outpatient episodes -------------------------------------------------------------
  void Acute(int age, int band) {
    for (const OutpatientProfile& o : g_.profiles.outpatient) {
      if (o.sex != 0 && o.sex != p_.gend) continue;
      if (age < o.age_lo || age > o.age_hi) continue;
      const int rate = o.rates[size_t(band)];
      if (rate <= 0) continue;
      const int trials = std::max(1, (rate + 249) / 250);
      const int n = rng_.Binomial(trials, int64_t(rate) * 1000 / trials);
      for (int i = 0; i < n; ++i) Episode(o, RandomDay(g_, rng_));
    }
  }

  void Episode(const OutpatientProfile& o, Date day) {
    std::string_view dx = o.dx[rng_.Below(o.dx.size())];
    uint8_t med = kMedOutpatient;
    uint32_t inst;
    int r = int(rng_.Below(100));
    if (r < o.pharmacy_pct && !g_.pharmacies.empty()) {
      med = kMedPharmacy;
      inst = PickPharmacy(g_, rng_, p_);
    } else if (r < o.pharmacy_pct + o.internet_pct && !g_.internet.empty()) {
      med = kMedInternet;
      inst = g_.internet[rng_.Below(g_.internet.size())];
    } else if (rng_.Percent(o.clinic_pct) && !g_.clinics.empty()) {
      inst = PickClinic(g_, rng_, p_);
    } else {
      inst = PickHospital(g_, rng_, p_, 1, false);
    }
    const InstitutionKind kind = g_.institutions[inst].kind;
    uint8_t dept = kind == InstitutionKind::kPharmacy ? 0 : Dept(o.dept);
    if (dept == Dept("A03") && AgeInYears(p_.brdy, day) < 14) dept = Dept("A07");
    Visit v = NewVisit(index_, inst, med, day, dept, p_.insutype, seq_++);
    v.dx.push_back(dx);
    Consult(v);
    const bool exams = kind == InstitutionKind::kHospital || kind == InstitutionKind::kClinic;
    if (exams) {
      for (size_t i = 0; i < o.items.size(); ++i) {
        const ItemRx& rx = o.items[i];
        if (!rng_.Percent(rx.pct)) continue;
        int units = int(rng_.Range(rx.cnt_lo, rx.cnt_hi));
        if (int(i) == o.secondary_ratio_item)
          DiscountedProcedure(g_, lm_, v, rx.id, units);
        else
          lm_.Item(v, rx.id, Day(day), units);
      }
      if (!o.procs.empty() && !v.lines.empty()) v.procs.push_back(o.procs[0]);
    }
    const int days = int(rng_.Range(o.days_lo, o.days_hi));
    int drugs = 0;
    for (const DrugRx& rx : o.drugs)
      if (rng_.Percent(rx.pct) && lm_.Dispense(v, rx.id, rx.sin_dos, rx.freq, days, rx.pack))
        ++drugs;
    if (med == kMedPharmacy && drugs == 0) {
      // A pharmacy purchase always buys something: a plain remedy for the complaint.
      if (!lm_.Dispense(v, g_.items.paracetamol, 1, 3, 3)) return;
    }
    if (v.lines.empty()) return;
    Date follow = PlusDays(day, int(rng_.Range(3, 7)));
    const bool followup = exams && rng_.Percent(o.followup_pct) && follow <= g_.year_end;
    Add(std::move(v));
    if (followup) {
      Visit f = NewVisit(index_, out_.back().inst, kMedOutpatient, follow, out_.back().dept,
                         p_.insutype, seq_++);
      f.dx.push_back(dx);
      Consult(f);
      if (rng_.Percent(40)) lm_.Item(f, g_.items.blood_count, Day(follow), 1);
      if (!f.lines.empty()) Add(std::move(f));
    }
  }

  // --- chronic conditions ------------------------------------------------------------------
  void Chronic(int age, int band) {
    std::vector<const ChronicProfile*> mine;
    const ChronicProfile* dialysis = nullptr;
    for (const ChronicProfile& c : g_.profiles.chronic) {
      if (!rng_.Chance(int64_t(c.prevalence[size_t(band)]) * 1000)) continue;
      if (c.name == "dialysis")
        dialysis = &c;
      else
        mine.push_back(&c);
    }
    if (dialysis && age >= 18) Dialysis(*dialysis);
    if (mine.empty()) return;
    // The regimen: drugs chosen once for the year.
    struct Rx {
      const DrugRx* rx;
    };
    std::vector<Rx> regimen;
    std::vector<std::string_view> dx;
    for (const ChronicProfile* c : mine) {
      dx.push_back(c->dx);
      size_t before = regimen.size();
      for (const DrugRx& d : c->drugs)
        if (rng_.Percent(d.pct)) regimen.push_back({&d});
      if (regimen.size() == before) regimen.push_back({&c->drugs[0]});
    }
    // Adherence: regular (monthly), irregular, sporadic.
    int r = int(rng_.Below(100));
    int n = r < 45   ? int(rng_.Range(10, 12))
            : r < 80 ? int(rng_.Range(5, 9))
                     : int(rng_.Range(1, 4));
    const int span = g_.year_end - g_.year_begin + 1;
    int interval = std::max(27, span / n);
    Date day =
        PlusDays(g_.year_begin, int(rng_.Below(uint64_t(std::max(1, span - interval * (n - 1))))));
    const uint32_t clinic_or_hospital =
        mine.front()->name == "coronary" || g_.clinics.empty() ? p_.home_hospital : p_.home_clinic;
    for (int i = 0; i < n && day <= g_.year_end; ++i) {
      int c = int(rng_.Below(100));
      uint8_t med = kMedChronic;
      uint32_t inst = clinic_or_hospital;
      if (c < 28 && !g_.pharmacies.empty()) {
        med = kMedPharmacy;
        inst = PickPharmacy(g_, rng_, p_);
      } else if (c < 40 && !g_.internet.empty()) {
        med = kMedInternet;
        inst = g_.internet[rng_.Below(g_.internet.size())];
      } else if (rng_.Percent(30)) {
        inst = PickHospital(g_, rng_, p_, 1, false);
      }
      const InstitutionKind kind = g_.institutions[inst].kind;
      Visit v = NewVisit(index_, inst, med, day,
                         kind == InstitutionKind::kPharmacy ? 0 : Dept(mine.front()->dept),
                         p_.insutype, seq_++);
      v.dx = dx;
      Consult(v);
      if ((kind == InstitutionKind::kHospital || kind == InstitutionKind::kClinic) &&
          (i % 3 == 0)) {
        for (const ChronicProfile* cp : mine)
          for (const ItemRx& it : cp->checkup)
            if (rng_.Percent(it.pct)) lm_.Item(v, it.id, Day(day), 1);
      }
      const int days = rng_.Percent(70) ? 30 : 28;
      for (const Rx& rx : regimen)
        lm_.Dispense(v, rx.rx->id, rx.rx->sin_dos, rx.rx->freq, days, rx.rx->pack);
      if (!v.lines.empty()) Add(std::move(v));
      day = PlusDays(day, interval + int(rng_.Range(-2, 4)));
    }
  }

  void Dialysis(const ChronicProfile& c) {
    uint32_t inst = PickHospital(g_, rng_, p_, 2, false);
    const int per_week = rng_.Percent(60) ? 3 : 2;
    const int offsets3[] = {0, 2, 4}, offsets2[] = {0, 3};
    int month = -1;
    for (Date week = PlusDays(g_.year_begin, int(rng_.Below(7))); week <= g_.year_end;
         week = PlusDays(week, 7)) {
      for (int s = 0; s < per_week; ++s) {
        Date day = PlusDays(week, per_week == 3 ? offsets3[s] : offsets2[s]);
        if (day > g_.year_end) break;
        Visit v = NewVisit(index_, inst, kMedChronic, day, Dept(c.dept), p_.insutype, seq_++);
        v.dx.push_back(c.dx);
        for (const ItemRx& it : c.checkup)
          if (rng_.Percent(it.pct)) lm_.Item(v, it.id, Day(day), 1);
        if (day.month() != month) {
          month = day.month();
          for (const DrugRx& d : c.drugs)
            if (rng_.Percent(d.pct)) lm_.Dispense(v, d.id, d.sin_dos, d.freq, 30, d.pack);
        }
        if (!v.lines.empty()) Add(std::move(v));
      }
    }
  }

  // --- stays -------------------------------------------------------------------------------
  void StaysOfYear(int age, int band) {
    for (const StayProfile& s : g_.profiles.stays) {
      if (s.sex != 0 && s.sex != p_.gend) continue;
      if (age < s.age_lo || age > s.age_hi) continue;
      const int rate = s.rates[size_t(band)];
      if (rate <= 0) continue;
      const int n = rng_.Binomial(2, int64_t(rate) * 500);
      for (int i = 0; i < n; ++i) {
        int los = int(rng_.Bell(s.los_lo, s.los_hi));
        Date begin = RandomDay(g_, rng_, los);
        uint32_t inst = PickHospital(g_, rng_, p_, s.min_level, true);
        Add(MakeStay(g_, rng_, p_, index_, ledger_, s, inst, begin, los, seq_++));
      }
    }
  }

  // --- pregnancy and birth -------------------------------------------------------------------
  void Pregnancy(int age) {
    if (p_.gend != 2 || age < 20 || age > 44) return;
    // Births per 1000 women a year by age (China 2020: total fertility ≈ 1.3).
    const int per_1000 = age < 25 ? 55 : age < 30 ? 90 : age < 35 ? 65 : age < 40 ? 28 : 5;
    if (!rng_.Chance(int64_t(per_1000) * 1000)) return;
    const bool caesarean = rng_.Percent(40);
    const StayProfile* s = g_.profiles.Stay(caesarean ? "delivery_caesarean" : "delivery_vaginal");
    int los = int(rng_.Bell(s->los_lo, s->los_hi));
    Date birth = RandomDay(g_, rng_, los);
    const std::string_view insutype = p_.maternity ? std::string_view("510") : p_.insutype;
    uint32_t inst = PickHospital(g_, rng_, p_, caesarean ? 2 : 1, true);
    // Maternity-only lines are checked under the insurance the birth is settled under.
    Visit stay = MakeStayAs(*s, inst, birth, los, insutype);
    // Prenatal care every four weeks before the birth, inside the year.
    for (int k = 7; k >= 1; --k) {
      Date day = PlusDays(birth, -28 * k - int(rng_.Below(3)));
      if (day < g_.year_begin) continue;
      uint8_t med = p_.maternity ? kMedMaternityOutpatient : kMedOutpatient;
      Visit v = NewVisit(index_, inst, med, day, Dept("A05.02"), insutype, seq_++);
      v.dx.push_back("Z34.900");
      Consult(v);
      lm_.Item(v, g_.items.prenatal, Day(day), 1);
      lm_.Item(v, g_.items.b_ultrasound, Day(day), 1);
      if (k == 7) lm_.Item(v, g_.items.hcg, Day(day), 1);
      if (k == 3) lm_.Item(v, g_.items.fetal_ultrasound, Day(day), 1);
      if (k >= 5) lm_.Dispense(v, g_.items.folic_acid, 1, 1, 28);
      Add(std::move(v));
    }
    Add(std::move(stay));
  }

  Visit MakeStayAs(const StayProfile& s, uint32_t inst, Date begin, int los,
                   std::string_view insutype) {
    Person as = p_;
    as.insutype = insutype;
    PersonLedger scratch;
    Visit v = MakeStay(g_, rng_, as, index_, scratch, s, inst, begin, los, seq_++);
    v.insutype = insutype;
    return v;
  }

  // --- cancer: chemotherapy cycles -------------------------------------------------------------
  void Cancer(int age, int band) {
    static constexpr int kPer100k[] = {0, 0, 100, 450, 800};
    if (!rng_.Chance(int64_t(kPer100k[band]) * 10)) return;
    struct Kind {
      std::string_view dx;
      int sex;
    };
    static constexpr Kind kKinds[] = {
        {"C34.900x001", 0}, {"C50.900", 2}, {"C16.900", 0}, {"C18.900", 0}};
    static constexpr int kWeights[] = {40, 25, 20, 15};
    const Kind& kind = kKinds[rng_.Pick(kWeights)];
    if (kind.sex != 0 && kind.sex != p_.gend) return;
    const StayProfile* chemo = g_.profiles.Stay("chemotherapy");
    uint32_t inst = PickHospital(g_, rng_, p_, 2, true);
    int cycles = int(rng_.Range(4, 6));
    Date day = RandomDay(g_, rng_, 60);
    for (int c = 0; c < cycles; ++c) {
      int los = int(rng_.Bell(chemo->los_lo, chemo->los_hi));
      if (PlusDays(day, los) > g_.year_end) break;
      Visit v = MakeStay(g_, rng_, p_, index_, ledger_, *chemo, inst, day, los, seq_++);
      v.dx.push_back(kind.dx);
      v.planned = true;
      const int32_t d0 = Day(day);
      if (kind.dx.starts_with("C34")) {
        lm_.StayDrug(v, g_.items.chemo_pemetrexed, d0, 2, 1);
        lm_.StayDrug(v, g_.items.chemo_cisplatin, d0, 10, 1);
      } else if (kind.dx.starts_with("C50")) {
        lm_.StayDrug(v, g_.items.chemo_paclitaxel, d0, 8, 1);
      } else {
        lm_.StayDrug(v, g_.items.chemo_oxaliplatin, d0, 3, 1);
      }
      Add(std::move(v));
      day = PlusDays(day, 21 + int(rng_.Range(0, 3)));
    }
  }

  // --- consistency -----------------------------------------------------------------------------
  void Resolve() {
    SortVisits(out_);
    const Date death = p_.dead ? p_.death_date : Date::Max();
    std::vector<Visit> kept;
    kept.reserve(out_.size());
    std::vector<size_t> stays;  // indices into kept
    // Stays first: no overlap, no unplanned readmission of the same category to the same place
    // within 16 days, nothing after death (a stay that reaches the death date ends there).
    for (Visit& v : out_) {
      if (!v.inpatient()) continue;
      if (v.begin >= death) continue;
      bool ok = true;
      for (size_t i : stays) {
        const Visit& s = kept[i];
        if (!(v.begin > s.end || v.end < s.begin)) ok = false;
        if (s.inst == v.inst && !v.planned && Category3(s.dx[0]) == Category3(v.dx[0]) &&
            std::abs(v.begin - s.end) <= 16)
          ok = false;
      }
      if (!ok) continue;
      if (v.end >= death) {
        v.end = death;
        v.dscg_way = 5;
        std::erase_if(v.lines, [&](const Line& l) { return l.day >= death.days(); });
        if (v.los() < 1 || v.lines.empty()) continue;
      }
      stays.push_back(kept.size());
      kept.push_back(std::move(v));
    }
    for (Visit& v : out_) {
      if (v.inpatient()) continue;
      if (v.begin >= death) continue;
      bool ok = true;
      for (size_t i : stays) {
        const Visit& s = kept[i];
        if (v.begin >= s.begin && v.begin <= s.end) ok = false;
        if (v.inst == s.inst && v.begin >= PlusDays(s.begin, -8) && v.begin <= PlusDays(s.end, 8))
          ok = false;
      }
      if (ok) kept.push_back(std::move(v));
    }
    out_ = std::move(kept);
    SortVisits(out_);
  }

  const GenContext& g_;
  const Knowledge& k_;
  Rng& rng_;
  const Person& p_;
  uint32_t index_;
  PersonLedger& ledger_;
  std::vector<Visit>& out_;
  uint32_t& seq_;
  LineMaker lm_;
};

}  // namespace

Visit MakeStay(const GenContext& g, Rng& rng, const Person& p, uint32_t person_index,
               PersonLedger& ledger, const StayProfile& s, uint32_t inst, Date begin, int los,
               uint32_t seq, std::string_view main_dx) {
  const Knowledge& k = *g.knowledge;
  LineMaker lm(g, p, ledger);
  if (los < 1) los = 1;
  Visit v =
      NewVisit(person_index, inst, kMedInpatient, begin, DepartmentIndex(s.dept), p.insutype, seq);
  v.end = PlusDays(begin, los);
  v.dscg_way = rng.Percent(97) ? 1 : (rng.Percent(70) ? 2 : 3);
  v.profile = &s;
  const std::string_view drawn = s.dx[rng.Below(s.dx.size())];
  v.dx.push_back(main_dx.empty() ? drawn : main_dx);
  for (const SecondaryDx& d : s.secondary)
    if (rng.Percent(d.pct)) v.dx.push_back(d.code);
  for (std::string_view pr : s.procs) v.procs.push_back(pr);
  const int32_t d0 = begin.days();
  const int level = g.institutions[inst].level;
  const ItemId bed = level == 3 && rng.Percent(20) ? g.items.bed_double : g.items.bed;
  const ItemId nursing = k.Require(s.nursing);
  const bool meals = rng.Percent(30);
  bool iv = false;
  for (const DailyRx& d : s.daily) iv = iv || k.item(d.id).code.starts_with("0012040");
  for (int day = 0; day < los; ++day) {
    lm.Item(v, bed, d0 + day, 1);
    lm.Item(v, nursing, d0 + day, 1);
    lm.Item(v, g.items.inpatient_consult, d0 + day, 1);
    if (meals) lm.Item(v, g.items.meal, d0 + day, 1);
  }
  for (const ItemRx& rx : s.admission)
    if (rng.Percent(rx.pct)) lm.Item(v, rx.id, d0, int(rng.Range(rx.cnt_lo, rx.cnt_hi)));
  // Evidence of each coded secondary diagnosis (diagnosis_evidence.csv): normal care shows it.
  for (size_t i = 1; i < v.dx.size(); ++i)
    for (const PrefixItems& e : k.diagnosis_evidence)
      if (v.dx[i].starts_with(e.prefix)) {
        bool added = false;
        for (ItemId id : e.items)
          if (!added) added = lm.Item(v, id, d0 + (los > 1 ? 1 : 0), 1);
      }
  if (s.surgery_day >= 0) {
    const int sd = std::min(s.surgery_day, los - 1);
    for (const ItemRx& rx : s.surgery)
      if (rng.Percent(rx.pct)) lm.Item(v, rx.id, d0 + sd, int(rng.Range(rx.cnt_lo, rx.cnt_hi)));
  }
  for (const DailyRx& d : s.daily) {
    if (!rng.Percent(d.pct)) continue;
    const int last = d.to < 0 ? los - 1 : std::min(d.to, los - 1);
    const ItemInfo& info = k.item(d.id);
    const bool fluid = info.code.starts_with("XB05") || info.code.starts_with("0012040");
    for (int day = d.from; day <= last; ++day) {
      const int extra = fluid ? int(rng.Below(2)) : 0;
      if (info.kind == ItemKind::kDrug)
        lm.StayDrug(v, d.id, d0 + day, d.sin_dos, d.freq, extra);
      else
        lm.Item(v, d.id, d0 + day, d.sin_dos * d.freq + extra, d.rehab ? kDeptRehab : 0);
    }
  }
  // Consumables vary from stay to stay (no two bills alike by chance).
  if (iv) {
    lm.Item(v, g.items.cannula, d0, int(rng.Range(1, 2)));
    lm.Item(v, g.items.iv_set, d0, int(rng.Range(los, 2 * los)));
  }
  lm.Item(v, g.items.syringe, d0, int(rng.Range(2, 16 + 2 * los)));
  lm.Item(v, g.items.gauze, d0, int(rng.Range(0, 8)));
  return v;
}

std::string GroupStay(const GenContext& g, const Person& p, const Visit& v) {
  if (!g.grouper || !v.inpatient() || !g.institutions[v.inst].drg_paid) return "";
  DrgCase c;
  c.sex = p.gend;
  c.age_years = AgeInYears(p.brdy, v.begin);
  if (c.age_years < 1) c.age_days = v.begin - p.brdy;
  c.los_days = v.los();
  c.discharge = v.dscg_way;
  c.main_dx = std::string(v.dx[0]);
  for (size_t i = 1; i < v.dx.size(); ++i) c.secondary_dx.emplace_back(v.dx[i]);
  for (std::string_view pr : v.procs) c.procedures.emplace_back(pr);
  GroupResult r;
  GroupCase(*g.grouper, c, &r);
  return r.status == GroupStatus::kGrouped ? r.drg : "";
}

void SortVisits(std::vector<Visit>& visits) {
  std::sort(visits.begin(), visits.end(), [](const Visit& a, const Visit& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    return a.seq < b.seq;
  });
}

void PlanPersonYear(const GenContext& g, Rng& rng, const Person& p, uint32_t person_index,
                    PersonLedger& ledger, std::vector<Visit>& visits, uint32_t& seq) {
  PersonPlanner(g, rng, p, person_index, ledger, visits, seq).Plan();
}

uint8_t DepartmentIndex(std::string_view code) {
  for (size_t i = 1; i < std::size(kDepartments); ++i)
    if (kDepartments[i] == code) return uint8_t(i);
  return 0;
}

const char* InstitutionKindName(InstitutionKind k) {
  switch (k) {
    case InstitutionKind::kHospital:
      return "hospital";
    case InstitutionKind::kClinic:
      return "clinic";
    case InstitutionKind::kPharmacy:
      return "pharmacy";
    case InstitutionKind::kInternet:
      return "internet";
  }
  return "hospital";
}

}  // namespace yibao::gen

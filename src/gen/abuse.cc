#include "gen/abuse.h"

#include <algorithm>
#include <functional>

#include "base/quantity.h"

namespace yibao::gen {

namespace {

constexpr int64_t kUnit = Quantity::kScale;
constexpr int kTries = 60;

bool IsOutpatient(const Visit& v) { return !v.inpatient(); }

class Injector {
 public:
  Injector(const GenContext& g, Rng& rng, BlockData& b)
      : g_(g), k_(*g.knowledge), it_(g.items), rng_(rng), b_(b) {}

  void Run() {
    size_t visits = 0;
    for (uint32_t p = 0; p < b_.visits.size(); ++p) {
      visits += b_.visits[p].size();
      for (uint32_t i = 0; i < b_.visits[p].size(); ++i)
        if (b_.visits[p][i].inpatient()) stays_.emplace_back(p, i);
    }
    for (int f = 0; f < kFamilyCount; ++f) {
      // Cases for this block: rate × visits, rounded at random so that the expectation is exact.
      // A fake-hospitalisation ring is 3–5 stays and an annual-amount case about 7 visits, so
      // those families have fewer cases for about as many labelled visits.
      const int divisor = Family(f) == Family::kVisitFakeHospitalisation ? 4
                          : Family(f) == Family::kStandardAnnual         ? 3
                                                                         : 1;
      const int64_t scaled = int64_t(visits) * g_.options.abuse_rate_ppm / divisor;
      int n = int(scaled / 1'000'000);
      if (rng_.Below(1'000'000) < uint64_t(scaled % 1'000'000)) ++n;
      for (int i = 0; i < n; ++i)
        if (Inject(Family(f))) ++b_.injected[size_t(f)];
    }
  }

 private:
  // --- choosing where ----------------------------------------------------------------------
  struct Pick {
    uint32_t person = 0;
    Visit* visit = nullptr;
  };

  Pick PickVisit(const std::function<bool(const Person&, const Visit&)>& ok) {
    for (int t = 0; t < kTries; ++t) {
      uint32_t p = uint32_t(rng_.Below(b_.persons.size()));
      auto& vs = b_.visits[p];
      if (vs.empty()) continue;
      Visit& v = vs[rng_.Below(vs.size())];
      if (v.touched || !ok(b_.persons[p], v)) continue;
      return {p, &v};
    }
    return {};
  }

  // A stay of the block (normal or added) that `ok` accepts and no injection has used.
  Pick PickStay(const std::function<bool(const Person&, const Visit&)>& ok) {
    if (stays_.empty()) return {};
    for (int t = 0; t < kTries; ++t) {
      auto [p, i] = stays_[rng_.Below(stays_.size())];
      Visit& v = b_.visits[p][i];
      if (v.touched || !ok(b_.persons[p], v)) continue;
      return {p, &v};
    }
    return {};
  }

  int Age(const Person& p, const Visit& v) const { return AgeInYears(p.brdy, v.begin); }
  const Institution& Inst(const Visit& v) const { return g_.institutions[v.inst]; }
  bool AtCareProvider(const Visit& v) const {
    auto k = Inst(v).kind;
    return k == InstitutionKind::kHospital || k == InstitutionKind::kClinic;
  }
  const Date Death(const Person& p) const { return p.dead ? p.death_date : Date::Max(); }

  bool CanPlaceOutpatient(uint32_t person, uint32_t inst, Date day) const {
    const Person& p = b_.persons[person];
    if (day < g_.year_begin || day > g_.year_end || day >= Death(p)) return false;
    for (const Visit& s : b_.visits[person]) {
      if (!s.inpatient()) continue;
      if (day >= s.begin && day <= s.end) return false;
      if (s.inst == inst && day >= PlusDays(s.begin, -8) && day <= PlusDays(s.end, 8)) return false;
    }
    return true;
  }

  bool CanPlaceStay(uint32_t person, uint32_t inst, Date begin, Date end, std::string_view dx,
                    const Visit* original = nullptr) const {
    const Person& p = b_.persons[person];
    if (begin < g_.year_begin || end > g_.year_end || end >= Death(p)) return false;
    for (const Visit& v : b_.visits[person]) {
      if (v.inpatient()) {
        if (!(begin > v.end || end < v.begin)) return false;
        if (&v != original && v.inst == inst && Category3(v.dx[0]) == Category3(dx) &&
            (std::abs(begin - v.end) <= 16 || std::abs(v.begin - end) <= 16))
          return false;
      } else {
        if (v.begin >= begin && v.begin <= end) return false;
        if (v.inst == inst && v.begin >= PlusDays(begin, -8) && v.begin <= PlusDays(end, 8))
          return false;
      }
    }
    return true;
  }

  Visit& AddVisit(uint32_t person, Visit v) {
    v.touched = true;
    auto& vs = b_.visits[person];
    if (v.inpatient()) stays_.emplace_back(person, uint32_t(vs.size()));
    vs.push_back(std::move(v));
    return vs.back();
  }

  Visit NewOutpatient(uint32_t person, uint32_t inst, uint8_t med, Date day, std::string_view dx,
                      std::string_view dept) {
    Visit v;
    v.person = person;
    v.inst = inst;
    v.med_type = med;
    v.begin = v.end = day;
    v.dept = g_.institutions[inst].kind == InstitutionKind::kPharmacy ? 0 : DepartmentIndex(dept);
    v.insutype = b_.persons[person].insutype;
    v.seq = b_.seq++;
    v.dx.push_back(dx);
    return v;
  }

  Line& Mark(Line& l, Family f) {
    l.label = int8_t(f);
    return l;
  }

  LineMaker Maker(uint32_t person) { return LineMaker(g_, b_.persons[person], b_.ledgers[person]); }

  // A dispensing line added on purpose (no checks), with its dose fields.
  Line& RawDrug(Visit& v, uint32_t person, ItemId item, int sin_dos, int freq, int days,
                int64_t price = 0) {
    LineMaker lm = Maker(person);
    Line& l = lm.Raw(v, item, v.begin.days(), int64_t(sin_dos) * freq * days * kUnit, price);
    l.sin_dos = sin_dos * kUnit;
    l.used_frqu = int16_t(freq);
    l.prd_days = int16_t(days);
    return l;
  }

  bool HasItem(const Visit& v, ItemId item) const {
    for (const Line& l : v.lines)
      if (l.item == item) return true;
    return false;
  }

  // Whether `item`'s restrictions other than the one being broken hold on `v`.
  bool OthersHold(uint32_t person, const Visit& v, ItemId item) const {
    return Allowed(k_.item(item), SettingOf(g_, b_.persons[person], v));
  }

  uint32_t RandomOf(const std::vector<uint32_t>& list) { return list[rng_.Below(list.size())]; }

  // --- the families --------------------------------------------------------------------------
  bool Inject(Family f) {
    switch (f) {
      case Family::kScopeInsutype:
        return ScopeInsutype();
      case Family::kScopeLevel:
        return ScopeLevel();
      case Family::kScopeSetting:
        return ScopeSetting();
      case Family::kScopeSpecialty:
        return ScopeSpecialty();
      case Family::kScopeSex:
        return ScopeSex();
      case Family::kScopeAge:
        return ScopeAge();
      case Family::kScopeIndication:
        return ScopeIndication();
      case Family::kScopeStepTherapy:
        return ScopeStepTherapy();
      case Family::kStandardDose:
        return AddDrugToOutpatient(f, it_.paracetamol, 6, 3, 3);
      case Family::kStandardFrequency:
        return AddDrugToOutpatient(f, it_.ibuprofen_sr, 1, 5, 3);
      case Family::kStandardQuantity:
        return StandardQuantity();
      case Family::kStandardCourse:
        return StandardCourse();
      case Family::kStandardAnnual:
        return StandardAnnual();
      case Family::kStandardMarkup:
        return StandardMarkup();
      case Family::kChargeDuplicate:
        return ChargeDuplicate();
      case Family::kChargeMissingAssociated:
        return ChargeMissingAssociated();
      case Family::kChargeSubstitution:
        return ChargeSubstitution();
      case Family::kChargeFictitious:
        return ChargeFictitious();
      case Family::kChargeSplit:
        return ChargeSplit();
      case Family::kChargePricedAlike:
        return ChargePricedAlike();
      case Family::kVisitSplitHospitalisation:
        return SplitHospitalisation();
      case Family::kVisitOutpatientDuringInpatient:
        return OutpatientDuringInpatient();
      case Family::kVisitBedWithoutTreatment:
        return BedWithoutTreatment();
      case Family::kVisitAfterDeath:
        return AfterDeath();
      case Family::kVisitOverPrescription:
        return OverPrescription();
      case Family::kVisitFakeHospitalisation:
        return FakeHospitalisation();
      case Family::kVisitDrgUpcoding:
        return DrgUpcoding();
      case Family::kVisitLowSeverityAdmission:
        return LowSeverityAdmission();
      case Family::kVisitCostShifting:
        return CostShifting();
    }
    return false;
  }

  // An outpatient visit at a hospital or clinic (the usual target of a line-level injection).
  Pick OutpatientAtCare(const std::function<bool(const Person&, const Visit&)>& extra) {
    return PickVisit([&](const Person& p, const Visit& v) {
      return IsOutpatient(v) && AtCareProvider(v) && extra(p, v);
    });
  }

  bool ScopeInsutype() {
    Pick pk = OutpatientAtCare([&](const Person& p, const Visit& v) {
      int age = Age(p, v);
      return p.gend == 2 && age >= 15 && age <= 49 && v.insutype != "510";
    });
    if (!pk.visit) return false;
    // 叶酸片 is paid by maternity insurance only (insutypes 510); claimed under 310/390.
    Mark(RawDrug(*pk.visit, pk.person, it_.folic_acid, 1, 1, 28), Family::kScopeInsutype);
    pk.visit->touched = true;
    return true;
  }

  bool ScopeLevel() {
    Pick pk = OutpatientAtCare([&](const Person&, const Visit& v) { return Inst(v).level <= 1; });
    if (!pk.visit) return false;
    Mark(Maker(pk.person).Raw(*pk.visit, it_.mri, pk.visit->begin.days(), kUnit),
         Family::kScopeLevel);
    pk.visit->touched = true;
    return true;
  }

  bool ScopeSetting() {
    Pick pk = OutpatientAtCare([&](const Person&, const Visit& v) {
      return v.med_type == kMedOutpatient && Inst(v).kind == InstitutionKind::kHospital;
    });
    if (!pk.visit) return false;
    // 盐酸氨溴索注射液 is paid for inpatients only.
    Line& l = RawDrug(*pk.visit, pk.person, it_.ambroxol_inj, 1, 2, 1);
    Mark(l, Family::kScopeSetting);
    pk.visit->touched = true;
    return true;
  }

  bool ScopeSpecialty() {
    Pick pk = OutpatientAtCare([&](const Person& p, const Visit& v) {
      return v.dept != kDeptRehab && v.dept != 0 && Age(p, v) >= 18;
    });
    if (!pk.visit) return false;
    // 运动疗法 is paid when the rehabilitation department (A21) bills it; billed by another.
    Mark(Maker(pk.person).Raw(*pk.visit, it_.exercise_therapy, pk.visit->begin.days(), kUnit),
         Family::kScopeSpecialty);
    pk.visit->touched = true;
    return true;
  }

  bool ScopeSex() {
    Pick pk = OutpatientAtCare([&](const Person&, const Visit&) { return true; });
    if (!pk.visit) return false;
    const Person& p = b_.persons[pk.person];
    if (p.gend == 1)
      Mark(RawDrug(*pk.visit, pk.person, it_.clotrimazole, 1, 1, 7), Family::kScopeSex);
    else
      Mark(Maker(pk.person).Raw(*pk.visit, it_.psa, pk.visit->begin.days(), kUnit),
           Family::kScopeSex);
    pk.visit->touched = true;
    return true;
  }

  bool ScopeAge() {
    Pick pk = OutpatientAtCare([&](const Person&, const Visit&) { return true; });
    if (!pk.visit) return false;
    const int age = Age(b_.persons[pk.person], *pk.visit);
    if (age > 14)  // a children's granule (age_max 14) for an adult
      Mark(RawDrug(*pk.visit, pk.person, it_.amoxicillin_granules, 2, 3, 5), Family::kScopeAge);
    else  // levofloxacin (age_min 18) for a child
      Mark(RawDrug(*pk.visit, pk.person, it_.levofloxacin, 1, 1, 5), Family::kScopeAge);
    pk.visit->touched = true;
    return true;
  }

  bool ScopeIndication() {
    Pick pk = OutpatientAtCare([&](const Person& p, const Visit& v) {
      if (Age(p, v) < 18) return false;
      for (std::string_view d : v.dx)
        if (d.starts_with("E11")) return false;
      return true;
    });
    if (!pk.visit) return false;
    // 西格列汀 is paid for type 2 diabetes (E11) only.
    Mark(RawDrug(*pk.visit, pk.person, it_.sitagliptin, 1, 1, 30), Family::kScopeIndication);
    pk.visit->touched = true;
    return true;
  }

  bool ScopeStepTherapy() {
    const StepTherapy* st = nullptr;
    for (const StepTherapy& s : k_.step_therapy)
      if (s.drug == it_.moxifloxacin) st = &s;
    if (!st) return false;
    Pick pk = OutpatientAtCare([&](const Person& p, const Visit& v) {
      if (Age(p, v) < 18) return false;
      // No first-line drug in the window before (nor on the day).
      for (const Visit& o : b_.visits[&p - b_.persons.data()])
        for (const Line& l : o.lines)
          if (l.day <= v.begin.days() && l.day >= v.begin.days() - st->window_days - 1 &&
              std::find(st->first_line.begin(), st->first_line.end(), l.item) !=
                  st->first_line.end())
            return false;
      return true;
    });
    if (!pk.visit) return false;
    Line& l = RawDrug(*pk.visit, pk.person, it_.moxifloxacin, 1, 1, 5);
    l.approved = false;
    Mark(l, Family::kScopeStepTherapy);
    pk.visit->touched = true;
    return true;
  }

  bool AddDrugToOutpatient(Family f, ItemId item, int sin_dos, int freq, int days) {
    Pick pk = PickVisit([&](const Person& p, const Visit& v) {
      return IsOutpatient(v) && Age(p, v) >= 18 && !HasItem(v, item) &&
             OthersHold(uint32_t(&p - b_.persons.data()), v, item);
    });
    if (!pk.visit) return false;
    Mark(RawDrug(*pk.visit, pk.person, item, sin_dos, freq, days), f);
    pk.visit->touched = true;
    return true;
  }

  bool StandardQuantity() {
    Pick pk = PickVisit([&](const Person&, const Visit& v) {
      return IsOutpatient(v) && !HasItem(v, it_.salbutamol);
    });
    if (!pk.visit) return false;
    // Six inhalers on one visit; the knowledge base allows two.
    Mark(Maker(pk.person).Raw(*pk.visit, it_.salbutamol, pk.visit->begin.days(), 6 * kUnit),
         Family::kStandardQuantity);
    pk.visit->touched = true;
    return true;
  }

  bool StandardCourse() {
    Pick pk = PickVisit([&](const Person& p, const Visit& v) {
      return IsOutpatient(v) && Age(p, v) >= 18 && !HasItem(v, it_.tramadol);
    });
    if (!pk.visit) return false;
    // A 30-day course of tramadol; the limit is 7 days.
    Mark(RawDrug(*pk.visit, pk.person, it_.tramadol, 1, 2, 30), Family::kStandardCourse);
    pk.visit->touched = true;
    return true;
  }

  bool StandardAnnual() {
    // A person's acupuncture across repeated visits in two months goes well over the yearly
    // amount; LabelAcrossVisits labels the visits from the one that crosses it.
    for (int t = 0; t < kTries; ++t) {
      uint32_t person = uint32_t(rng_.Below(b_.persons.size()));
      const Person& p = b_.persons[person];
      if (AgeInYears(p.brdy, g_.year_begin) < 18 || g_.clinics.empty()) continue;
      const ItemInfo& info = k_.item(it_.acupuncture);
      const int64_t per_visit = info.price_micro * 10 / 10'000;  // fen for 10 units
      const int visits = int((info.max_annual_fen * 13 / 10) / per_visit) + 1;
      Date day = PlusDays(g_.year_begin, int(rng_.Below(250)));
      uint32_t inst = p.home_clinic;
      std::vector<Date> days;
      for (int i = 0; i < visits * 3 && int(days.size()) < visits; ++i) {
        if (CanPlaceOutpatient(person, inst, day)) days.push_back(day);
        day = PlusDays(day, int(rng_.Range(4, 7)));
      }
      if (int(days.size()) < visits) continue;
      for (Date d : days) {
        Visit v = NewOutpatient(person, inst, kMedOutpatient, d, "M54.500", "A50");
        LineMaker lm = Maker(person);
        lm.Raw(v, it_.consult, d.days(), kUnit);
        lm.Raw(v, it_.acupuncture, d.days(), 10 * kUnit);
        AddVisit(person, std::move(v));
      }
      return true;
    }
    return false;
  }

  bool StandardMarkup() {
    Pick pk = PickVisit([&](const Person& p, const Visit& v) {
      return IsOutpatient(v) && Age(p, v) >= 12 && !HasItem(v, it_.omeprazole);
    });
    if (!pk.visit) return false;
    for (Line& l : pk.visit->lines) {
      const ItemInfo& info = k_.item(l.item);
      if (info.procurement_micro > 0 && l.label == kNoLabel) {
        l.price = info.procurement_micro * 3 / 2;  // 50% above the procurement price
        Mark(l, Family::kStandardMarkup);
        pk.visit->touched = true;
        return true;
      }
    }
    // Omeprazole, not a first-line antibiotic: an added first-line drug would make an earlier
    // scope_step_therapy case look justified.
    const int64_t price = k_.item(it_.omeprazole).procurement_micro * 3 / 2;
    Mark(RawDrug(*pk.visit, pk.person, it_.omeprazole, 1, 2, 7, price), Family::kStandardMarkup);
    pk.visit->touched = true;
    return true;
  }

  bool ChargeDuplicate() {
    Pick pk = PickVisit([&](const Person&, const Visit& v) {
      return AtCareProvider(v) && !HasItem(v, it_.small_dressing);
    });
    if (!pk.visit) return false;
    // 大换药 includes 小换药: both on one day.
    Visit& v = *pk.visit;
    const int32_t day =
        v.inpatient() ? v.begin.days() + int32_t(rng_.Below(uint64_t(v.los()))) : v.begin.days();
    LineMaker lm = Maker(pk.person);
    bool has_big = false;
    for (const Line& l : v.lines) has_big = has_big || (l.item == it_.big_dressing && l.day == day);
    if (!has_big) lm.Raw(v, it_.big_dressing, day, kUnit);
    Mark(lm.Raw(v, it_.small_dressing, day, kUnit), Family::kChargeDuplicate);
    v.touched = true;
    return true;
  }

  bool ChargeMissingAssociated() {
    Pick pk = OutpatientAtCare([&](const Person&, const Visit& v) {
      for (const Line& l : v.lines)
        if (k_.item(l.item).code.starts_with("0031090300")) return false;  // an endoscopy
      return true;
    });
    if (!pk.visit) return false;
    // Endoscopy sedation without an endoscopy.
    Mark(Maker(pk.person).Raw(*pk.visit, it_.sedation, pk.visit->begin.days(), kUnit),
         Family::kChargeMissingAssociated);
    pk.visit->touched = true;
    return true;
  }

  bool ChargeSubstitution() {
    const Substitution* sub = nullptr;
    for (const Substitution& s : k_.substitutions)
      if (s.billed == it_.ct_enhanced) sub = &s;
    if (!sub) return false;
    Pick pk = PickVisit([&](const Person&, const Visit& v) {
      if (!AtCareProvider(v) || HasItem(v, it_.ct_enhanced)) return false;
      for (const std::string& e : sub->evidence) {
        for (std::string_view d : v.dx)
          if (d.starts_with(e)) return false;
        for (std::string_view p : v.procs)
          if (p.starts_with(e)) return false;
        for (const Line& l : v.lines)
          if (k_.item(l.item).code == e) return false;
      }
      return true;
    });
    if (!pk.visit) return false;
    for (Line& l : pk.visit->lines)
      if (l.item == it_.ct) {
        l.item = it_.ct_enhanced;
        l.price = k_.item(it_.ct_enhanced).price_micro;
        Mark(l, Family::kChargeSubstitution);
        pk.visit->touched = true;
        return true;
      }
    Mark(Maker(pk.person).Raw(*pk.visit, it_.ct_enhanced, pk.visit->begin.days(), kUnit),
         Family::kChargeSubstitution);
    pk.visit->touched = true;
    return true;
  }

  bool ChargeFictitious() {
    Pick pk = PickStay([&](const Person&, const Visit& v) { return v.los() >= 7; });
    if (!pk.visit) return false;
    Visit& v = *pk.visit;
    ItemId bed = it_.bed;
    for (const Line& l : v.lines)
      if (k_.item(l.item).category == Category::kBed) bed = l.item;
    // Bed days charged after discharge: more than the days of stay, dated outside the visit.
    LineMaker lm = Maker(pk.person);
    const int extra = int(rng_.Range(2, 3));
    for (int i = 1; i <= extra; ++i) {
      Line& l = lm.Raw(v, bed, v.end.days() + i, kUnit);
      if (i == 1) Mark(l, Family::kChargeFictitious);
    }
    v.touched = true;
    return true;
  }

  bool ChargeSplit() {
    Pick pk = PickVisit([&](const Person&, const Visit& v) { return AtCareProvider(v); });
    if (!pk.visit) return false;
    Visit& v = *pk.visit;
    LineMaker lm = Maker(pk.person);
    for (size_t i = 0; i < v.lines.size(); ++i)
      for (const Bundle& bd : k_.bundles)
        if (v.lines[i].item == bd.bundle && v.lines[i].label == kNoLabel) {
          const int32_t day = v.lines[i].day;
          v.lines.erase(v.lines.begin() + long(i));
          for (size_t c = 0; c < bd.components.size(); ++c) {
            Line& l = lm.Raw(v, bd.components[c], day, kUnit);
            if (c == 0) Mark(l, Family::kChargeSplit);
          }
          v.touched = true;
          return true;
        }
    const Bundle& bd = k_.bundles[rng_.Below(k_.bundles.size())];
    for (size_t c = 0; c < bd.components.size(); ++c) {
      Line& l = lm.Raw(v, bd.components[c], v.begin.days(), kUnit);
      if (c == 0) Mark(l, Family::kChargeSplit);
    }
    v.touched = true;
    return true;
  }

  bool ChargePricedAlike() {
    Pick pk = OutpatientAtCare([&](const Person&, const Visit& v) {
      return !HasItem(v, it_.extraction) && !HasItem(v, it_.suture);
    });
    if (!pk.visit) return false;
    // Three teeth or two sutures, every unit at the full price.
    const bool teeth = rng_.Percent(50);
    const ItemId item = teeth ? it_.extraction : it_.suture;
    LineMaker lm = Maker(pk.person);
    const int units = teeth ? 3 : 2;
    for (int i = 0; i < units; ++i) {
      Line& l = lm.Raw(*pk.visit, item, pk.visit->begin.days(), kUnit);
      if (i == 1) Mark(l, Family::kChargePricedAlike);
    }
    pk.visit->touched = true;
    return true;
  }

  // --- across visits ---------------------------------------------------------------------------
  bool SplitHospitalisation() {
    for (int t = 0; t < kTries; ++t) {
      // Not a birth (no one is readmitted to give birth again) nor a planned stay.
      Pick pk = PickStay([&](const Person&, const Visit& v) {
        return !v.planned && v.profile != nullptr && v.dscg_way != 5 && v.dx[0][0] != 'O';
      });
      if (!pk.visit) return false;
      const Visit original = *pk.visit;
      const StayProfile& s = *original.profile;
      const int los = int(rng_.Bell(s.los_lo, s.los_hi));
      const Date begin = PlusDays(original.end, int(rng_.Range(2, 10)));
      const Date end = PlusDays(begin, los);
      if (!CanPlaceStay(pk.person, original.inst, begin, end, original.dx[0], pk.visit)) continue;
      Visit v = MakeStay(g_, rng_, b_.persons[pk.person], pk.person, b_.ledgers[pk.person], s,
                         original.inst, begin, los, b_.seq++, original.dx[0]);
      v.drg = GroupStay(g_, b_.persons[pk.person], v);
      v.labels.push_back(Family::kVisitSplitHospitalisation);
      pk.visit->touched = true;
      AddVisit(pk.person, std::move(v));
      return true;
    }
    return false;
  }

  bool OutpatientDuringInpatient() {
    Pick pk = PickStay([&](const Person&, const Visit& v) { return v.los() >= 3; });
    if (!pk.visit || g_.pharmacies.empty()) return false;
    const Visit& stay = *pk.visit;
    const Date day = PlusDays(stay.begin, int(rng_.Range(1, stay.los() - 1)));
    const bool pharmacy = rng_.Percent(50) || g_.clinics.empty();
    uint32_t inst = pharmacy ? RandomOf(g_.pharmacies) : RandomOf(g_.clinics);
    if (inst == stay.inst) return false;
    Visit v = NewOutpatient(pk.person, inst, pharmacy ? kMedPharmacy : kMedOutpatient, day,
                            "K29.101", "A03.02");
    LineMaker lm = Maker(pk.person);
    if (!pharmacy) lm.Raw(v, it_.consult, day.days(), kUnit);
    Line& l = lm.Raw(v, it_.omeprazole, day.days(), 28 * kUnit);
    l.sin_dos = kUnit;
    l.used_frqu = 2;
    l.prd_days = 14;
    v.labels.push_back(Family::kVisitOutpatientDuringInpatient);
    pk.visit->touched = true;
    AddVisit(pk.person, std::move(v));
    return true;
  }

  // A stay of `los` days built line by line: `days_with_care` first days carry exams and drugs,
  // the others bed, nursing (and meals) only.
  Visit BareStay(uint32_t person, uint32_t inst, Date begin, int los, std::string_view dx,
                 std::string_view dept, int days_with_care) {
    Visit v;
    v.person = person;
    v.inst = inst;
    v.med_type = kMedInpatient;
    v.begin = begin;
    v.end = PlusDays(begin, los);
    v.dept = DepartmentIndex(dept);
    v.dscg_way = 1;
    v.insutype = b_.persons[person].insutype;
    v.seq = b_.seq++;
    v.dx.push_back(dx);
    LineMaker lm = Maker(person);
    // Consumables and a lab or two vary from stay to stay, as in normal care.
    lm.Raw(v, it_.syringe, begin.days(), int64_t(rng_.Range(2, 30)) * kUnit);
    lm.Raw(v, it_.gauze, begin.days(), int64_t(rng_.Range(1, 10)) * kUnit);
    if (rng_.Percent(50)) lm.Raw(v, it_.cannula, begin.days(), kUnit);
    const bool meals = rng_.Percent(50);
    for (int d = 0; d < los; ++d) {
      const int32_t day = begin.days() + d;
      lm.Raw(v, it_.bed, day, kUnit);
      lm.Raw(v, it_.nursing2, day, kUnit);
      if (meals) lm.Raw(v, it_.meal, day, kUnit);
      if (d < days_with_care) lm.Raw(v, it_.inpatient_consult, day, kUnit);
    }
    return v;
  }

  uint32_t LowerHospital() {
    int weights[4] = {0, 50, 50, 0};
    for (int l = 1; l < 3; ++l)
      if (g_.hospitals_by_level[l].empty()) weights[l] = 0;
    if (weights[1] + weights[2] == 0) return RandomOf(g_.hospitals);
    return RandomOf(g_.hospitals_by_level[rng_.Pick(weights)]);
  }

  bool BedWithoutTreatment() {
    for (int t = 0; t < kTries; ++t) {
      uint32_t person = uint32_t(rng_.Below(b_.persons.size()));
      const Person& p = b_.persons[person];
      if (AgeInYears(p.brdy, g_.year_begin) < 40) continue;
      const uint32_t inst = LowerHospital();
      const int los = int(rng_.Range(8, 14));
      const Date begin = PlusDays(g_.year_begin, int(rng_.Below(uint64_t(365 - los - 1))));
      const std::string_view dx = rng_.Percent(50) ? "I25.103" : "E11.900";
      if (!CanPlaceStay(person, inst, begin, PlusDays(begin, los), dx)) continue;
      // 挂床: exams and drugs on the first day, then bed and nursing only.
      Visit v = BareStay(person, inst, begin, los, dx, dx[0] == 'I' ? "A03.04" : "A03.07", 1);
      LineMaker lm = Maker(person);
      const int32_t d0 = begin.days();
      for (ItemId id : {it_.blood_count, it_.liver, it_.renal, it_.ecg, it_.dr})
        if (rng_.Percent(80)) lm.Raw(v, id, d0, kUnit);
      Line& l = lm.Raw(v, it_.amlodipine, d0, kUnit);
      l.sin_dos = kUnit;
      l.used_frqu = 1;
      v.drg = GroupStay(g_, p, v);
      v.labels.push_back(Family::kVisitBedWithoutTreatment);
      AddVisit(person, std::move(v));
      return true;
    }
    return false;
  }

  bool AfterDeath() {
    for (int t = 0; t < kTries; ++t) {
      uint32_t person = uint32_t(rng_.Below(b_.persons.size()));
      const Person& p = b_.persons[person];
      if (!p.dead || p.death_date > PlusDays(g_.year_end, -5)) continue;
      bool already = false;
      for (const Visit& v : b_.visits[person])
        for (Family f : v.labels) already = already || f == Family::kVisitAfterDeath;
      if (already) continue;
      // The card used after death: a pharmacy purchase, sometimes a clinic visit too.
      const int n = int(rng_.Range(1, 2));
      for (int i = 0; i < n; ++i) {
        Date day = PlusDays(p.death_date, int(rng_.Range(1, 60)));
        if (day > g_.year_end) day = g_.year_end;
        const bool pharmacy = i == 0 || g_.clinics.empty();
        uint32_t inst =
            pharmacy ? (g_.pharmacies.empty() ? p.home_clinic : p.home_pharmacy) : p.home_clinic;
        Visit v =
            NewOutpatient(person, inst,
                          g_.institutions[inst].kind == InstitutionKind::kPharmacy ? kMedPharmacy
                                                                                   : kMedOutpatient,
                          day, "K29.101", "A03.02");
        LineMaker lm = Maker(person);
        if (v.med_type != kMedPharmacy) lm.Raw(v, it_.consult, day.days(), kUnit);
        Line& l = lm.Raw(v, it_.omeprazole, day.days(), 28 * kUnit);
        l.sin_dos = kUnit;
        l.used_frqu = 2;
        l.prd_days = 14;
        v.labels.push_back(Family::kVisitAfterDeath);
        AddVisit(person, std::move(v));
      }
      return true;
    }
    return false;
  }

  bool OverPrescription() {
    for (int t = 0; t < kTries; ++t) {
      uint32_t person = uint32_t(rng_.Below(b_.persons.size()));
      const Person& p = b_.persons[person];
      if (AgeInYears(p.brdy, g_.year_begin) < 30 || g_.pharmacies.empty()) continue;
      // The person's own chronic drug if there is one (and it has no restriction or limit that
      // the purchases could break besides the supply), else amlodipine.
      ItemId drug = it_.amlodipine;
      for (const auto& s : b_.ledgers[person].supplies) {
        const ItemInfo& info = k_.item(s.item);
        if (s.days >= 28 && info.restriction->empty() && info.max_visit_qty < 0 &&
            info.max_daily_qty < 0 && info.max_course_days < 0 && info.max_annual_fen < 0 &&
            info.procurement_micro < 0)
          drug = s.item;
      }
      // Six 30-day dispensings at different pharmacies within about 50 days: 180 days of
      // supply (more with the person's own), where the limit is 135 in any 90 days.
      Date day = PlusDays(g_.year_begin, int(rng_.Below(300)));
      std::vector<Date> days;
      for (int i = 0; i < 16 && days.size() < 6; ++i) {
        uint32_t inst = RandomOf(g_.pharmacies);
        if (CanPlaceOutpatient(person, inst, day)) days.push_back(day);
        day = PlusDays(day, int(rng_.Range(6, 12)));
      }
      if (days.size() < 6) continue;
      std::vector<std::string_view> dx = {"I10.x00x002"};
      for (const Visit& v : b_.visits[person])
        for (const Line& l : v.lines)
          if (l.item == drug && l.prd_days > 0) dx = v.dx;
      for (Date d : days) {
        Visit v = NewOutpatient(person, RandomOf(g_.pharmacies), kMedPharmacy, d, dx[0], "");
        v.dx = dx;
        const ItemInfo& info = k_.item(drug);
        (void)info;
        RawDrug(v, person, drug, 1, 1, 30);
        AddVisit(person, std::move(v));  // labelled by LabelAcrossVisits
      }
      return true;
    }
    return false;
  }

  bool FakeHospitalisation() {
    static constexpr std::string_view kRingProfiles[] = {"copd", "heart_failure", "diabetes"};
    for (int t = 0; t < kTries / 4; ++t) {
      const StayProfile* s = g_.profiles.Stay(kRingProfiles[rng_.Below(3)]);
      const uint32_t inst = LowerHospital();
      const int ring = int(rng_.Range(3, 5));
      const int los = int(rng_.Bell(s->los_lo, s->los_hi));
      const Date first = PlusDays(g_.year_begin, int(rng_.Below(uint64_t(300 - los))));
      std::vector<uint32_t> members;
      std::vector<Visit> stays;
      Visit templ;
      for (int tries = 0; tries < ring * 10 && int(members.size()) < ring; ++tries) {
        uint32_t person = uint32_t(rng_.Below(b_.persons.size()));
        const Person& p = b_.persons[person];
        const int age = AgeInYears(p.brdy, first);
        if (age < std::max(40, s->age_lo) || (s->sex != 0 && s->sex != p.gend)) continue;
        if (std::find(members.begin(), members.end(), person) != members.end()) continue;
        const Date begin = PlusDays(first, int(rng_.Range(0, 40)));
        const Date end = PlusDays(begin, los);
        if (!CanPlaceStay(person, inst, begin, end, s->dx[0])) continue;
        Visit v;
        if (members.empty()) {
          templ = MakeStay(g_, rng_, p, person, b_.ledgers[person], *s, inst, begin, los, b_.seq++);
          templ.dx.resize(1);
          v = templ;
        } else {
          // The same bill: codes and counts copied, dates moved to this admission.
          v = templ;
          v.person = person;
          v.seq = b_.seq++;
          v.begin = begin;
          v.end = end;
          v.insutype = p.insutype;
          const int32_t shift = begin - templ.begin;
          bool ok = true;
          for (Line& l : v.lines) {
            l.day += shift;
            ok = ok && Allowed(k_.item(l.item), SettingOf(g_, p, v));
          }
          if (!ok) continue;
        }
        members.push_back(person);
        stays.push_back(std::move(v));
      }
      if (members.size() < 3) continue;
      for (size_t i = 0; i < members.size(); ++i) {
        stays[i].drg = GroupStay(g_, b_.persons[members[i]], stays[i]);
        stays[i].labels.push_back(Family::kVisitFakeHospitalisation);
        AddVisit(members[i], std::move(stays[i]));
      }
      return true;
    }
    return false;
  }

  bool DrgUpcoding() {
    if (!g_.grouper) return false;
    static constexpr std::string_view kCandidates[] = {"A41.900", "R57.100", "J81.x00",
                                                       "I26.900", "D62.x00", "J15.000"};
    for (int t = 0; t < kTries; ++t) {
      Pick pk = PickStay([&](const Person&, const Visit& v) {
        return v.drg.size() == 4 && (v.drg[3] == '3' || v.drg[3] == '5');
      });
      if (!pk.visit) return false;
      Visit& v = *pk.visit;
      const size_t start = rng_.Below(std::size(kCandidates));
      for (size_t c = 0; c < std::size(kCandidates); ++c) {
        std::string_view dx = kCandidates[(start + c) % std::size(kCandidates)];
        // No evidence of it in the stay.
        bool evidence = false;
        for (const PrefixItems& e : k_.diagnosis_evidence)
          if (dx.starts_with(e.prefix))
            for (const Line& l : v.lines)
              evidence =
                  evidence || std::find(e.items.begin(), e.items.end(), l.item) != e.items.end();
        if (evidence) continue;
        Visit trial = v;
        trial.dx.push_back(dx);
        std::string drg = GroupStay(g_, b_.persons[pk.person], trial);
        if (drg.size() == 4 && drg.substr(0, 3) == v.drg.substr(0, 3) && drg[3] < v.drg[3]) {
          v.dx.push_back(dx);
          v.drg = drg;
          v.labels.push_back(Family::kVisitDrgUpcoding);
          v.touched = true;
          return true;
        }
      }
      v.touched = true;  // not upcodable: leave it alone from now on
    }
    return false;
  }

  bool LowSeverityAdmission() {
    static constexpr std::string_view kMild[] = {"J06.900", "J02.900", "M54.500", "R51.x00"};
    for (int t = 0; t < kTries; ++t) {
      uint32_t person = uint32_t(rng_.Below(b_.persons.size()));
      const Person& p = b_.persons[person];
      const std::string_view dx = kMild[rng_.Below(std::size(kMild))];
      int max_days = 3;
      for (const MildDiagnosis& m : k_.mild)
        if (dx.starts_with(m.prefix)) max_days = m.max_inpatient_days;
      const int los = int(rng_.Range(1, std::min(3, max_days)));
      const uint32_t inst = LowerHospital();
      const Date begin = PlusDays(g_.year_begin, int(rng_.Below(uint64_t(360))));
      if (!CanPlaceStay(person, inst, begin, PlusDays(begin, los), dx)) continue;
      Visit v = BareStay(person, inst, begin, los, dx,
                         AgeInYears(p.brdy, begin) < 14 ? "A07" : "A03", los);
      LineMaker lm = Maker(person);
      const int32_t d0 = begin.days();
      lm.Raw(v, it_.blood_count, d0, kUnit);
      if (rng_.Percent(50)) lm.Raw(v, k_.Require("002504010300000"), d0, kUnit);  // CRP
      for (int d = 0; d < los; ++d) {
        const int bottles = int(rng_.Range(1, 3));
        lm.Raw(v, it_.iv_set, d0 + d, bottles * kUnit);
        Line& l = lm.Raw(v, k_.Require("XB05BBJ176B001010130664"), d0 + d, bottles * kUnit);
        l.sin_dos = kUnit;
        l.used_frqu = int16_t(bottles);
      }
      v.drg = GroupStay(g_, p, v);
      v.labels.push_back(Family::kVisitLowSeverityAdmission);
      AddVisit(person, std::move(v));
      return true;
    }
    return false;
  }

  bool CostShifting() {
    for (int t = 0; t < kTries; ++t) {
      Pick pk = PickStay(
          [&](const Person&, const Visit& v) { return !v.drg.empty() && v.dscg_way != 5; });
      if (!pk.visit) return false;
      const Visit& stay = *pk.visit;
      const bool before = rng_.Percent(50);
      const Date day = before ? PlusDays(stay.begin, -int(rng_.Range(1, 6)))
                              : PlusDays(stay.end, int(rng_.Range(1, 6)));
      // Room for it: not inside another stay, not next to another DRG-paid stay there.
      const Person& p = b_.persons[pk.person];
      if (day < g_.year_begin || day > g_.year_end || day >= (p.dead ? p.death_date : Date::Max()))
        continue;
      bool ok = true;
      for (const Visit& s : b_.visits[pk.person])
        if (&s != &stay && s.inpatient() &&
            ((day >= s.begin && day <= s.end) ||
             (s.inst == stay.inst && day >= PlusDays(s.begin, -8) && day <= PlusDays(s.end, 8))))
          ok = false;
      if (!ok) continue;
      Visit v = NewOutpatient(pk.person, stay.inst, kMedOutpatient, day, stay.dx[0],
                              kDepartments[stay.dept]);
      LineMaker lm = Maker(pk.person);
      lm.Raw(v, it_.consult, day.days(), kUnit);
      if (before) {
        // The stay's work-up done as an outpatient the days before.
        for (ItemId id : {it_.blood_count, it_.liver, it_.renal, it_.ecg, it_.dr})
          lm.Raw(v, id, day.days(), kUnit);
      } else {
        // The stay's drugs given as an outpatient the days after.
        Line& l = lm.Raw(v, it_.omeprazole, day.days(), 28 * kUnit);
        l.sin_dos = kUnit;
        l.used_frqu = 2;
        l.prd_days = 14;
        Line& c = lm.Raw(v, it_.cefuroxime_tab, day.days(), 10 * kUnit);
        c.sin_dos = kUnit;
        c.used_frqu = 2;
        c.prd_days = 5;
      }
      v.labels.push_back(Family::kVisitCostShifting);
      pk.visit->touched = true;
      AddVisit(pk.person, std::move(v));
      return true;
    }
    return false;
  }

  const GenContext& g_;
  const Knowledge& k_;
  const CommonItems& it_;
  Rng& rng_;
  BlockData& b_;
  std::vector<std::pair<uint32_t, uint32_t>> stays_;  // (person, visit index) of every stay
};

}  // namespace

void InjectAbuse(const GenContext& g, Rng& rng, BlockData& b) {
  Injector(g, rng, b).Run();
  for (auto& vs : b.visits) SortVisits(vs);
}

void LabelAcrossVisits(const GenContext& g, BlockData& b) {
  const Knowledge& k = *g.knowledge;
  for (auto& vs : b.visits) {
    // Over-prescription: per drug, dispensings (lines with prd_days) in date order.
    struct Disp {
      ItemId item;
      int32_t day;
      int days;
      size_t visit;
    };
    std::vector<Disp> disp;
    for (size_t i = 0; i < vs.size(); ++i) {
      if (vs[i].inpatient()) continue;
      for (const Line& l : vs[i].lines)
        if (l.prd_days > 0 && k.item(l.item).kind == ItemKind::kDrug)
          disp.push_back({l.item, l.day, l.prd_days, i});
    }
    for (const Disp& d : disp) {
      int sum = 0;
      for (const Disp& e : disp)
        if (e.item == d.item && e.day <= d.day && e.day > d.day - 90) sum += e.days;
      if (sum * 2 > 90 * 3) {
        Visit& v = vs[d.visit];
        if (std::find(v.labels.begin(), v.labels.end(), Family::kVisitOverPrescription) ==
            v.labels.end())
          v.labels.push_back(Family::kVisitOverPrescription);
      }
    }
    // Annual amounts: running totals per item with a yearly maximum, in visit order.
    std::vector<std::pair<ItemId, int64_t>> totals;
    for (Visit& v : vs)
      for (Line& l : v.lines) {
        const ItemInfo& info = k.item(l.item);
        if (info.max_annual_fen < 0) continue;
        int64_t* total = nullptr;
        for (auto& [id, t] : totals)
          if (id == l.item) total = &t;
        if (!total) {
          totals.emplace_back(l.item, 0);
          total = &totals.back().second;
        }
        *total += LineAmount(UnitPrice::MicroYuan(l.price), Quantity::Raw(l.cnt)).fen();
        if (*total > info.max_annual_fen && l.label == kNoLabel)
          l.label = int8_t(Family::kStandardAnnual);
      }
  }
}

}  // namespace yibao::gen

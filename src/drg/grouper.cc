#include "drg/grouper.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/json_text.h"

namespace yibao {

const char* GroupStatusName(GroupStatus s) {
  switch (s) {
    case GroupStatus::kGrouped:
      return "grouped";
    case GroupStatus::kAmbiguous:
      return "ambiguous";
    default:
      return "ungroupable";
  }
}

const char* GroupStepKindName(GroupStepKind k) {
  switch (k) {
    case GroupStepKind::kCode:
      return "code";
    case GroupStepKind::kCheck:
      return "check";
    case GroupStepKind::kPreMdc:
      return "pre-mdc";
    case GroupStepKind::kNewborn:
      return "newborn";
    case GroupStepKind::kHiv:
      return "hiv";
    case GroupStepKind::kTrauma:
      return "trauma";
    case GroupStepKind::kMdc:
      return "mdc";
    case GroupStepKind::kAdrg:
      return "adrg";
    case GroupStepKind::kQy:
      return "qy";
    case GroupStepKind::kSeverity:
      return "severity";
    case GroupStepKind::kDrg:
      return "drg";
  }
  return "?";
}

namespace {

enum class Eval : uint8_t { kNo, kYes, kMissing };

class Run {
 public:
  Run(const DrgGrouper& g, const DrgCase& c, GroupResult* r)
      : g_(g), s_(*g.spec), o_(g.options), c_(c), r_(r) {}

  void Go() {
    Reset();
    if (!Resolve()) return;
    if (!Checks()) return;
    age_days_ = c_.age_days >= 0 ? c_.age_days : (c_.age_years >= 0 ? c_.age_years * 365 : -1);
    if (c_.age_years > 0 && c_.age_days < 0) age_days_ = c_.age_years * 365;
    main_surgical_ = !r_->procedures.empty() && Surgical(r_->procedures[0].spec_id);
    // Pre-MDC.
    if (s_.pre_mdc() != kDrgNone) {
      if (TryMdc(s_.pre_mdc(), /*pre=*/true, /*fallible=*/true)) return;
      if (done_) return;
      Step(GroupStepKind::kPreMdc, false, s_.pre_mdc(), "no pre-MDC ADRG applies");
    }
    // Newborns.
    uint16_t newborn = s_.FindMdc(std::string_view(&o_.newborn_mdc, 1));
    if (newborn != kDrgNone && c_.age_days >= 0 && c_.age_days <= o_.newborn_max_days &&
        c_.age_years <= 0) {
      GroupStep& st = Step(GroupStepKind::kNewborn, true, newborn, "newborn: age in days");
      st.value = c_.age_days;
      if (TryMdc(newborn, false, true)) return;
      if (done_) return;
      Step(GroupStepKind::kNewborn, false, newborn,
           "no newborn ADRG applies; grouped by the main diagnosis");
    }
    uint32_t main = r_->main_dx.spec_id;
    uint32_t mask = main == kDrgNoCode ? 0 : s_.dx_mdc_mask[main];
    // HIV.
    uint16_t hiv = s_.FindMdc(std::string_view(&o_.hiv_mdc, 1));
    if (hiv != kDrgNone && (mask >> hiv & 1)) {
      Step(GroupStepKind::kHiv, true, hiv, "main diagnosis in the HIV MDC's table").role =
          CodeRole::kMainDx;
      TryMdc(hiv, false, false);
      return;
    }
    // Multiple trauma.
    uint16_t trauma = s_.FindMdc(std::string_view(&o_.trauma_mdc, 1));
    if (trauma != kDrgNone && (mask >> trauma & 1)) {
      int sites = TraumaSites(trauma);
      GroupStep& st =
          Step(GroupStepKind::kTrauma, sites >= o_.trauma_min_sites, trauma,
               sites >= o_.trauma_min_sites ? "multiple trauma: body sites with a diagnosis"
                                            : "main diagnosis is a trauma, but too few body sites");
      st.value = sites;
      st.role = CodeRole::kMainDx;
      if (sites >= o_.trauma_min_sites) {
        TryMdc(trauma, false, false);
        return;
      }
      mask &= ~(1u << trauma);
    }
    if (hiv != kDrgNone) mask &= ~(1u << hiv);
    // The MDC of the main diagnosis.
    if (mask == 0) {
      Fail(GroupStatus::kUngroupable,
           fmt::format("main diagnosis {} is in no MDC's main-diagnosis table", r_->main_dx.code));
      return;
    }
    uint32_t allowed = mask;
    for (size_t m = 0; m < s_.mdcs.size(); ++m) {
      if (!(mask >> m & 1)) continue;
      char l = s_.mdcs[m].letter;
      bool male_only = o_.male_mdcs.find(l) != std::string::npos;
      bool female_only = o_.female_mdcs.find(l) != std::string::npos;
      if ((male_only && c_.sex == 2) || (female_only && c_.sex == 1)) allowed &= ~(1u << m);
    }
    if (allowed == 0) {
      Fail(GroupStatus::kUngroupable,
           fmt::format("main diagnosis {} belongs to {}, which the patient's sex ({}) excludes",
                       r_->main_dx.code, MdcList(mask), c_.sex == 1 ? "male" : "female"));
      return;
    }
    if (__builtin_popcount(allowed) > 1) {
      // Sex-specific MDCs take the case of their sex.
      uint32_t specific = 0;
      for (size_t m = 0; m < s_.mdcs.size(); ++m) {
        if (!(allowed >> m & 1)) continue;
        char l = s_.mdcs[m].letter;
        if ((c_.sex == 1 && o_.male_mdcs.find(l) != std::string::npos) ||
            (c_.sex == 2 && o_.female_mdcs.find(l) != std::string::npos))
          specific |= 1u << m;
      }
      if (__builtin_popcount(specific) == 1) allowed = specific;
    }
    if (__builtin_popcount(allowed) > 1) {
      r_->drg = "QY";
      Fail(GroupStatus::kAmbiguous,
           fmt::format("main diagnosis {} is in the tables of {}; nothing decides between them",
                       r_->main_dx.code, MdcList(allowed)));
      return;
    }
    uint16_t mdc = static_cast<uint16_t>(__builtin_ctz(allowed));
    GroupStep& st = Step(GroupStepKind::kMdc, true, mdc, "main diagnosis in the MDC's table");
    st.role = CodeRole::kMainDx;
    if (s_.mdcs[mdc].table != UINT32_MAX) st.source = s_.sets[s_.mdcs[mdc].table].source;
    TryMdc(mdc, false, false);
  }

 private:
  void Reset() {
    r_->status = GroupStatus::kUngroupable;
    r_->drg.clear();
    r_->drg_name = {};
    r_->mdc = r_->adrg = r_->drg_index = kDrgNone;
    r_->severity = DrgSeverity::kNone;
    r_->reason.clear();
    r_->trace.clear();
    r_->main_dx = ResolvedCode();
    r_->secondary.clear();
    r_->procedures.clear();
  }

  GroupStep& Step(GroupStepKind kind, bool fired, uint16_t mdc, std::string_view note) {
    GroupStep& st = r_->trace.emplace_back();
    st.kind = kind;
    st.fired = fired;
    st.mdc = mdc;
    st.note = note;
    return st;
  }

  void Fail(GroupStatus status, std::string reason) {
    r_->status = status;
    if (r_->drg.empty()) r_->drg = status == GroupStatus::kAmbiguous ? "QY" : "0000";
    r_->reason = std::move(reason);
    GroupStep& st =
        Step(status == GroupStatus::kAmbiguous ? GroupStepKind::kQy : GroupStepKind::kCheck, true,
             r_->mdc, "");
    st.note = status == GroupStatus::kAmbiguous ? "ambiguous" : "ungroupable";
    done_ = true;
  }

  std::string MdcList(uint32_t mask) const {
    std::string out;
    for (size_t m = 0; m < s_.mdcs.size(); ++m) {
      if (!(mask >> m & 1)) continue;
      if (!out.empty()) out += ", ";
      out += s_.mdcs[m].code;
    }
    return out;
  }

  ResolvedCode ResolveOne(std::string_view sent, bool procedure) {
    ResolvedCode rc;
    rc.sent = sent;
    rc.code = sent;
    rc.known = true;
    if (g_.icd) {
      const IcdTable& t = procedure ? g_.icd->procedures : g_.icd->diagnoses;
      if (auto n = t.Normalize(sent)) {
        rc.code = t.Code(n->id);
        rc.via = n->via;
        rc.gray = t.IsGray(n->id);
        const std::vector<uint32_t>& bound = procedure ? g_.proc_spec_id : g_.dx_spec_id;
        if (n->id < bound.size()) {
          rc.spec_id = bound[n->id];
          return rc;
        }
      } else {
        rc.known = false;
      }
    }
    rc.spec_id = procedure ? s_.ProcedureId(rc.code) : s_.DiagnosisId(rc.code);
    return rc;
  }

  void NoteCode(const ResolvedCode& rc, CodeRole role, uint16_t index) {
    if (rc.via == Crosswalk::kNone && rc.known) return;
    GroupStep& st = Step(GroupStepKind::kCode, true, kDrgNone,
                         !rc.known ? "not a 医保版 2.0 code (nor a 1.0 or 国临 one); ignored"
                         : rc.via == Crosswalk::kFromV1 ? "医保版 1.0 code crosswalked to 2.0"
                                                        : "国临版 code crosswalked to 医保版 2.0");
    st.role = role;
    st.index = index;
  }

  bool Resolve() {
    std::string_view main = Trim(c_.main_dx);
    if (main.empty()) {
      Fail(GroupStatus::kUngroupable, "no main diagnosis");
      return false;
    }
    r_->main_dx = ResolveOne(main, false);
    NoteCode(r_->main_dx, CodeRole::kMainDx, 0);
    for (size_t i = 0; i < c_.secondary_dx.size(); ++i) {
      std::string_view code = Trim(c_.secondary_dx[i]);
      if (code.empty()) continue;
      r_->secondary.push_back(ResolveOne(code, false));
      NoteCode(r_->secondary.back(), CodeRole::kSecondaryDx,
               static_cast<uint16_t>(r_->secondary.size() - 1));
    }
    for (size_t i = 0; i < c_.procedures.size(); ++i) {
      std::string_view code = Trim(c_.procedures[i]);
      if (code.empty()) continue;
      r_->procedures.push_back(ResolveOne(code, true));
      NoteCode(r_->procedures.back(), CodeRole::kProcedure,
               static_cast<uint16_t>(r_->procedures.size() - 1));
    }
    if (!r_->main_dx.known) {
      Fail(GroupStatus::kUngroupable,
           fmt::format("main diagnosis {} is not an ICD-10 医保版 2.0 code", main));
      return false;
    }
    if (r_->main_dx.gray) {
      Fail(GroupStatus::kUngroupable,
           fmt::format("main diagnosis {} is a 灰码 (not allowed as the main diagnosis)",
                       r_->main_dx.code));
      return false;
    }
    if (!r_->procedures.empty()) {
      const ResolvedCode& p = r_->procedures[0];
      if (!p.known) {
        Fail(GroupStatus::kUngroupable,
             fmt::format("main procedure {} is not an ICD-9-CM-3 医保版 2.0 code", p.sent));
        return false;
      }
      if (p.gray) {
        Fail(
            GroupStatus::kUngroupable,
            fmt::format("main procedure {} is a 灰码 (not allowed as the main procedure)", p.code));
        return false;
      }
    }
    return true;
  }

  bool Checks() {
    if (o_.max_los_days > 0 && c_.los_days > o_.max_los_days) {
      Fail(GroupStatus::kUngroupable,
           fmt::format("length of stay {} days is above {} (paid by bed-day, not by DRG)",
                       c_.los_days, o_.max_los_days));
      return false;
    }
    if (c_.age_years > 150 || c_.age_days > 366 || c_.birth_weight_g < 0 ||
        c_.birth_weight_g > 10000) {
      Fail(GroupStatus::kUngroupable, "age or birth weight out of range");
      return false;
    }
    return true;
  }

  bool Surgical(uint32_t proc) const {
    return proc != kDrgNoCode && proc < s_.proc_surgical.size() && s_.proc_surgical[proc];
  }
  bool InSet(uint32_t set, uint32_t id) const {
    return id != kDrgNoCode && s_.sets[set].Contains(id);
  }

  int TraumaSites(uint16_t mdc) const {
    const DrgMdc& m = s_.mdcs[mdc];
    uint64_t seen = 0;
    auto mark = [&](uint32_t id) {
      if (id == kDrgNoCode) return;
      for (size_t k = 0; k < m.sites.size() && k < 64; ++k)
        if (s_.sets[m.sites[k].set].Contains(id)) seen |= uint64_t{1} << k;
    };
    mark(r_->main_dx.spec_id);
    for (const ResolvedCode& d : r_->secondary) mark(d.spec_id);
    return __builtin_popcountll(seen);
  }

  // Whether condition `c` holds; `*role`/`*index` name the code that made it hold.
  Eval Holds(const DrgCondition& c, bool pre, CodeRole* role, uint16_t* index) const {
    *role = CodeRole::kNone;
    *index = 0;
    const auto& procs = r_->procedures;
    auto some_proc = [&](uint32_t set) {
      for (size_t i = 0; i < procs.size(); ++i) {
        if (InSet(set, procs[i].spec_id)) {
          *role = CodeRole::kProcedure;
          *index = static_cast<uint16_t>(i);
          return Eval::kYes;
        }
      }
      return Eval::kNo;
    };
    switch (c.kind) {
      case DrgConditionKind::kMainDiagnosis:
        *role = CodeRole::kMainDx;
        return InSet(c.set, r_->main_dx.spec_id) ? Eval::kYes : Eval::kNo;
      case DrgConditionKind::kAnyDiagnosis:
        if (InSet(c.set, r_->main_dx.spec_id)) {
          *role = CodeRole::kMainDx;
          return Eval::kYes;
        }
        for (size_t i = 0; i < r_->secondary.size(); ++i) {
          if (InSet(c.set, r_->secondary[i].spec_id)) {
            *role = CodeRole::kSecondaryDx;
            *index = static_cast<uint16_t>(i);
            return Eval::kYes;
          }
        }
        return Eval::kNo;
      case DrgConditionKind::kMainProcedure:
        if (pre) return some_proc(c.set);
        *role = CodeRole::kProcedure;
        return !procs.empty() && InSet(c.set, procs[0].spec_id) ? Eval::kYes : Eval::kNo;
      case DrgConditionKind::kSomeProcedure:
        return some_proc(c.set);
      case DrgConditionKind::kSurgery:
        if (pre) {
          for (size_t i = 0; i < procs.size(); ++i)
            if (Surgical(procs[i].spec_id)) {
              *role = CodeRole::kProcedure;
              *index = static_cast<uint16_t>(i);
              return Eval::kYes;
            }
          return Eval::kNo;
        }
        *role = CodeRole::kProcedure;
        return main_surgical_ ? Eval::kYes : Eval::kNo;
      case DrgConditionKind::kMdcTable:
        *role = CodeRole::kMainDx;
        return r_->main_dx.spec_id != kDrgNoCode &&
                       (s_.dx_mdc_mask[r_->main_dx.spec_id] >> c.set & 1)
                   ? Eval::kYes
                   : Eval::kNo;
      case DrgConditionKind::kNoSurgery:
        for (const ResolvedCode& p : procs)
          if (Surgical(p.spec_id)) return Eval::kNo;
        return Eval::kYes;
      case DrgConditionKind::kBirthWeightGrams:
        if (c_.birth_weight_g <= 0) return Eval::kMissing;
        return c_.birth_weight_g >= c.lo && c_.birth_weight_g <= c.hi ? Eval::kYes : Eval::kNo;
      case DrgConditionKind::kAgeDays:
        if (age_days_ < 0) return Eval::kMissing;
        return age_days_ >= c.lo && age_days_ <= c.hi ? Eval::kYes : Eval::kNo;
    }
    return Eval::kNo;
  }

  // Tries the ADRGs of `mdc` in order. `fallible`: when none applies, return false and let the
  // caller go on (pre-MDC, newborn); otherwise end the case (QY or 0000).
  bool TryMdc(uint16_t mdc, bool pre, bool fallible) {
    const DrgMdc& m = s_.mdcs[mdc];
    bool qy_checked = pre || fallible;
    for (uint16_t a : m.adrgs) {
      const DrgAdrg& adrg = s_.adrgs[a];
      if (!qy_checked && !adrg.surgical) {
        qy_checked = true;
        if (main_surgical_) {
          r_->mdc = mdc;
          r_->drg = std::string(1, m.letter) + "QY";
          GroupStep& st = Step(GroupStepKind::kQy, true, mdc,
                               "surgical main procedure that no surgical ADRG of the MDC takes");
          st.role = CodeRole::kProcedure;
          r_->status = GroupStatus::kAmbiguous;
          r_->reason = fmt::format(
              "main procedure {} is surgical, but no surgical ADRG of {} takes it with main "
              "diagnosis {}",
              r_->procedures[0].code, m.code, r_->main_dx.code);
          done_ = true;
          return true;
        }
      }
      for (const DrgAlternative& alt : adrg.any) {
        size_t mark = r_->trace.size();
        bool ok = true;
        for (const DrgCondition& c : alt.all) {
          CodeRole role;
          uint16_t index;
          if (Holds(c, pre, &role, &index) != Eval::kYes) {
            ok = false;
            break;
          }
          GroupStep& st = Step(GroupStepKind::kAdrg, true, mdc, "");
          st.adrg = a;
          st.source = c.source;
          st.condition = c.kind;
          st.has_condition = true;
          st.role = role;
          st.index = index;
        }
        if (!ok) {
          r_->trace.resize(mark);
          continue;
        }
        for (const DrgCondition& c : adrg.implied) {
          CodeRole role;
          uint16_t index;
          Eval e = Holds(c, pre, &role, &index);
          if (e == Eval::kMissing) {
            r_->mdc = mdc;
            r_->adrg = a;
            Fail(GroupStatus::kUngroupable,
                 fmt::format(
                     "{} ({}) needs the {}, which the case lacks", adrg.code, adrg.name,
                     c.kind == DrgConditionKind::kBirthWeightGrams ? "birth weight" : "age"));
            return false;
          }
          if (e == Eval::kNo) {
            ok = false;
            break;
          }
          GroupStep& st = Step(GroupStepKind::kAdrg, true, mdc, "");
          st.adrg = a;
          st.source = c.source;
          st.condition = c.kind;
          st.has_condition = true;
          st.value = c.kind == DrgConditionKind::kBirthWeightGrams ? c_.birth_weight_g : age_days_;
        }
        if (!ok) {
          r_->trace.resize(mark);
          continue;
        }
        Finish(mdc, a, pre);
        return true;
      }
    }
    if (fallible) return false;
    r_->mdc = mdc;
    if (main_surgical_ && !qy_checked) {
      r_->drg = std::string(1, m.letter) + "QY";
      Fail(GroupStatus::kAmbiguous,
           fmt::format("main procedure {} is surgical, but no ADRG of {} takes it with main "
                       "diagnosis {}",
                       r_->procedures[0].code, m.code, r_->main_dx.code));
    } else {
      Fail(GroupStatus::kUngroupable,
           fmt::format("no ADRG of {} takes main diagnosis {}{}{}", m.code, r_->main_dx.code,
                       r_->procedures.empty() ? "" : " with main procedure ",
                       r_->procedures.empty() ? std::string_view() : r_->procedures[0].code));
    }
    return false;
  }

  void Finish(uint16_t mdc, uint16_t a, bool pre) {
    const DrgAdrg& adrg = s_.adrgs[a];
    r_->mdc = mdc;
    r_->adrg = a;
    if (pre) Step(GroupStepKind::kPreMdc, true, mdc, "pre-MDC ADRG").adrg = a;
    // Severity from the secondary diagnoses.
    DrgSeverity sev = DrgSeverity::kNone;
    bool split = adrg.drgs.size() > 1 || s_.drgs[adrg.drgs[0]].split != '9';
    uint32_t main = r_->main_dx.spec_id;
    if (split) {
      for (size_t i = 0; i < r_->secondary.size(); ++i) {
        uint32_t id = r_->secondary[i].spec_id;
        if (id == kDrgNoCode || id == main) continue;
        DrgSeverity ds = s_.dx_severity[id];
        if (ds == DrgSeverity::kNone) continue;
        uint16_t table = s_.dx_cce[id];
        bool excluded = s_.Excludes(table, main);
        GroupStep& st = Step(
            GroupStepKind::kSeverity, !excluded, mdc,
            excluded ? (ds == DrgSeverity::kMcc ? "MCC cancelled: the main diagnosis is in its "
                                                  "exclusion table"
                                                : "CC cancelled: the main diagnosis is in its "
                                                  "exclusion table")
                     : (ds == DrgSeverity::kMcc ? "MCC" : "CC"));
        st.adrg = a;
        st.role = CodeRole::kSecondaryDx;
        st.index = static_cast<uint16_t>(i);
        st.table = table;
        st.source = s_.dx_severity_source[id];
        if (!excluded && ds > sev) sev = ds;
      }
    }
    // The DRG: the most severe split not above the case's severity, else the least severe.
    auto rank = [](char split) { return split == '1' ? 2 : split == '3' ? 1 : 0; };
    int want = static_cast<int>(sev);
    uint16_t best = kDrgNone, least = kDrgNone;
    for (uint16_t d : adrg.drgs) {
      int rk = rank(s_.drgs[d].split);
      if (rk <= want && (best == kDrgNone || rk > rank(s_.drgs[best].split))) best = d;
      if (least == kDrgNone || rk < rank(s_.drgs[least].split)) least = d;
    }
    if (best == kDrgNone) best = least;
    const DrgDrg& drg = s_.drgs[best];
    r_->severity = sev;
    r_->drg_index = best;
    r_->drg = drg.code;
    r_->drg_name = drg.name;
    r_->status = GroupStatus::kGrouped;
    std::string_view note;
    if (drg.split == '9') {
      note = "not split by severity";
    } else if (rank(drg.split) < want) {
      note = sev == DrgSeverity::kMcc ? "with MCC; the ADRG has no MCC split, so the next one"
                                      : "with CC; the ADRG has no CC split, so the next one";
    } else if (rank(drg.split) > want) {
      note = "no split without MCC/CC; the least severe one";
    } else {
      note = sev == DrgSeverity::kMcc  ? "with MCC"
             : sev == DrgSeverity::kCc ? "with CC"
                                       : "without MCC/CC";
    }
    GroupStep& st = Step(GroupStepKind::kDrg, true, mdc, note);
    st.adrg = a;
    st.drg = best;
    st.source = drg.source;
    done_ = true;
  }

  const DrgGrouper& g_;
  const DrgSpec& s_;
  const GroupOptions& o_;
  const DrgCase& c_;
  GroupResult* r_;
  int age_days_ = -1;
  bool main_surgical_ = false;
  bool done_ = false;
};

std::string_view CodeOf(const GroupResult& r, const GroupStep& s) {
  switch (s.role) {
    case CodeRole::kMainDx:
      return r.main_dx.code;
    case CodeRole::kSecondaryDx:
      return s.index < r.secondary.size() ? r.secondary[s.index].code : std::string_view();
    case CodeRole::kProcedure:
      return s.index < r.procedures.size() ? r.procedures[s.index].code : std::string_view();
    default:
      return {};
  }
}
std::string_view SentOf(const GroupResult& r, const GroupStep& s) {
  switch (s.role) {
    case CodeRole::kMainDx:
      return r.main_dx.sent;
    case CodeRole::kSecondaryDx:
      return s.index < r.secondary.size() ? r.secondary[s.index].sent : std::string_view();
    case CodeRole::kProcedure:
      return s.index < r.procedures.size() ? r.procedures[s.index].sent : std::string_view();
    default:
      return {};
  }
}
const char* RoleName(CodeRole role) {
  switch (role) {
    case CodeRole::kMainDx:
      return "main diagnosis";
    case CodeRole::kSecondaryDx:
      return "secondary diagnosis";
    case CodeRole::kProcedure:
      return "procedure";
    default:
      return "";
  }
}

}  // namespace

DrgGrouper DrgGrouper::Bind(const DrgSpec* spec, const IcdTables* icd, GroupOptions options) {
  DrgGrouper g;
  g.spec = spec;
  g.icd = icd;
  g.options = std::move(options);
  if (icd) {
    g.dx_spec_id.resize(icd->diagnoses.size());
    for (uint32_t id = 0; id < icd->diagnoses.size(); ++id)
      g.dx_spec_id[id] = spec->DiagnosisId(icd->diagnoses.Code(id));
    g.proc_spec_id.resize(icd->procedures.size());
    for (uint32_t id = 0; id < icd->procedures.size(); ++id)
      g.proc_spec_id[id] = spec->ProcedureId(icd->procedures.Code(id));
  }
  return g;
}

void GroupCase(const DrgGrouper& grouper, const DrgCase& c, GroupResult* result) {
  Run(grouper, c, result).Go();
}

void GroupCase(const DrgSpec& spec, const DrgCase& c, GroupResult* result) {
  DrgGrouper g;
  g.spec = &spec;
  GroupCase(g, c, result);
}

std::string RenderTraceStep(const DrgSpec& spec, const GroupResult& r, const GroupStep& s) {
  std::string out = GroupStepKindName(s.kind);
  if (!s.fired) out += " (not applied)";
  if (s.mdc != kDrgNone) out += " " + spec.mdcs[s.mdc].code;
  if (s.adrg != kDrgNone) out += " " + spec.adrgs[s.adrg].code;
  if (s.drg != kDrgNone) out += " " + spec.drgs[s.drg].code;
  if (s.has_condition) out += fmt::format(" {}", DrgConditionKindName(s.condition));
  if (!s.note.empty()) out += fmt::format(": {}", s.note);
  std::string_view code = CodeOf(r, s);
  if (!code.empty()) {
    std::string_view sent = SentOf(r, s);
    out += fmt::format(" [{} {}{}]", RoleName(s.role), code,
                       sent != code ? fmt::format(" sent as {}", sent) : "");
  }
  if (s.kind == GroupStepKind::kTrauma || s.kind == GroupStepKind::kNewborn ||
      (s.has_condition && (s.condition == DrgConditionKind::kBirthWeightGrams ||
                           s.condition == DrgConditionKind::kAgeDays)))
    out += fmt::format(" = {}", s.value);
  if (s.table != kDrgNone) out += fmt::format(" (exclusion 表 {})", spec.cce[s.table].name);
  if (s.source.line > 0) out += fmt::format(" @ {}", spec.Where(s.source));
  return out;
}

void AppendGroupResultJson(const DrgSpec& spec, const DrgCase& c, const GroupResult& r,
                           std::string& out) {
  out += "{\"id\":";
  AppendJsonString(out, c.id);
  out += ",\"status\":\"";
  out += GroupStatusName(r.status);
  out += "\",\"drg\":";
  AppendJsonString(out, r.drg);
  out += ",\"name\":";
  AppendJsonString(out, r.drg_name);
  out += ",\"mdc\":";
  AppendJsonString(out, r.mdc == kDrgNone ? std::string_view() : spec.mdcs[r.mdc].code);
  out += ",\"adrg\":";
  AppendJsonString(out, r.adrg == kDrgNone ? std::string_view() : spec.adrgs[r.adrg].code);
  out += ",\"severity\":\"";
  out += DrgSeverityName(r.severity);
  out += "\",\"reason\":";
  AppendJsonString(out, r.reason);
  out += ",\"trace\":[";
  for (size_t i = 0; i < r.trace.size(); ++i) {
    const GroupStep& s = r.trace[i];
    if (i) out += ',';
    out += "{\"step\":\"";
    out += GroupStepKindName(s.kind);
    out += "\",\"fired\":";
    out += s.fired ? "true" : "false";
    if (s.mdc != kDrgNone) out += ",\"mdc\":\"" + spec.mdcs[s.mdc].code + "\"";
    if (s.adrg != kDrgNone) out += ",\"adrg\":\"" + spec.adrgs[s.adrg].code + "\"";
    if (s.drg != kDrgNone) out += ",\"drg\":\"" + spec.drgs[s.drg].code + "\"";
    if (s.has_condition) {
      out += ",\"condition\":\"";
      out += DrgConditionKindName(s.condition);
      out += "\"";
    }
    std::string_view code = CodeOf(r, s);
    if (!code.empty()) {
      out += ",\"code\":";
      AppendJsonString(out, code);
      out += ",\"role\":";
      AppendJsonString(out, RoleName(s.role));
      std::string_view sent = SentOf(r, s);
      if (sent != code) {
        out += ",\"sent\":";
        AppendJsonString(out, sent);
      }
    }
    if (s.kind == GroupStepKind::kTrauma || s.kind == GroupStepKind::kNewborn ||
        (s.has_condition && (s.condition == DrgConditionKind::kBirthWeightGrams ||
                             s.condition == DrgConditionKind::kAgeDays)))
      out += fmt::format(",\"value\":{}", s.value);
    if (s.table != kDrgNone) {
      out += ",\"exclusion_table\":";
      AppendJsonString(out, spec.cce[s.table].name);
    }
    if (s.source.line > 0) {
      out += ",\"rule\":";
      AppendJsonString(out, spec.Where(s.source));
    }
    if (!s.note.empty()) {
      out += ",\"note\":";
      AppendJsonString(out, s.note);
    }
    out += '}';
  }
  out += "]}";
}

}  // namespace yibao
